"""The disruption controller's arithmetic, as pure functions
(k8s.io/kubernetes/pkg/controller/disruption/disruption.go and
k8s.io/component-helpers/apps/poddisruptionbudget/helpers.go).

    disruptionsAllowed = currentHealthy - desiredHealthy    (0 if negative or nothing expected)

Percentages always round up: a rounded-up maxUnavailable lowers desiredHealthy, a
rounded-up minAvailable raises it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.disruption import intstr
from engine.disruption.podutil import is_deleting
from engine.timeutil import format_time, parse_time

# How long an entry of status.disruptedPods counts the pod as already disrupted.
DELETION_TIMEOUT = timedelta(minutes=2)
# How long a DisruptionTarget condition may stay on a pod that is not being deleted.
STALE_POD_DISRUPTION_TIMEOUT = 120.0

DISRUPTION_ALLOWED = "DisruptionAllowed"
SUFFICIENT_PODS = "SufficientPods"
INSUFFICIENT_PODS = "InsufficientPods"
SYNC_FAILED = "SyncFailed"


class ExpectedCountError(Exception):
    """getExpectedPodCount failed; the message is the error upstream formats with %v."""


@dataclass(frozen=True)
class ExpectedCount:
    """What getExpectedPodCount returns."""

    expected_count: int
    desired_healthy: int
    unmanaged_pods: list[str] = field(default_factory=list)


ScaleLookup = Callable[[], tuple[int, list[str]]]
"""getExpectedScale: (Σ spec.replicas of the pods' controllers, names of unmanaged pods)."""


def get_expected_pod_count(
    spec: Mapping, pod_count: int, expected_scale: ScaleLookup
) -> ExpectedCount:
    """getExpectedPodCount: expected pods and the desired healthy count from the budget.

    The controllers are asked for their scale only when the budget needs it: maxUnavailable,
    or minAvailable as a percentage. An integer minAvailable counts the selected pods.
    """
    max_unavailable = spec.get("maxUnavailable")
    min_available = spec.get("minAvailable")
    if max_unavailable is not None:
        expected, unmanaged = expected_scale()
        try:
            unavailable = intstr.scaled_value(max_unavailable, expected, True)
        except intstr.IntOrStringError as err:
            raise ExpectedCountError(str(err)) from None
        return ExpectedCount(expected, max(0, expected - unavailable), unmanaged)
    if min_available is not None:
        if isinstance(min_available, int):
            return ExpectedCount(pod_count, min_available, [])
        expected, unmanaged = expected_scale()
        try:
            desired = intstr.scaled_value(min_available, expected, True)
        except intstr.IntOrStringError as err:
            raise ExpectedCountError(str(err)) from None
        return ExpectedCount(expected, desired, unmanaged)
    return ExpectedCount(0, 0, [])


def count_healthy_pods(
    pods: Iterable[dict], disrupted_pods: Mapping[str, str], now: datetime
) -> int:
    """countHealthyPods: Ready pods, less those being deleted or disrupted within 2 minutes."""
    healthy = 0
    # is_deleting and is_pod_ready written out: a drain's burst of pod changes syncs every
    # budget several times an instant, and this loop is most of a sync.
    for pod in pods:
        meta = pod.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            continue
        if disrupted_pods:
            disrupted_at = disrupted_pods.get(meta["name"])
            if disrupted_at is not None and parse_time(disrupted_at) + DELETION_TIMEOUT > now:
                continue
        for condition in (pod.get("status") or {}).get("conditions") or ():
            if condition.get("type") == "Ready":
                if condition.get("status") == "True":
                    healthy += 1
                break
    return healthy


@dataclass
class DisruptedPodMap:
    """What buildDisruptedPodMap returns, plus the pods it warns about."""

    disrupted_pods: dict[str, str]
    recheck_time: datetime | None
    not_deleted: list[dict]


def build_disrupted_pod_map(
    pods: Iterable[dict], disrupted_pods: Mapping[str, str] | None, now: datetime
) -> DisruptedPodMap:
    """buildDisruptedPodMap: keep entries for selected pods not yet deleting and not expired.

    An entry whose pod still exists, is not being deleted and is older than 2 minutes is
    dropped with a NotDeleted warning; the earliest expiry of the rest is when to look again.
    """
    result: dict[str, str] = {}
    recheck: datetime | None = None
    not_deleted: list[dict] = []
    if not disrupted_pods:
        return DisruptedPodMap(result, recheck, not_deleted)
    for pod in pods:
        if is_deleting(pod):
            continue
        name = pod["metadata"]["name"]
        disrupted_at = disrupted_pods.get(name)
        if disrupted_at is None:
            continue
        expected_deletion = parse_time(disrupted_at) + DELETION_TIMEOUT
        if expected_deletion < now:
            not_deleted.append(pod)
        else:
            if recheck is None or expected_deletion < recheck:
                recheck = expected_deletion
            result[name] = disrupted_at
    return DisruptedPodMap(result, recheck, not_deleted)


def disruptions_allowed(current_healthy: int, desired_healthy: int, expected_count: int) -> int:
    """updatePdbStatus: currentHealthy - desiredHealthy, or 0 when nothing is expected."""
    allowed = current_healthy - desired_healthy
    if expected_count <= 0 or allowed <= 0:
        return 0
    return allowed


def set_status_condition(conditions: list[dict], new: Mapping, now: datetime) -> None:
    """apimeta.SetStatusCondition: lastTransitionTime moves only when the status changes."""
    for index, old in enumerate(conditions):
        if old.get("type") != new["type"]:
            continue
        updated = dict(old)
        if old.get("status") != new["status"]:
            updated["status"] = new["status"]
            updated["lastTransitionTime"] = format_time(now)
        updated["reason"] = new["reason"]
        updated["message"] = new.get("message", "")
        if new.get("observedGeneration"):
            updated["observedGeneration"] = new["observedGeneration"]
        else:
            updated.pop("observedGeneration", None)
        conditions[index] = dict(sorted(updated.items()))
        return
    condition = {
        "lastTransitionTime": format_time(now),
        "message": new.get("message", ""),
        "reason": new["reason"],
        "status": new["status"],
        "type": new["type"],
    }
    if new.get("observedGeneration"):
        condition["observedGeneration"] = new["observedGeneration"]
    conditions.append(dict(sorted(condition.items())))


def update_disruption_allowed_condition(status: dict, now: datetime) -> None:
    """UpdateDisruptionAllowedCondition: True/SufficientPods while disruptions are allowed."""
    conditions = status.setdefault("conditions", [])
    allowed = status.get("disruptionsAllowed", 0) > 0
    set_status_condition(
        conditions,
        {
            "type": DISRUPTION_ALLOWED,
            "status": "True" if allowed else "False",
            "reason": SUFFICIENT_PODS if allowed else INSUFFICIENT_PODS,
            "observedGeneration": status.get("observedGeneration", 0),
        },
        now,
    )


def conditions_are_up_to_date(pdb: dict) -> bool:
    """ConditionsAreUpToDate: the DisruptionAllowed condition agrees with the status."""
    status = pdb.get("status") or {}
    condition = next(
        (c for c in status.get("conditions") or [] if c.get("type") == DISRUPTION_ALLOWED), None
    )
    if condition is None:
        return False
    if status.get("observedGeneration", 0) != pdb["metadata"].get("generation", 0):
        return False
    if status.get("disruptionsAllowed", 0) > 0:
        return condition.get("status") == "True" and condition.get("reason") == SUFFICIENT_PODS
    return condition.get("status") == "False" and condition.get("reason") == INSUFFICIENT_PODS


def empty_status() -> dict:
    """The status of a budget no controller has looked at yet (Go's zero values)."""
    return {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0}
