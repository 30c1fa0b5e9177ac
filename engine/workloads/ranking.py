"""Which pods a ReplicaSet deletes first when it scales down.

`getPodsToDelete` ranks each pod by how many related active pods share its node and sorts
with `ActivePodsWithRanks.Less` (k/k pkg/controller/controller_utils.go), the gates
PodDeletionCost and LogarithmicScaleDown being on (their defaults since 1.22). The first
pods of the sorted list are the ones deleted.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from engine.workloads.podutil import is_pod_active, is_pod_ready, max_container_restarts

POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


@dataclass(frozen=True)
class RankedPod:
    """One pod as Less sees it (times are simulated seconds; None is a zero time)."""

    pod: dict
    rank: int
    node_name: str
    phase_ordinal: int
    ready: bool
    deletion_cost: int
    ready_time: float | None
    restarts: int
    created: float | None
    uid: str


def deletion_cost(pod: dict) -> int:
    """GetDeletionCostFromPodAnnotations: the annotation as an int32 (invalid counts as 0)."""
    value = (pod["metadata"].get("annotations") or {}).get(POD_DELETION_COST)
    if value is None:
        return 0
    try:
        cost = int(str(value).strip())
    except ValueError:
        return 0
    return cost if -(2**31) <= cost < 2**31 else 0


def logarithmic_rank_diff(t1: float, t2: float, now: float) -> int:
    """logarithmicRankDiff: floor(log2(age in nanoseconds)) of each, compared (-1 if not in the past)."""
    d1 = (now - t1) * 1e9
    d2 = (now - t2) * 1e9
    r1 = int(math.log2(d1)) if d1 > 0 else -1
    r2 = int(math.log2(d2)) if d2 > 0 else -1
    return r1 - r2


def _after_or_zero(t1: float | None, t2: float | None) -> bool:
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def less(a: RankedPod, b: RankedPod, now: float | None) -> bool:
    """ActivePodsWithRanks.Less: True if `a` should be deleted before `b`."""
    # 1. Unassigned < assigned.
    if a.node_name != b.node_name and (not a.node_name or not b.node_name):
        return not a.node_name
    # 2. Pending < Unknown < Running.
    if a.phase_ordinal != b.phase_ordinal:
        return a.phase_ordinal < b.phase_ordinal
    # 3. Not ready < ready.
    if a.ready != b.ready:
        return not a.ready
    # 4. Lower pod-deletion-cost < higher.
    if a.deletion_cost != b.deletion_cost:
        return a.deletion_cost < b.deletion_cost
    # 5. Doubled up < not doubled up: more related pods on the same node goes first.
    if a.rank != b.rank:
        return a.rank > b.rank
    # 6. Both ready: ready more recently goes first, compared in log2 buckets.
    if a.ready and b.ready and a.ready_time != b.ready_time:
        if now is None or a.ready_time is None or b.ready_time is None:
            return _after_or_zero(a.ready_time, b.ready_time)
        diff = logarithmic_rank_diff(a.ready_time, b.ready_time, now)
        if diff == 0:
            return a.uid < b.uid
        return diff < 0
    # 7. More container restarts goes first.
    if a.restarts != b.restarts:
        return a.restarts > b.restarts
    # 8. Newer goes first, compared in log2 buckets.
    if a.created != b.created:
        if now is None or a.created is None or b.created is None:
            return _after_or_zero(a.created, b.created)
        diff = logarithmic_rank_diff(a.created, b.created, now)
        if diff == 0:
            return a.uid < b.uid
        return diff < 0
    return False


def sort_for_deletion(pods: list[RankedPod], now: float | None) -> list[RankedPod]:
    """The pods, the ones to delete first at the front."""

    def compare(a: RankedPod, b: RankedPod) -> int:
        if less(a, b, now):
            return -1
        if less(b, a, now):
            return 1
        return 0

    return sorted(pods, key=functools.cmp_to_key(compare))


def ranked(pod: dict, rank: int, seconds) -> RankedPod:
    """A RankedPod from a pod dict; `seconds(timestamp)` turns timestamps into sim seconds."""
    status = pod.get("status") or {}
    ready = is_pod_ready(pod)
    ready_time = None
    if ready:
        for condition in status.get("conditions") or ():
            if condition.get("type") == "Ready" and condition.get("status") == "True":
                ready_time = seconds(condition.get("lastTransitionTime"))
    return RankedPod(
        pod=pod,
        rank=rank,
        node_name=(pod.get("spec") or {}).get("nodeName") or "",
        phase_ordinal=_PHASE_ORDINAL.get(status.get("phase") or "", 0),
        ready=ready,
        deletion_cost=deletion_cost(pod),
        ready_time=ready_time,
        restarts=max_container_restarts(pod),
        created=seconds(pod["metadata"].get("creationTimestamp")),
        uid=pod["metadata"].get("uid", ""),
    )


def get_pods_to_delete(
    filtered: Sequence[dict], related: Sequence[dict], diff: int, now: float, seconds
) -> list[dict]:
    """getPodsToDelete: `diff` pods, ranked by co-located related active pods.

    No sorting when every pod goes (diff >= len(filtered)).
    """
    if diff >= len(filtered):
        return list(filtered)[:diff]
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = (pod.get("spec") or {}).get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1
    items = [
        ranked(p, on_node.get((p.get("spec") or {}).get("nodeName") or "", 0), seconds)
        for p in filtered
    ]
    return [r.pod for r in sort_for_deletion(items, now)[:diff]]
