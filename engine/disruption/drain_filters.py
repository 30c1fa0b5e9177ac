"""Which pods `kubectl drain` deletes, and what it says about the others
(k8s.io/kubectl/pkg/drain/filters.go).

The filters run in order — skipDeleted, daemonSet, mirrorPod, localStorage, unreplicated —
and stop at the first that keeps the pod; otherwise the last one's status stands, so the
local-storage warning is always overwritten (upstream's TODO says as much).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.disruption.podutil import controller_of
from engine.timeutil import parse_time

DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_STORAGE_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"

OKAY = "Okay"
SKIP = "Skip"
WARNING = "Warning"
ERROR = "Error"


@dataclass(frozen=True)
class PodDeleteStatus:
    """A filter's verdict on a pod."""

    delete: bool
    reason: str
    message: str = ""


OK_STATUS = PodDeleteStatus(True, OKAY)
SKIP_STATUS = PodDeleteStatus(False, SKIP)


@dataclass(frozen=True)
class FilterOptions:
    """The drain flags the filters read."""

    force: bool = False
    ignore_daemonsets: bool = False
    delete_emptydir_data: bool = False
    skip_wait_for_delete_timeout: int = 0


DaemonSetLookup = Callable[[str, str], str | None]
"""(namespace, name) -> None if the DaemonSet exists, else the API's NotFound message."""


def _finished(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def should_skip_pod(pod: dict, skip_timeout: int, now_seconds: Callable[[str], float]) -> bool:
    """shouldSkipPod: deleting for longer than --skip-wait-for-delete-timeout seconds."""
    stamp = (pod.get("metadata") or {}).get("deletionTimestamp")
    return skip_timeout > 0 and bool(stamp) and int(now_seconds(stamp)) > skip_timeout


def skip_deleted_filter(
    pod: dict, options: FilterOptions, seconds_since: Callable[[str], float]
) -> PodDeleteStatus:
    if should_skip_pod(pod, options.skip_wait_for_delete_timeout, seconds_since):
        return SKIP_STATUS
    return OK_STATUS


def daemonset_filter(
    pod: dict, options: FilterOptions, daemonset_missing: DaemonSetLookup
) -> PodDeleteStatus:
    ref = controller_of(pod)
    if ref is None or not (ref.get("kind") == "DaemonSet" and ref.get("apiVersion") == "apps/v1"):
        return OK_STATUS
    if _finished(pod):
        return OK_STATUS
    missing = daemonset_missing(pod["metadata"].get("namespace", ""), ref.get("name", ""))
    if missing is not None:
        if options.force:
            return PodDeleteStatus(True, WARNING, missing)
        return PodDeleteStatus(False, ERROR, missing)
    if not options.ignore_daemonsets:
        return PodDeleteStatus(False, ERROR, DAEMONSET_FATAL)
    return PodDeleteStatus(False, WARNING, DAEMONSET_WARNING)


def mirror_pod_filter(pod: dict) -> PodDeleteStatus:
    if MIRROR_POD_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {}):
        return SKIP_STATUS
    return OK_STATUS


def local_storage_filter(pod: dict, options: FilterOptions) -> PodDeleteStatus:
    volumes = (pod.get("spec") or {}).get("volumes") or []
    if not any("emptyDir" in volume for volume in volumes):
        return OK_STATUS
    if _finished(pod):
        return OK_STATUS
    if not options.delete_emptydir_data:
        return PodDeleteStatus(False, ERROR, LOCAL_STORAGE_FATAL)
    return PodDeleteStatus(True, WARNING, LOCAL_STORAGE_WARNING)


def unreplicated_filter(pod: dict, options: FilterOptions) -> PodDeleteStatus:
    if _finished(pod):
        return OK_STATUS
    if controller_of(pod) is not None:
        return OK_STATUS
    if options.force:
        return PodDeleteStatus(True, WARNING, UNMANAGED_WARNING)
    return PodDeleteStatus(False, ERROR, UNMANAGED_FATAL)


def filter_pod(
    pod: dict,
    options: FilterOptions,
    daemonset_missing: DaemonSetLookup,
    seconds_since: Callable[[str], float] = lambda stamp: 0.0,
) -> PodDeleteStatus:
    """makeFilters applied as filterPods does: stop at the first filter that keeps the pod."""
    filters: list[Callable[[], PodDeleteStatus]] = [
        lambda: skip_deleted_filter(pod, options, seconds_since),
        lambda: daemonset_filter(pod, options, daemonset_missing),
        lambda: mirror_pod_filter(pod),
        lambda: local_storage_filter(pod, options),
        lambda: unreplicated_filter(pod, options),
    ]
    status = OK_STATUS
    for apply in filters:
        status = apply()
        if not status.delete:
            break
    return status


@dataclass
class PodDeleteList:
    """GetPodsForDeletion's answer: every pod on the node with its verdict, in list order."""

    items: list[tuple[dict, PodDeleteStatus]]

    def pods(self) -> list[dict]:
        return [pod for pod, status in self.items if status.delete]

    def _grouped(self, reason: str) -> list[tuple[str, list[str]]]:
        # Upstream groups through a Go map (random order); podtui keeps first-seen order.
        groups: dict[str, list[str]] = {}
        for pod, status in self.items:
            if status.reason != reason:
                continue
            message = status.message or ("unexpected error" if reason == ERROR else "")
            meta = pod["metadata"]
            groups.setdefault(message, []).append(f"{meta.get('namespace', '')}/{meta['name']}")
        return list(groups.items())

    def warnings(self) -> str:
        """Warnings(): `<msg>: ns/a, ns/b; <msg>: ns/c`."""
        return "; ".join(f"{msg}: {', '.join(pods)}" for msg, pods in self._grouped(WARNING))

    def errors(self) -> list[str]:
        """errors(): one per message, `cannot delete <msg>: ns/a, ns/b`."""
        return [f"cannot delete {msg}: {', '.join(pods)}" for msg, pods in self._grouped(ERROR)]


def pods_for_deletion(
    pods: Iterable[dict],
    options: FilterOptions,
    daemonset_missing: DaemonSetLookup,
    seconds_since: Callable[[str], float] = lambda stamp: 0.0,
) -> PodDeleteList:
    """filterPods over the node's pods."""
    return PodDeleteList(
        [(pod, filter_pod(pod, options, daemonset_missing, seconds_since)) for pod in pods]
    )


def stamp_age(now: Callable[[], datetime]) -> Callable[[str], float]:
    """Seconds since an RFC 3339 stamp, on the given clock."""
    return lambda stamp: (now() - parse_time(stamp)).total_seconds()
