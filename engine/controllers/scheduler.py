"""kube-scheduler: the scheduling queue, one attempt per pod, binding and its events.

Pending pods are scheduled one at a time in queue order (priority, then arrival). A pod
that fits nowhere gets `PodScheduled=False/Unschedulable` and a `FailedScheduling` event and
waits among the unschedulable pods until something changes in the cluster (a node added or
changed, a pod deleted) — then it is retried after its back-off (1 s doubling to 10 s) —
or until it has waited 5 minutes (podMaxInUnschedulablePodsDuration, flushed every 30 s).
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING

from engine.events import Source
from engine.scheduler import NodeInfo, Snapshot, schedule
from engine.store import Change
from engine.workqueue import KeyQueue

if TYPE_CHECKING:
    from engine.cluster import Cluster

SCHEDULER_NAME = "default-scheduler"
INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 10.0
MAX_IN_UNSCHEDULABLE = 300.0
FLUSH_PERIOD = 30.0
TERMINAL = ("Succeeded", "Failed")


def _terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in TERMINAL


class Scheduler:
    """The default scheduler's queue and cache over the engine's store."""

    name = "default-scheduler"

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.source = Source(SCHEDULER_NAME, f"{SCHEDULER_NAME}-control-plane", new_api=True)
        self.nodes: dict[str, NodeInfo] = {}
        self._node_order: list[NodeInfo] = []  # by name: the order the scan follows
        self._snapshot = Snapshot(self._node_order)
        self._active: KeyQueue[str] = KeyQueue()
        self._unschedulable: dict[str, float] = {}
        self._attempts: dict[str, int] = {}
        self._retry_timers: dict[str, object] = {}
        self._assigned: dict[str, str] = {}
        self._draining = False
        self._next_start = 0
        # (time, unschedulable-set version) of the last move: a second move at the same time
        # with no pod newly unschedulable would set the same timers, so it is skipped.
        self._moved: tuple[float, int] = (-1.0, 0)
        self._unschedulable_version = 0
        cluster.store.watch(self._on_node, {"Node"})
        # A status write is a no-op to _on_pod unless the pod turned Succeeded or Failed: it
        # cannot bind, unbind or delete a pod, and a bound pod left the queues when bound.
        cluster.store.watch(self._on_pod, {"Pod"}, status_writes=_terminal)

    # -- the cache ------------------------------------------------------------------------
    def _on_node(self, change: Change) -> None:
        name = change.obj["metadata"]["name"]
        if change.type == "DELETED":
            info = self.nodes.pop(name, None)
            if info is not None:
                self._node_order.remove(info)
                self._snapshot.set_nodes(self._node_order)
            return
        info = self.nodes.get(name)
        if info is None:
            info = NodeInfo(change.obj)
            self.nodes[name] = info
            bisect.insort(self._node_order, info, key=_node_name)
            self._snapshot.set_nodes(self._node_order)
            for pod_uid, node in self._assigned.items():
                if node == name:
                    pod = self.cluster.store.get_by_uid(pod_uid)
                    if pod is not None:
                        info.add_pod(pod)
            self._move_all("NodeAdd")
            return
        before = _scheduling_view(info.node)
        info.set_node(change.obj)
        if _scheduling_view(change.obj) != before:
            self._move_all("NodeUpdate")

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        uid = pod["metadata"]["uid"]
        spec = pod.get("spec") or {}
        node_name = spec.get("nodeName")
        phase = (pod.get("status") or {}).get("phase")
        if (
            node_name
            and change.type != "DELETED"
            and phase not in TERMINAL
            and self._assigned.get(uid) == node_name
        ):
            return  # known on this node (a status write): forgotten when it was assigned
        if change.type == "DELETED" or phase in TERMINAL:
            self._forget(uid)
            if uid in self._assigned:
                node = self._assigned.pop(uid)
                info = self.nodes.get(node)
                if info is not None and info.has_pod(pod):
                    info.remove_pod(pod)
                self._move_all("AssignedPodDelete")
            return
        if node_name:
            if self._assigned.get(uid) == node_name:
                return  # a status write of a bound pod: it left the queues when it was bound
            self._forget(uid)
            self._assigned[uid] = node_name
            info = self.nodes.get(node_name)
            if info is not None:
                info.add_pod(pod)
            return
        if change.type == "ADDED" and spec.get("schedulerName", SCHEDULER_NAME) == SCHEDULER_NAME:
            if pod["metadata"].get("deletionTimestamp"):
                return
            self._activate(uid)

    def _forget(self, uid: str) -> None:
        self._active.discard(uid)
        self._unschedulable.pop(uid, None)
        self._attempts.pop(uid, None)
        timer = self._retry_timers.pop(uid, None)
        if timer is not None:
            timer.cancel()  # type: ignore[attr-defined]

    # -- the queue ------------------------------------------------------------------------
    def _activate(self, uid: str) -> None:
        self._unschedulable.pop(uid, None)
        self._active.add(uid)
        if not self._draining:
            self._draining = True
            self.cluster.clock.call_later(0, self._drain)

    def _move_all(self, _event: str) -> None:
        """MoveAllToActiveOrBackoffQueue: retry every unschedulable pod after its back-off."""
        now = self.cluster.clock.now
        if self._moved == (now, self._unschedulable_version):
            return
        self._moved = (now, self._unschedulable_version)
        for uid, last_attempt in list(self._unschedulable.items()):
            attempts = self._attempts.get(uid, 1)
            backoff = min(INITIAL_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
            self._retry_at(uid, max(now, last_attempt + backoff))

    def _retry_at(self, uid: str, at: float) -> None:
        timer = self._retry_timers.get(uid)
        if timer is not None:
            if timer.at <= at:  # type: ignore[attr-defined]
                return
            timer.cancel()  # type: ignore[attr-defined]

        def fire() -> None:
            self._retry_timers.pop(uid, None)
            if uid in self._unschedulable:
                self._activate(uid)

        self._retry_timers[uid] = self.cluster.clock.call_at(at, fire)

    def _drain(self) -> None:
        self._draining = False
        store = self.cluster.store
        while self._active:
            uid = self._active.pop()
            pod = store.get_by_uid(uid)
            if pod is None or (pod.get("spec") or {}).get("nodeName"):
                continue
            if pod["metadata"].get("deletionTimestamp"):
                continue
            self.schedule_one(pod)

    # -- one attempt ----------------------------------------------------------------------
    def schedule_one(self, pod: dict) -> None:
        uid = pod["metadata"]["uid"]
        result = schedule(pod, self._snapshot, self.cluster.rng, self._next_start)
        if self._node_order:
            self._next_start = (self._next_start + result.evaluated_nodes) % len(self._node_order)
        if result.node_name is not None:
            self._bind(pod, result.node_name)
            return
        self._attempts[uid] = self._attempts.get(uid, 0) + 1
        now = self.cluster.clock.now
        self._unschedulable[uid] = now
        self._unschedulable_version += 1
        message = result.message or ""
        self._set_condition(pod, "False", "Unschedulable", message)
        self.cluster.events.event(
            pod, "Warning", "FailedScheduling", message, self.source, action="Scheduling"
        )
        flush = math.ceil((now + MAX_IN_UNSCHEDULABLE) / FLUSH_PERIOD) * FLUSH_PERIOD
        self._retry_at(uid, flush)

    def _bind(self, pod: dict, node_name: str) -> None:
        """The binding subresource: nodeName set, PodScheduled=True, the Scheduled event."""
        meta = pod["metadata"]
        pod["spec"]["nodeName"] = node_name
        self._set_condition(pod, "True", None, None, write=False)
        self.cluster.store.modified(pod)
        self.cluster.events.event(
            pod,
            "Normal",
            "Scheduled",
            f"Successfully assigned {meta.get('namespace', 'default')}/{meta['name']} to {node_name}",
            self.source,
            action="Binding",
        )

    def _set_condition(
        self, pod: dict, status: str, reason: str | None, message: str | None, *, write: bool = True
    ) -> None:
        pod_status = pod.setdefault("status", {})
        conditions = []
        old = None
        for c in pod_status.get("conditions") or ():
            if c.get("type") != "PodScheduled":
                conditions.append(c)
            elif old is None:
                old = c
        transition = self.cluster.clock.timestamp()
        if old is not None and old.get("status") == status:
            transition = old.get("lastTransitionTime") or transition
        condition: dict = {"lastProbeTime": None, "lastTransitionTime": transition}
        if message:
            condition["message"] = message
        if reason:
            condition["reason"] = reason
        condition.update({"status": status, "type": "PodScheduled"})
        conditions.append(condition)
        new = sorted(conditions, key=_condition_order) if len(conditions) > 1 else conditions
        if new == pod_status.get("conditions"):
            return
        pod_status["conditions"] = new
        if write:
            self.cluster.store.modified(pod, status_only=True)

    def pending_reasons(self) -> dict[str, float]:
        """Unschedulable pods (by uid) and when they were last tried."""
        return dict(self._unschedulable)


def _node_name(info: NodeInfo) -> str:
    return info.name


def _condition_order(condition: dict) -> int:
    order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
    kind = condition.get("type", "")
    return order.index(kind) if kind in order else -1


def _scheduling_view(node: dict) -> tuple:
    """What about a node can make an unschedulable pod fit."""
    meta = node.get("metadata") or {}
    spec = node.get("spec") or {}
    status = node.get("status") or {}
    return (
        tuple(sorted((meta.get("labels") or {}).items())),
        bool(spec.get("unschedulable")),
        repr(spec.get("taints")),
        repr(status.get("allocatable")),
    )
