"""The node controllers' taints: which NoSchedule taints a node's conditions call for, the
NoExecute templates, how the controller swaps them (SwapNodeControllerTaint), and a zone's
rate-limited queue of nodes waiting for their NoExecute taint (RateLimitedTimedQueue)
(k8s.io/kubernetes/pkg/controller/nodelifecycle, k8s.io/kubernetes/pkg/controller/util/node).
"""

from __future__ import annotations

from collections import OrderedDict

from engine.disruption.node_health import TokenBucket
from engine.tolerations import (
    NO_EXECUTE,
    NO_SCHEDULE,
    TAINT_NODE_NOT_READY,
    TAINT_NODE_UNREACHABLE,
    TAINT_NODE_UNSCHEDULABLE,
)

UNREACHABLE_TAINT = {"key": TAINT_NODE_UNREACHABLE, "effect": NO_EXECUTE}
NOT_READY_TAINT = {"key": TAINT_NODE_NOT_READY, "effect": NO_EXECUTE}

# nodeConditionToTaintKeyStatusMap: condition -> {status: NoSchedule taint key}.
CONDITION_TAINTS = {
    "Ready": {"False": TAINT_NODE_NOT_READY, "Unknown": TAINT_NODE_UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
CONDITION_TAINT_KEYS = {key for statuses in CONDITION_TAINTS.values() for key in statuses.values()}


def no_schedule_taints_wanted(node: dict) -> list[tuple[str, str]]:
    """The (key, effect) NoSchedule taints the node's conditions and unschedulable call for."""
    wanted = []
    for condition in (node.get("status") or {}).get("conditions") or []:
        key = CONDITION_TAINTS.get(condition.get("type", ""), {}).get(condition.get("status", ""))
        if key is not None:
            wanted.append((key, NO_SCHEDULE))
    if (node.get("spec") or {}).get("unschedulable"):
        wanted.append((TAINT_NODE_UNSCHEDULABLE, NO_SCHEDULE))
    return wanted


def taint_exists(taints: list[dict], template: dict) -> bool:
    return any(
        t.get("key") == template["key"] and t.get("effect") == template["effect"] for t in taints
    )


def swap_taints(
    taints: list[dict], add: list[dict], remove: list[dict], now_stamp: str
) -> list[dict]:
    """SwapNodeControllerTaint: add (stamped with timeAdded) and remove, by key and effect."""
    out = [dict(t) for t in taints]
    for taint in add:
        stamped = dict(sorted({**taint, "timeAdded": now_stamp}.items()))
        for index, old in enumerate(out):
            if old.get("key") == taint["key"] and old.get("effect") == taint["effect"]:
                out[index] = stamped
                break
        else:
            out.append(stamped)
    return [
        t
        for t in out
        if not any(t.get("key") == r["key"] and t.get("effect") == r["effect"] for r in remove)
    ]


class ZoneTainter:
    """A zone's RateLimitedTimedQueue of nodes waiting for their NoExecute taint."""

    def __init__(self, qps: float, now: float) -> None:
        self.queue: OrderedDict[str, None] = OrderedDict()
        self.members: set[str] = set()
        self.bucket = TokenBucket(qps, now)

    def add(self, name: str) -> bool:
        if name in self.members:
            return False
        self.members.add(name)
        self.queue[name] = None
        return True

    def remove(self, name: str) -> bool:
        self.queue.pop(name, None)
        if name in self.members:
            self.members.discard(name)
            return True
        return False

    def swap_limiter(self, qps: float, now: float) -> None:
        if qps != self.bucket.qps:
            self.bucket = TokenBucket(qps, now)
