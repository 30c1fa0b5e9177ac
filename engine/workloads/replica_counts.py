"""Each ReplicaSet's pods as counts kept from the change feed, so that a sync costs the
changes since the last one instead of a pass over every replica.

syncReplicaSet (k/k pkg/controller/replicaset/replica_set.go) claims the ReplicaSet's pods,
filters the active ones and counts them (calculateStatus: fully labeled, ready, available).
A drain evicts a node's pods at once and every ReplicaSet behind them is synced several
times in that instant (the eviction, the replacement's creation, scheduling, start,
readiness): at 100 replicas those passes were most of the drain's tick. Here each
ReplicaSet's pods are kept as one small bit set a pod, with the totals:

- whether the pod's labels match the ReplicaSet's selector (a pod that does not is released
  by the next sync: the counts are not used then);
- whether it is active (FilterActivePods: not terminal, not being deleted);
- whether its labels hold the template's (fullyLabeledReplicas);
- whether it is Ready (its first Ready condition is True).

The counts are made against one selector and one set of template labels, and made again
from the pods when either changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.workloads.podutil import TERMINAL_PHASES

if TYPE_CHECKING:
    from engine.labels import Selector

MATCHES = 1
ACTIVE = 2
FULLY_LABELED = 4
READY = 8
LABEL_BITS = MATCHES | FULLY_LABELED
"""The bits made from the pod's labels alone."""


class ReplicaCounts:
    """One ReplicaSet's pods, by uid, as bit sets, and the totals the status needs."""

    __slots__ = ("active", "fully_labeled", "labels", "pods", "ready", "selector", "unmatched")

    def __init__(self, selector: Selector, labels: dict) -> None:
        self.selector = selector
        self.labels = labels
        """The template's labels the counts were made against (a copy)."""
        self.pods: dict[str, int] = {}
        self.unmatched = 0
        self.active = 0
        self.fully_labeled = 0
        """Active and fully labeled."""
        self.ready = 0
        """Active and Ready."""

    def made_for(self, selector: Selector, labels: dict) -> bool:
        return self.selector == selector and self.labels == labels

    def bits(self, pod: dict) -> int:
        """What the counts hold of one pod."""
        meta = pod["metadata"]
        labels = meta.get("labels") or {}
        bits = MATCHES if self.selector.matches(labels) else 0
        status = pod.get("status")
        if not meta.get("deletionTimestamp") and not (
            status and status.get("phase") in TERMINAL_PHASES
        ):
            bits |= ACTIVE
        for key, value in self.labels.items():
            if labels.get(key) != value:
                break
        else:
            bits |= FULLY_LABELED
        for condition in (status or {}).get("conditions") or ():
            if condition.get("type") == "Ready":
                if condition.get("status") == "True":
                    bits |= READY
                break
        return bits

    def put(self, uid: str, bits: int) -> None:
        """File (or file again) one pod."""
        old = self.pods.get(uid)
        if old == bits:
            return
        if old is not None:
            self._count(old, -1)
        self.pods[uid] = bits
        self._count(bits, 1)

    def drop(self, uid: str) -> None:
        old = self.pods.pop(uid, None)
        if old is not None:
            self._count(old, -1)

    def _count(self, bits: int, sign: int) -> None:
        if not bits & MATCHES:
            self.unmatched += sign
        if bits & ACTIVE:
            self.active += sign
            if bits & FULLY_LABELED:
                self.fully_labeled += sign
            if bits & READY:
                self.ready += sign


def state_bits(phase: object, ready: tuple | None, deletion_timestamp: object) -> int:
    """The bits made from the pod's phase, Ready condition(s) and deletionTimestamp, as
    the ReplicaSet controller's pod state holds them (replicaset._pod_state): ACTIVE and
    READY as bits() makes them (`ready` starts with the first Ready condition's status)."""
    bits = 0
    if not deletion_timestamp and phase not in TERMINAL_PHASES:
        bits |= ACTIVE
    if ready is not None and ready[0] == "True":
        bits |= READY
    return bits
