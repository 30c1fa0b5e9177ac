"""The PodPreset admission plugin (release-1.19), first of the mutating plugins.

Only pod CREATEs: presets are injected when a pod is made and never into existing pods. A
pod opts out with the annotation `podpreset.admission.kubernetes.io/exclude: "true"`;
mirror pods are skipped. Presets in the pod's namespace whose selector matches the pod's
labels apply, in name order (the lister's; unverified upstream).

On a conflict upstream only logged `conflict occurred while applying podpresets: ...` and
created the pod unchanged. podtui also records a Warning event on the pod, reason
`PodPresetConflict`, with that log line, so the user can see why nothing was injected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.api import errors
from engine.events import Source
from engine.labels import SelectorError, label_selector_as_selector
from engine.security.podpreset.merge import EXCLUDE_ANNOTATION, apply_presets, conflicts
from engine.security.psp.admission import mutating_phase_name
from engine.store import Change

if TYPE_CHECKING:
    from engine.api.admission import AdmissionRequest
    from engine.cluster import Cluster

CONFLICT_REASON = "PodPresetConflict"
EVENT_SOURCE = Source("podpreset-admission")
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
MAX_PENDING = 64


def matching_presets(presets: list[dict], pod: dict) -> list[dict]:
    """filterPodPresets: a preset's selector must select the pod's labels ({} selects all)."""
    labels = (pod.get("metadata") or {}).get("labels") or {}
    out = []
    for preset in presets:
        selector = (preset.get("spec") or {}).get("selector") or {}
        try:
            matcher = label_selector_as_selector(selector)
        except SelectorError as err:
            raise errors.internal_error(
                f"filtering pod presets failed: label selector conversion failed: {selector} "
                f"for selector: {err}"
            ) from err
        if matcher.matches(labels):
            out.append(preset)
    return out


def conflict_message(presets: list[dict], pod: dict, problems: list[str]) -> str:
    """The line upstream logged: which presets, which pod, which field conflicted."""
    names = ",".join(p["metadata"]["name"] for p in presets)
    detail = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
    return (
        f"conflict occurred while applying podpresets: {names} on pod: "
        f"{mutating_phase_name(pod)} err: {detail}"
    )


class PodPresetAdmission:
    """Injects matching PodPresets into new pods."""

    name = "PodPreset"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        # Conflicts waiting for their pod to be stored, by the identity of the pod object the
        # API server stores (a generated name only exists after admission).
        self._pending: dict[int, tuple[dict, str]] = {}
        # Only a pod's ADDED matters here, never a status write.
        cluster.store.watch(self._on_pod, {"Pod"}, status_writes=False)

    def admit(self, request: AdmissionRequest) -> None:
        if request.kind.kind != "Pod" or request.subresource or request.operation != "CREATE":
            return
        pod = request.obj
        meta = pod["metadata"]
        annotations = meta.get("annotations") or {}
        if MIRROR_ANNOTATION in annotations or annotations.get(EXCLUDE_ANNOTATION) == "true":
            return
        presets = matching_presets(self.cluster.store.list("PodPreset", request.namespace), pod)
        if not presets:
            return
        problems = conflicts(pod, presets)
        if problems:
            if not request.dry_run:
                # The pod has no uid yet; the event is recorded once it is stored.
                self._pending[id(pod)] = (pod, conflict_message(presets, pod, problems))
                while len(self._pending) > MAX_PENDING:  # refused later by another plugin
                    del self._pending[next(iter(self._pending))]
            return
        apply_presets(pod, presets)

    def _on_pod(self, change: Change) -> None:
        if change.type != "ADDED" or not self._pending:
            return
        pending = self._pending.pop(id(change.obj), None)
        if pending is not None and pending[0] is change.obj:
            self.cluster.events.event(
                change.obj, "Warning", CONFLICT_REASON, pending[1], EVENT_SOURCE
            )
