"""The taint eviction controller: deletes pods that do not tolerate a node's NoExecute taints
(k8s.io/kubernetes/pkg/controller/tainteviction/taint_eviction.go).

A pod that does not tolerate every NoExecute taint on its node is deleted at once; one that
tolerates them all for a while (tolerationSeconds, 300 s from DefaultTolerationSeconds) is
deleted when the shortest of the tolerations it uses runs out, counted from when the
controller first saw the taint; a toleration without tolerationSeconds tolerates forever.
Removing the taints cancels the deletion. The pod gets DisruptionTarget=True (reason
DeletionByTaintManager) and a normal graceful DELETE; on a node whose kubelet is gone it then
stays Terminating until the node comes back.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.api import errors
from engine.clock import Timer
from engine.controllers.base import QueueController
from engine.disruption.podutil import (
    DELETION_BY_TAINT_MANAGER,
    DISRUPTION_TARGET,
    TAINT_MANAGER_MESSAGE,
    update_pod_condition,
)
from engine.events import Source
from engine.store import Change
from engine.tolerations import NO_EXECUTE, Taint, Toleration, toleration_tolerates_taint

if TYPE_CHECKING:
    from engine.cluster import Cluster

CONTROLLER_NAME = "taint-eviction-controller"
SOURCE = Source(CONTROLLER_NAME)


def no_execute_taints(taints: Iterable[Taint] | None) -> list[dict]:
    """getNoExecuteTaints."""
    return [dict(t) for t in taints or () if t.get("effect") == NO_EXECUTE]


def matching_tolerations(
    taints: list[Taint], tolerations: list[Toleration] | None
) -> tuple[bool, list[Toleration]]:
    """GetMatchingTolerations: (every taint tolerated?, the first toleration for each taint)."""
    if not taints:
        return True, []
    tolerations = tolerations or []
    if not tolerations:
        return False, []
    used: list[Toleration] = []
    for taint in taints:
        match = next((t for t in tolerations if toleration_tolerates_taint(t, taint)), None)
        if match is None:
            return False, []
        used.append(match)
    return True, used


def min_toleration_time(tolerations: list[Toleration]) -> float:
    """getMinTolerationTime: seconds; 0 = now, -1 = forever."""
    if not tolerations:
        return 0.0
    shortest = math.inf
    for toleration in tolerations:
        seconds = toleration.get("tolerationSeconds")
        if seconds is None:
            continue
        if seconds <= 0:
            return 0.0
        shortest = min(shortest, float(seconds))
    return -1.0 if math.isinf(shortest) else shortest


@dataclass
class _Work:
    """A TimedWorker: deletion of one pod scheduled at `fire_at`; None timer once it ran."""

    created_at: float
    fire_at: float
    timer: Timer | None


class TaintEvictionController(QueueController):
    """NoExecute taints → pod deletions, with the TaintManagerEviction events."""

    name = CONTROLLER_NAME

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.store = cluster.store
        self.events = cluster.events
        self.tainted_nodes: dict[str, list[dict]] = {}
        self.work: dict[tuple[str, str], _Work] = {}
        self._node_taints: dict[str, list[dict]] = {}
        self._pod_view: dict[tuple[str, str], tuple] = {}
        self._pods_on: dict[str, set[tuple[str, str]]] = {}
        self.store.watch(self._on_node, {"Node"})
        # Reads a pod's nodeName and tolerations only: its status writes are no-ops here.
        self.store.watch(self._on_pod, {"Pod"}, status_writes=False)

    # -- watches (NodeUpdated / PodUpdated) -----------------------------------------------------
    def _on_node(self, change: Change) -> None:
        name = change.obj["metadata"]["name"]
        taints = (
            []
            if change.type == "DELETED"
            else no_execute_taints((change.obj.get("spec") or {}).get("taints"))
        )
        if change.type == "MODIFIED" and self._node_taints.get(name, []) == taints:
            return
        self._node_taints[name] = taints
        self.enqueue(("node", name))

    def _on_pod(self, change: Change) -> None:
        meta = change.obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        spec = change.obj.get("spec") or {}
        tolerations = spec.get("tolerations")
        old = self._pod_view.get(key)
        if not tolerations:
            text = "[]"
        elif old is not None and old[2] is tolerations:
            # The list seen last time (a stored pod's tolerations are replaced, never
            # changed in place), so its text too: most changes are status writes.
            text = old[1]
        else:
            # Interned: pods made alike (the default tolerations) keep one copy of the text.
            text = sys.intern(repr(tolerations))
        view = (spec.get("nodeName") or "", text, tolerations)
        if change.type == "DELETED":
            self._pod_view.pop(key, None)
        elif old is not None and old[0] == view[0] and old[1] == text:
            if old[2] is not tolerations:
                self._pod_view[key] = view  # the same text, from the pod's new list
            return
        else:
            self._pod_view[key] = view
        if old is not None and old[0]:
            self._pods_on.get(old[0], set()).discard(key)
        if change.type != "DELETED" and view[0]:
            self._pods_on.setdefault(view[0], set()).add(key)
        self.enqueue(("pod", *key, view[0]))

    def sync(self, key: tuple) -> None:
        if key[0] == "node":
            self._handle_node_update(key[1])
        else:
            self._handle_pod_update(key[1], key[2], key[3])

    # -- handlers -----------------------------------------------------------------------------
    def _handle_node_update(self, name: str) -> None:
        node = self.store.get("Node", "", name)
        if node is None:
            self.tainted_nodes.pop(name, None)
            return
        taints = no_execute_taints((node.get("spec") or {}).get("taints"))
        if taints:
            self.tainted_nodes[name] = taints
        else:
            self.tainted_nodes.pop(name, None)
        pods = [
            pod
            for key in sorted(self._pods_on.get(name, ()))
            if (pod := self.store.get("Pod", *key)) is not None
        ]
        if not taints:
            for pod in pods:
                self._cancel_work(pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
            return
        now = self.cluster.clock.now
        for pod in pods:
            meta = pod["metadata"]
            self._process_pod_on_node(
                meta.get("namespace", ""),
                meta["name"],
                (pod.get("spec") or {}).get("tolerations"),
                taints,
                now,
            )

    def _handle_pod_update(self, namespace: str, name: str, node_name: str) -> None:
        pod = self.store.get("Pod", namespace, name)
        if pod is None:
            self._cancel_work(namespace, name)
            return
        spec = pod.get("spec") or {}
        if spec.get("nodeName", "") != node_name or not node_name:
            return
        taints = self.tainted_nodes.get(node_name)
        if taints is None:
            return
        self._process_pod_on_node(
            namespace, name, spec.get("tolerations"), taints, self.cluster.clock.now
        )

    def _process_pod_on_node(
        self, namespace: str, name: str, tolerations: list | None, taints: list[dict], now: float
    ) -> None:
        """processPodOnNode: delete now, later, or never."""
        key = (namespace, name)
        if not taints:
            self._cancel_work(namespace, name)
        all_tolerated, used = matching_tolerations(taints, tolerations)
        if not all_tolerated:
            self._cancel_work(namespace, name)
            self._add_work(key, now, now)
            return
        minimum = min_toleration_time(used)
        if minimum < 0:
            self._cancel_work(namespace, name)
            return
        start = now
        trigger = start + minimum
        scheduled = self.work.get(key)
        if scheduled is not None and scheduled.timer is not None:
            start = scheduled.created_at
            if start + minimum < trigger:
                return
            self._cancel_work(namespace, name)
        self._add_work(key, start, trigger)

    # -- the TimedWorkerQueue -----------------------------------------------------------------
    def _add_work(self, key: tuple[str, str], created_at: float, fire_at: float) -> None:
        if key in self.work:
            return  # already scheduled, or already done (kept to prevent a second delete)
        work = _Work(created_at, fire_at, None)
        work.timer = self.cluster.clock.call_at(fire_at, lambda: self._fire(key, work))
        self.work[key] = work

    def _cancel_work(self, namespace: str, name: str) -> None:
        """cancelWorkWithEvent: the Cancelling event only if a deletion was still pending."""
        work = self.work.pop((namespace, name), None)
        if work is None or work.timer is None:
            return
        work.timer.cancel()
        self.events.event(
            _pod_ref(namespace, name),
            "Normal",
            "TaintManagerEviction",
            f"Cancelling deletion of Pod {namespace}/{name}",
            SOURCE,
        )

    def _fire(self, key: tuple[str, str], work: _Work) -> None:
        """deletePodHandler: the event, then addConditionAndDeletePod."""
        if self.work.get(key) is not work:
            return
        namespace, name = key
        self.events.event(
            _pod_ref(namespace, name),
            "Normal",
            "TaintManagerEviction",
            f"Marking for deletion Pod {namespace}/{name}",
            SOURCE,
        )
        work.timer = None
        pod = self.store.get("Pod", namespace, name)
        if pod is None:
            self.work.pop(key, None)
            return
        status = pod.setdefault("status", {})
        if update_pod_condition(
            status,
            {
                "type": DISRUPTION_TARGET,
                "status": "True",
                "reason": DELETION_BY_TAINT_MANAGER,
                "message": TAINT_MANAGER_MESSAGE,
            },
            self.cluster.clock.timestamp(),
        ):
            self.store.modified(pod)
        try:
            self.cluster.api.delete("Pod", namespace, name)
        except errors.APIError:
            self.work.pop(key, None)

    def scheduled_evictions(self) -> dict[tuple[str, str], float]:
        """(namespace, name) -> when the pod will be deleted, for pods still waiting."""
        return {key: w.fire_at for key, w in self.work.items() if w.timer is not None}


def _pod_ref(namespace: str, name: str) -> dict:
    """The ObjectReference upstream builds for its events: no UID."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace}}
