"""Small pod and owner helpers the disruption controllers share (k8s.io/kubernetes/pkg/api/v1/pod,
apimachinery's metav1.GetControllerOf), on objects in wire shape."""

from __future__ import annotations

from typing import Any

DISRUPTION_TARGET = "DisruptionTarget"
TERMINAL_PHASES = ("Succeeded", "Failed")

# The reasons of the DisruptionTarget condition, as each writer spells them.
EVICTION_BY_EVICTION_API = "EvictionByEvictionAPI"
EVICTION_MESSAGE = "Eviction API: evicting"
DELETION_BY_TAINT_MANAGER = "DeletionByTaintManager"
TAINT_MANAGER_MESSAGE = "Taint manager: deleting due to NoExecute taint"
TERMINATION_BY_KUBELET = "TerminationByKubelet"


def get_pod_condition(pod: dict, condition_type: str) -> dict | None:
    """GetPodCondition: the pod's condition of that type, or None."""
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == condition_type:
            return condition
    return None


def is_pod_ready(pod: dict) -> bool:
    """IsPodReady: the Ready condition is True."""
    condition = get_pod_condition(pod, "Ready")
    return condition is not None and condition.get("status") == "True"


def is_pod_terminal(pod: dict) -> bool:
    """IsPodPhaseTerminal: Succeeded or Failed."""
    return (pod.get("status") or {}).get("phase") in TERMINAL_PHASES


def is_deleting(obj: dict) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def update_pod_condition(status: dict, condition: dict[str, Any], now: str) -> bool:
    """UpdatePodCondition: set a condition in `status`; True if anything changed.

    lastTransitionTime moves to `now` only when the status changes; a new condition is
    appended at the end, as upstream appends it.
    """
    wanted = {
        "lastProbeTime": condition.get("lastProbeTime"),
        "lastTransitionTime": now,
        "status": condition["status"],
        "type": condition["type"],
    }
    for key in ("message", "reason"):
        if condition.get(key):
            wanted[key] = condition[key]
    conditions = status.setdefault("conditions", [])
    for index, old in enumerate(conditions):
        if old.get("type") != condition["type"]:
            continue
        if old.get("status") == wanted["status"]:
            wanted["lastTransitionTime"] = old.get("lastTransitionTime")
        changed = any(
            (old.get(key) or None) != (wanted.get(key) or None)
            for key in ("status", "reason", "message", "lastProbeTime", "lastTransitionTime")
        )
        conditions[index] = dict(sorted(wanted.items()))
        return changed
    conditions.append(dict(sorted(wanted.items())))
    return True


def controller_of(obj: dict) -> dict | None:
    """metav1.GetControllerOf: the ownerReference with `controller: true`, if any."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def group_of(api_version: str) -> str:
    """The API group of an apiVersion: `apps` for `apps/v1`, `` for `v1`."""
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def pod_key(pod: dict) -> str:
    """`namespace/name`, as kubectl and the controllers print a pod."""
    meta = pod.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"
