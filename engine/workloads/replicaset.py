"""The ReplicaSet controller (k/k pkg/controller/replicaset/replica_set.go): keep
spec.replicas active pods, create them in slow-start batches, delete the best candidates
first, and report status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.store import Change
from engine.workloads.base import WorkloadController, selector_of, set_status
from engine.workloads.podcontrol import BURST_REPLICAS, PodControl, slow_start_batch
from engine.workloads.podutil import (
    TERMINAL_PHASES,
    available_at,
    controller_ref,
    is_pod_available,
    pod_from_template,
    pods_prefix,
)
from engine.workloads.ranking import get_pods_to_delete
from engine.workloads.replica_counts import LABEL_BITS, ReplicaCounts, state_bits

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.labels import Selector

COMPONENT = "replicaset-controller"
# The work queue's per-item rate limiter after a failed sync (DefaultControllerRateLimiter:
# 5 ms doubling to 1000 s).
RETRY_BASE = 0.005
RETRY_MAX = 1000.0


class ReplicaSetController(WorkloadController):
    """ReplicaSetController.syncReplicaSet for every ReplicaSet."""

    name = COMPONENT
    kind = "ReplicaSet"
    from_counts = True
    """Sync from each ReplicaSet's counts (replica_counts) when they serve; a test turns
    this off to compare with syncs that list every pod."""
    bits_from_state = True
    """Refile a pod whose labels did not change from its state (_bits); a test turns this
    off to compare with bits made from the pod every time."""

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.pods = PodControl(cluster, COMPONENT)
        self._failures: dict[tuple[str, str], int] = {}
        self._pod_state: dict[str, tuple] = {}
        self._stirred: set[tuple[str, str]] = set()
        """ReplicaSets enqueued, since their last sync began, for anything but their own
        status write (see _echo)."""
        self._settled: dict[tuple[str, str], tuple[str, float]] = {}
        """ReplicaSets whose last sync ended without an error: (resourceVersion, now) then."""
        self._writing: tuple[str, str] | None = None
        self._counts: dict[str, ReplicaCounts] = {}
        """ReplicaSet uid -> its pods as counts (see replica_counts), made at its first sync."""
        cluster.store.watch(self._on_replica_set, {"ReplicaSet"})
        self.index.watch_pods(self.kind, self._on_pod)

    # -- events -----------------------------------------------------------------------------
    def enqueue(self, key: tuple[str, str]) -> None:
        self._stirred.add(key)
        super().enqueue(key)

    def _on_replica_set(self, change: Change) -> None:
        meta = change.obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        if change.type == "DELETED":
            self._failures.pop(key, None)
            self._settled.pop(key, None)
            self._counts.pop(meta.get("uid", ""), None)
            return
        if key == self._writing:
            # updateRS enqueues the ReplicaSet on every update, its own status write too.
            super().enqueue(key)
            return
        self.enqueue(key)

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        uid = pod["metadata"].get("uid", "")
        if change.type == "DELETED":
            if self._counts:
                self._recount(change, uid)
            self._pod_state.pop(uid, None)
            self.enqueue_owner_of_pod(pod)
            return
        ref = controller_ref(pod)
        if ref is None:
            if self._counts:
                self._recount(change, uid)
            if self.index.orphan_changed(uid):
                self.enqueue_matching(pod)
            previous = self.index.previous_controller(uid)
            if previous is not None:
                self.enqueue_owner_of_pod(pod)
            return
        # Kubelet status updates come often; only what the ReplicaSet counts wakes it.
        before = self._pod_state.get(uid)
        state = _pod_state(pod, before)
        owner_uid = ref.get("uid")
        previous = self.index.previous_controller(uid)
        if previous != owner_uid:
            if self._counts:
                self._refile(uid, previous, owner_uid, pod)
            self._pod_state[uid] = state
            self.enqueue_owner_of_pod(pod)
            return
        if before == state:
            # The counts' bits are made of what the state holds: nothing to count again.
            return
        if self._counts:
            # _recount's case of the same controller before and after: file it again there.
            counts = self._counts.get(owner_uid or "")
            if counts is not None:
                counts.put(uid, self._bits(counts, uid, before, state, pod))
        self._pod_state[uid] = state
        # The same controller as before (enqueue_owner_of_pod's common case, inlined: every
        # pod of a rollout passes here several times).
        if ref.get("kind") == self.kind:
            owner = self.store.get_by_uid(owner_uid or "")
            if owner is not None and owner["kind"] == self.kind:
                meta = owner["metadata"]
                self.enqueue((meta.get("namespace", ""), meta["name"]))

    def _bits(
        self, counts: ReplicaCounts, uid: str, before: tuple | None, state: tuple, pod: dict
    ) -> int:
        """counts.bits(pod), from the pod's state when its labels are as in the state its
        bits were filed with: which labels match (selector, template) cannot have changed,
        and what can (active, ready) is in the state. A rollout writes each pod several
        times (bound, started, ready, deleted), its labels the same every time."""
        filed = counts.pods.get(uid)
        if filed is None or before is None or not self.bits_from_state or before[3] != state[3]:
            return counts.bits(pod)
        return (filed & LABEL_BITS) | state_bits(state[0], state[1], state[2])

    def _recount(self, change: Change, uid: str) -> None:
        """Keep the counts of the pod's ReplicaSet (before and after the change) true."""
        previous = self.index.previous_controller(uid)
        current = None
        if change.type != "DELETED":
            ref = controller_ref(change.obj)
            if ref is not None:
                current = ref.get("uid")
        self._refile(uid, previous, current, change.obj)

    def _refile(self, uid: str, previous: str | None, current: str | None, pod: dict) -> None:
        """Take the pod out of its previous controller's counts, file it in its current's."""
        if previous is not None and previous != current:
            counts = self._counts.get(previous)
            if counts is not None:
                counts.drop(uid)
        if current is not None:
            counts = self._counts.get(current)
            if counts is not None:
                counts.put(uid, counts.bits(pod))

    # -- sync -------------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        rs = self.get(key)
        if rs is None:
            self._settled.pop(key, None)
            return
        if self._echo(key, rs):
            return
        self._stirred.discard(key)
        self._settled.pop(key, None)
        selector = selector_of(rs)
        counts = self._counts_for(rs, selector)
        if counts is not None:
            active = None
            # The totals before any pod is created: calculateStatus counts the pods listed
            # before manageReplicas.
            totals = (counts.active, counts.fully_labeled, counts.ready)
            error = self._create_missing(rs, counts.active)
            status = self._status(rs, *totals, totals[2], error)
        else:
            active = _active(self.claim_pods(rs, selector))
            error = None
            if not rs["metadata"].get("deletionTimestamp"):
                error = self.manage_replicas(rs, active)
            status = self.calculate_status(rs, active, error)
        self._writing = key
        try:
            set_status(rs, status, self.cluster)
        finally:
            self._writing = None
        if error is not None:
            failures = self._failures.get(key, 0)
            self._failures[key] = failures + 1
            self.enqueue_after(key, min(RETRY_BASE * 2**failures, RETRY_MAX))
        else:
            self._failures.pop(key, None)
        if active is not None:
            self._requeue_for_availability(rs, active)
        if error is None:
            self._settled[key] = (rs["metadata"].get("resourceVersion", ""), self.now)

    def _echo(self, key: tuple[str, str], rs: dict) -> bool:
        """Whether this sync was asked for only by the last one's own status write, at the
        same instant: nothing it reads has changed since (a pod change, a change to the
        ReplicaSet by anyone else, a retry would have stirred it), so it would find the
        pods it just counted, create and delete none, and write the status it just wrote.

        In a rollout every sync that moves a count is followed by such a sync, which scans
        every pod of the ReplicaSet again for nothing.
        """
        return key not in self._stirred and self._settled.get(key) == (
            rs["metadata"].get("resourceVersion", ""),
            self.now,
        )

    def _counts_for(self, rs: dict, selector: Selector | None) -> ReplicaCounts | None:
        """The ReplicaSet's counts, when a sync may be made from them: the pods it would
        claim are the pods it controls (none to release, no orphan to adopt), it will not
        delete any, and availability does not wait on minReadySeconds (a matter of time,
        not of changes)."""
        meta = rs["metadata"]
        spec = rs["spec"]
        if (
            not self.from_counts
            or selector is None
            or meta.get("deletionTimestamp")
            or spec.get("minReadySeconds")
        ):
            return None
        uid = meta["uid"]
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        counts = self._counts.get(uid)
        controlled = self.index.controlled.get(uid, ())
        if (
            counts is None
            or not counts.made_for(selector, labels)
            or len(counts.pods) != len(controlled)
        ):
            counts = self._counts[uid] = ReplicaCounts(selector, dict(labels))
            for pod in self.index.controlled_by(uid, "Pod"):
                counts.put(pod["metadata"]["uid"], counts.bits(pod))
            if len(counts.pods) != len(controlled):
                return None  # it controls more than pods: list them
        if counts.unmatched or counts.active > int(spec.get("replicas") or 0):
            return None
        for pod in self.index.orphans(meta.get("namespace", "")):
            orphan = pod["metadata"]
            if not orphan.get("deletionTimestamp") and selector.matches(orphan.get("labels") or {}):
                return None
        return counts

    def _create_missing(self, rs: dict, active: int) -> str | None:
        """manageReplicas short of pods: create up to the burst, in slow-start batches."""
        desired = int(rs["spec"].get("replicas") or 0)
        if active >= desired:
            return None
        count = min(desired - active, BURST_REPLICAS)
        template = rs["spec"].get("template") or {}
        errors: list[str] = []

        def create_one() -> bool:
            pod = pod_from_template(template, rs, pods_prefix(rs["metadata"]["name"]))
            _, err = self.pods.create(pod, rs)
            if err is not None:
                errors.append(err.message)
                return False
            return True

        slow_start_batch(count, create_one)
        return errors[0] if errors else None

    def manage_replicas(self, rs: dict, active: list[dict]) -> str | None:
        """manageReplicas: create or delete the difference; returns the error, if any."""
        desired = int(rs["spec"].get("replicas") or 0)
        diff = len(active) - desired
        if diff < 0:
            return self._create_missing(rs, len(active))
        if diff > 0:
            count = min(diff, BURST_REPLICAS)
            related = self._related_pods(rs, active)
            victims = get_pods_to_delete(active, related, count, self.now, self.seconds)
            for pod in victims:
                err = self.pods.delete(pod, rs)
                if err is not None:
                    return err.message
        return None

    def _related_pods(self, rs: dict, own: list[dict]) -> list[dict]:
        """getIndirectlyRelatedPods: the pods of every ReplicaSet with the same controller."""
        ref = controller_ref(rs)
        if ref is None:
            return own
        related: list[dict] = []
        for sibling in self.index.controlled_by(ref.get("uid", ""), "ReplicaSet"):
            related.extend(self.index.controlled_by(sibling["metadata"]["uid"], "Pod"))
        return related

    def calculate_status(self, rs: dict, active: list[dict], error: str | None) -> dict:
        """calculateStatus: counts of active, fully labeled, ready and available pods."""
        template_labels = ((rs["spec"].get("template") or {}).get("metadata") or {}).get(
            "labels"
        ) or {}
        min_ready = int(rs["spec"].get("minReadySeconds") or 0)
        fully_labeled = ready = available = 0
        wanted = tuple(template_labels.items())
        for pod in active:
            labels = pod["metadata"].get("labels") or {}
            for key, value in wanted:
                if labels.get(key) != value:
                    break
            else:
                fully_labeled += 1
            # IsPodReady, inlined (every sync asks it of every pod).
            for condition in (pod.get("status") or {}).get("conditions") or ():
                if condition.get("type") == "Ready":
                    pod_ready = condition.get("status") == "True"
                    break
            else:
                pod_ready = False
            if pod_ready:
                ready += 1
                # IsPodAvailable is IsPodReady and, with minReadySeconds, long enough ago.
                if not min_ready or is_pod_available(pod, min_ready, self.now, self.clock):
                    available += 1
        return self._status(rs, len(active), fully_labeled, ready, available, error)

    def _status(
        self,
        rs: dict,
        replicas: int,
        fully_labeled: int,
        ready: int,
        available: int,
        error: str | None,
    ) -> dict:
        """calculateStatus from the counts."""
        status: dict = {"replicas": replicas}
        if fully_labeled:
            status["fullyLabeledReplicas"] = fully_labeled
        if ready:
            status["readyReplicas"] = ready
        if available:
            status["availableReplicas"] = available
        generation = rs["metadata"].get("generation")
        if generation:
            status["observedGeneration"] = generation
        conditions = list((rs.get("status") or {}).get("conditions") or [])
        failure = next((c for c in conditions if c.get("type") == "ReplicaFailure"), None)
        if error is not None and failure is None:
            desired = int(rs["spec"].get("replicas") or 0)
            reason = "FailedCreate" if replicas < desired else "FailedDelete"
            conditions.append(
                {
                    "lastTransitionTime": self.timestamp(),
                    "message": error,
                    "reason": reason,
                    "status": "True",
                    "type": "ReplicaFailure",
                }
            )
        elif error is None and failure is not None:
            conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
        if conditions:
            status["conditions"] = conditions
        return status

    def _requeue_for_availability(self, rs: dict, active: list[dict]) -> None:
        """Ready pods become available after minReadySeconds: sync again then."""
        min_ready = int(rs["spec"].get("minReadySeconds") or 0)
        if not min_ready:
            return
        soonest = None
        for pod in active:
            at = available_at(pod, min_ready, self.clock)
            if at is None or at < self.now:
                continue
            if soonest is None or at < soonest:
                soonest = at
        if soonest is not None:
            # Available once strictly after ready + minReadySeconds: the next whole second.
            self.enqueue_obj_after(rs, soonest + 1 - self.now)


def _active(pods: list[dict]) -> list[dict]:
    """controller.FilterActivePods: neither Succeeded nor Failed, nor being deleted
    (is_pod_active inlined: every sync filters every pod of its ReplicaSet)."""
    active = []
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        status = pod.get("status")
        if status and status.get("phase") in TERMINAL_PHASES:
            continue
        active.append(pod)
    return active


def _pod_state(pod: dict, before: tuple | None = None) -> tuple:
    """What of a pod the ReplicaSet's decisions and status depend on (`before`: its state
    at its last change, whose copy of the labels is kept when they have not changed)."""
    meta = pod["metadata"]
    status = pod.get("status") or {}
    ready = None
    for condition in status.get("conditions") or ():
        if condition.get("type") == "Ready":
            seen = (condition.get("status"), condition.get("lastTransitionTime"))
            # More than one Ready condition (never the kubelet's): all of them, as the
            # status counts the first (the state is what the counts' bits are made of).
            ready = seen if ready is None else (*ready, *seen)
    # The labels as a copy of the dict: compared with ==, as a set of pairs (cheaper than
    # a sorted tuple of them, and as exact).
    labels = meta.get("labels") or {}
    if before is not None and before[3] == labels:
        labels = before[3]  # the same copy: a state compared with `before` meets it by identity
    else:
        labels = labels.copy()  # copy(): keeps a pod's key-sharing dict small
    return (
        status.get("phase"),
        ready,
        meta.get("deletionTimestamp"),
        labels,
        (pod.get("spec") or {}).get("nodeName"),
    )
