"""What controllers ask of a pod and of an owner reference (k/k pkg/api/v1/pod/util.go,
pkg/controller/controller_utils.go, apimachinery's metav1.GetControllerOf)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from engine.timeutil import parse_time

if TYPE_CHECKING:
    from engine.clock import Clock

TERMINAL_PHASES = ("Succeeded", "Failed")

SECONDS_MEMO_LIMIT = 4096
"""Timestamps whose simulated seconds are remembered: past this, start over."""
_SECONDS_MEMO: dict[tuple[str, datetime], float] = {}


# -- owner references --------------------------------------------------------------------
def controller_ref(obj: dict) -> dict | None:
    """metav1.GetControllerOf: the owner reference with `controller: true`, if any."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def new_controller_ref(owner: dict) -> dict:
    """metav1.NewControllerRef: controller and blockOwnerDeletion both true."""
    meta = owner["metadata"]
    return {
        "apiVersion": owner["apiVersion"],
        "blockOwnerDeletion": True,
        "controller": True,
        "kind": owner["kind"],
        "name": meta["name"],
        "uid": meta["uid"],
    }


def is_controlled_by(obj: dict, owner: dict) -> bool:
    ref = controller_ref(obj)
    return ref is not None and ref.get("uid") == owner["metadata"]["uid"]


# -- pod state ---------------------------------------------------------------------------
def pod_phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def is_pod_terminal(pod: dict) -> bool:
    return pod_phase(pod) in TERMINAL_PHASES


def is_pod_active(pod: dict) -> bool:
    """controller.IsPodActive: not Succeeded or Failed, and not being deleted."""
    return not is_pod_terminal(pod) and not pod["metadata"].get("deletionTimestamp")


def is_pod_terminating(pod: dict) -> bool:
    """controller.IsPodTerminating: being deleted and not yet terminal."""
    return bool(pod["metadata"].get("deletionTimestamp")) and not is_pod_terminal(pod)


def ready_condition(pod: dict) -> dict | None:
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            return condition
    return None


def is_pod_ready(pod: dict) -> bool:
    """IsPodReady: the Ready condition is True."""
    condition = ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def seconds_of(clock: Clock, timestamp: str | None) -> float | None:
    """A timestamp as simulated seconds since the cluster started."""
    if not timestamp:
        return None
    # A pure function of the timestamp and the clock's start, asked again and again of the
    # same few timestamps (a ReplicaSet scaling down ranks every pod by its creation and
    # Ready times): parsed once each.
    key = (timestamp, clock.start)
    seconds = _SECONDS_MEMO.get(key)
    if seconds is None:
        if len(_SECONDS_MEMO) >= SECONDS_MEMO_LIMIT:
            _SECONDS_MEMO.clear()
        seconds = _SECONDS_MEMO[key] = (parse_time(timestamp) - clock.start).total_seconds()
    return seconds


def ready_since(clock: Clock, pod: dict) -> float | None:
    """When the pod last became Ready (its Ready condition's lastTransitionTime)."""
    condition = ready_condition(pod)
    if condition is None or condition.get("status") != "True":
        return None
    return seconds_of(clock, condition.get("lastTransitionTime"))


def is_pod_available(pod: dict, min_ready_seconds: int, now: float, clock: Clock) -> bool:
    """IsPodAvailable: Ready, and Ready for more than minReadySeconds (strictly before now)."""
    if not is_pod_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = ready_since(clock, pod)
    return since is not None and since + min_ready_seconds < now


def available_at(pod: dict, min_ready_seconds: int, clock: Clock) -> float | None:
    """When a Ready pod will count as available (None if it is not Ready)."""
    since = ready_since(clock, pod)
    if since is None:
        return None
    return since + min_ready_seconds


def max_container_restarts(pod: dict) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or ()
    return max((int(s.get("restartCount") or 0) for s in statuses), default=0)


def pod_from_template(template: dict, owner: dict, generate_name: str | None = None) -> dict:
    """GetPodFromTemplate: labels, annotations and finalizers of the template, the owner's
    controller reference, the template's spec.

    The spec is shared with the template, not copied: the API server copies what it is
    given, and callers that change the pod's spec copy it first.
    """
    meta = template.get("metadata") or {}
    pod_meta: dict = {}
    if meta.get("labels"):
        pod_meta["labels"] = dict(meta["labels"])
    if meta.get("annotations"):
        pod_meta["annotations"] = dict(meta["annotations"])
    if meta.get("finalizers"):
        pod_meta["finalizers"] = list(meta["finalizers"])
    if generate_name is not None:
        pod_meta["generateName"] = generate_name
    pod_meta["namespace"] = owner["metadata"].get("namespace", "default")
    pod_meta["ownerReferences"] = [new_controller_ref(owner)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": pod_meta,
        "spec": template.get("spec") or {},
    }


def pods_prefix(controller_name: str) -> str:
    """getPodsPrefix: `<name>-` (the API server adds five random characters)."""
    return f"{controller_name}-"
