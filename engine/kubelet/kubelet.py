"""The kubelet of one node: registers the Node, posts its status, renews its Lease, and runs a
pod worker for every pod bound to it."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from engine.containers import behavior as behaviors
from engine.containers import images as catalog
from engine.events import Source
from engine.kubelet.backoff import Backoff
from engine.kubelet.image_puller import ImagePuller
from engine.kubelet.images import ImageManager
from engine.kubelet.node_status import (
    LEASE_DURATION_SECONDS,
    NODE_STATUS_REPORT_FREQUENCY,
    NODE_STATUS_UPDATE_FREQUENCY,
    node_status,
)
from engine.kubelet.runtime import IPAllocator
from engine.kubelet.worker import PodWorker
from engine.quantity import cpu_millis, memory_bytes
from engine.scheduler import pod_requests
from engine.shell.fs import Volume
from engine.timeutil import format_micro_time

if TYPE_CHECKING:
    from engine.clock import Batch, Clock
    from engine.cluster import Cluster

PAUSE_IMAGE = "registry.k8s.io/pause:3.10"


class Kubelet:
    """One node's agent."""

    def __init__(self, cluster: Cluster, node_name: str, index: int) -> None:
        self.cluster = cluster
        self.node_name = node_name
        self.index = index
        self.source = Source("kubelet", node_name)
        self.running = True
        self.workers: dict[str, PodWorker] = {}
        self.images = ImageManager()
        self.image_puller = ImagePuller(self.images)
        self.backoff = Backoff()
        node = cluster.store.get("Node", "", node_name) or {}
        cidr = (node.get("spec") or {}).get("podCIDR") or f"10.244.{index}.0/24"
        self.pod_cidr = cidr
        self.ips = IPAllocator(cidr)
        self.host_ip = _internal_ip(node) or f"172.18.0.{index + 2}"
        self._last_report: float | None = None
        # (node, resourceVersion, images present) when a check last found nothing to post:
        # the status is a function of those, so while they stay the next check would also
        # find nothing (heartbeat times move only when a post is due).
        self._unchanged: tuple[dict, object, dict[str, int]] | None = None
        self._admitted: dict[str, dict[str, int]] = {}
        self._host_paths: dict[str, Volume] = {}
        self.admitted_pods = 0
        self.admitted_requests: dict[str, int] = {}
        self._heartbeat_timer: Batch | None = None
        self._heartbeats = 0  # the heartbeat loops' generation: stop() ends the current one
        # What each heartbeat timer is handed: this kubelet and that generation (one tuple
        # per generation, not one per period of each loop).
        self._beat = (self, 0)
        self.images.present[PAUSE_IMAGE] = 321520

    # -- identity -------------------------------------------------------------------------
    def new_id(self) -> str:
        return f"{self.cluster.rng.getrandbits(256):064x}"

    def pull_seconds(self, container: dict, ref: object, pod: dict) -> float:
        """How long a pull takes: the behaviour annotation's pullTime, else the catalog's."""
        annotations = pod["metadata"].get("annotations") or {}
        text = annotations.get(behaviors.ANNOTATION_PREFIX + container["name"])
        if text:
            try:
                pull_time = behaviors.parse_behavior(str(text)).pull_time
            except behaviors.BehaviorError:
                pull_time = None
            if pull_time is not None:
                return float(pull_time)
        return float(catalog.pull_seconds(ref))

    def host_path(self, path: str) -> Volume:
        """A hostPath volume: the same directory for every pod on this node."""
        volume = self._host_paths.get(path)
        if volume is None:
            volume = self._host_paths[path] = Volume()
        return volume

    # -- the node object ------------------------------------------------------------------
    def register(self) -> None:
        """Post the node's first status and start the heartbeat loops."""
        self._starting_events()
        self.post_status(force=True)
        self.renew_lease()
        self._schedule_heartbeat()

    def _starting_events(self) -> None:
        """What `kubectl describe node` shows of a kubelet (re)starting: the kubelet records each
        node condition it finds, as a fresh process, then NodeReady."""
        # The kubelet's node reference carries the node name as its UID (kubelet.nodeRef).
        ref = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": self.node_name, "uid": self.node_name},
        }
        name = self.node_name
        record = self.cluster.events.event
        record(ref, "Normal", "Starting", "Starting kubelet.", self.source)
        for reason in ("NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID"):
            record(ref, "Normal", reason, f"Node {name} status is now: {reason}", self.source)
        record(
            ref,
            "Normal",
            "NodeAllocatableEnforced",
            "Updated Node Allocatable limit across pods",
            self.source,
        )
        record(ref, "Normal", "NodeReady", f"Node {name} status is now: NodeReady", self.source)

    def post_status(self, *, force: bool = False) -> None:
        """tryUpdateNodeStatus: write when something changed or the report period passed."""
        store = self.cluster.store
        node = store.get("Node", "", self.node_name)
        if node is None or not self.running:
            return
        now = self.cluster.clock.now
        due = self._last_report is None or now - self._last_report >= NODE_STATUS_REPORT_FREQUENCY
        rv = node["metadata"].get("resourceVersion")
        unchanged = self._unchanged
        if (
            not (force or due)
            and unchanged is not None
            and unchanged[0] is node
            and unchanged[1] == rv
            and unchanged[2] == self.images.present
        ):
            return
        new_status = node_status(self, node, heartbeat=force or due)
        old = node.get("status") or {}
        # An equal status differs in nothing (the common case: skip _differs' copies).
        if force or due or (new_status != old and _differs(old, new_status)):
            if not (force or due):
                new_status = node_status(self, node, heartbeat=True)
            node["status"] = new_status
            self._last_report = now
            self._unchanged = None
            store.modified(node)
        else:
            self._unchanged = (node, rv, dict(self.images.present))

    def _schedule_heartbeat(self) -> None:
        # The status check (nodeStatusUpdateFrequency) and the lease renewal (0.25 x
        # leaseDurationSeconds) are both due every 10 s from the same start, the check
        # first: one timer runs both, in that order. The nodes that registered together
        # beat at the same instants, one after another: one timer for all of them
        # (call_batched keeps their order), not two timers a node taking turns.
        clock = self.cluster.clock
        self._heartbeat_timer = clock.call_batched(
            clock.now + HEARTBEAT_PERIOD, _heartbeat_tick, self._beat
        )

    def renew_lease(self) -> None:
        """The node heartbeat: renew kube-node-lease/<node> (every 10 s, _heartbeat_tick)."""
        if not self.running:
            return
        store = self.cluster.store
        moment = _renew_time(self.cluster.clock)
        lease = store.get("Lease", "kube-node-lease", self.node_name)
        if lease is None:
            node = store.get("Node", "", self.node_name)
            lease = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": self.node_name, "namespace": "kube-node-lease"},
                "spec": {
                    "holderIdentity": self.node_name,
                    "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                    "renewTime": moment,
                },
            }
            if node is not None:
                lease["metadata"]["ownerReferences"] = [
                    {
                        "apiVersion": "v1",
                        "kind": "Node",
                        "name": self.node_name,
                        "uid": node["metadata"]["uid"],
                    }
                ]
            store.add(lease)
        else:
            lease["spec"]["renewTime"] = moment
            store.modified(lease)

    def stop(self) -> None:
        """The kubelet stops (nodeDown): no heartbeats, no syncs; containers keep running."""
        self.running = False
        # The heartbeats already queued do nothing now, even if the kubelet starts again
        # before their time (a cancelled timer never runs).
        self._heartbeats += 1
        self._beat = (self, self._heartbeats)
        if self._heartbeat_timer is not None:
            self._heartbeat_timer.drop()
            self._heartbeat_timer = None

    def start(self) -> None:
        """The kubelet comes back (nodeUp): heartbeats resume and every pod is synced."""
        if self.running:
            return
        self.running = True
        self._starting_events()
        self.post_status(force=True)
        self.renew_lease()
        self._schedule_heartbeat()
        for uid, worker in list(self.workers.items()):
            live = self.cluster.store.get_by_uid(uid)
            if live is None:
                worker.pod_removed()
                del self.workers[uid]
            else:
                # What the pod's next delivery would have set: the kubelet's own status
                # writes are not delivered to its pod handler (Cluster._on_pod).
                worker.sync_view = _sync_view(live)
                worker.pod_updated(live)

    # -- pods -----------------------------------------------------------------------------
    def pod_changed(self, pod: dict) -> None:
        uid = pod["metadata"]["uid"]
        worker = self.workers.get(uid)
        if worker is None:
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                return
            worker = PodWorker(self, pod)
            self.workers[uid] = worker
            if not self.running:
                return
            rejection = self._admit(pod)
            if rejection is not None:
                self._reject(worker, *rejection)
                return
        view = _sync_view(pod) if self.running else None
        if view is not None and worker.sync_view != view:
            worker.sync_view = view
            worker.pod_updated(pod)
        else:
            worker.pod = pod

    def pod_deleted(self, pod: dict) -> None:
        worker = self.workers.pop(pod["metadata"]["uid"], None)
        self.pod_finished(pod["metadata"]["uid"])
        if worker is not None:
            worker.pod_removed()

    def _admit(self, pod: dict) -> tuple[str, str] | None:
        """The kubelet's own admission (canAdmitPod): resources must fit on the node."""
        node = self.cluster.store.get("Node", "", self.node_name)
        if node is None:
            return None
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        wanted = pod_requests(pod)
        pods_allowed = int(allocatable.get("pods", 110))
        if self.admitted_pods + 1 > pods_allowed:
            return (
                "OutOfpods",
                f"Node didn't have enough resource: pods, requested: 1, used: {self.admitted_pods}, capacity: {pods_allowed}",
            )
        if wanted:
            # Parsed only for a pod that requests something (most pods of a big cluster don't).
            capacity = {
                "cpu": cpu_millis(allocatable.get("cpu", "0")),
                "memory": memory_bytes(allocatable.get("memory", "0")),
            }
            for name in ("cpu", "memory"):
                need = wanted.get(name, 0)
                used = self.admitted_requests.get(name, 0)
                if need and used + need > capacity[name]:
                    return (
                        f"OutOf{name}",  # predicate.go: fmt.Sprintf("OutOf%s", re.ResourceName)
                        f"Node didn't have enough resource: {name}, requested: {need}, used: {used}, capacity: {capacity[name]}",
                    )
        self._count(pod["metadata"]["uid"], wanted, +1)
        return None

    def _count(self, uid: str, requests: dict[str, int], sign: int) -> None:
        """Keep the running totals of what admitted, unfinished pods request."""
        if sign > 0:
            self._admitted[uid] = requests
        else:
            # What the pod was admitted with (callers that uncount it do not know).
            admitted = self._admitted.pop(uid, None)
            if admitted is None:
                return
            requests = admitted
        self.admitted_pods += sign
        for name, value in requests.items():
            self.admitted_requests[name] = self.admitted_requests.get(name, 0) + sign * value

    def pod_finished(self, uid: str) -> None:
        """A pod reached a terminal phase or left the node: it no longer uses resources."""
        self._count(uid, {}, -1)

    def _reject(self, worker: PodWorker, reason: str, message: str) -> None:
        worker.status_reason = reason
        worker.status_message = f"Pod was rejected: {message}"
        worker.event("Warning", reason, worker.status_message)
        worker.terminal = True
        pod = worker.pod
        status = copy.deepcopy(pod.get("status") or {})
        status.update({"phase": "Failed", "reason": reason, "message": worker.status_message})
        pod["status"] = status
        # Announced as a full write although only .status changed: the pod handler, which
        # is not told of status-only writes (Cluster._on_pod), starts the rejected pod's
        # one sync when told of this write (its sync_view is still unset), at this write's
        # turn as for any other pod change.
        self.cluster.store.modified(pod)


HEARTBEAT_PERIOD = NODE_STATUS_UPDATE_FREQUENCY
# One timer serves both loops only while their periods are equal.
assert LEASE_DURATION_SECONDS * 0.25 == HEARTBEAT_PERIOD


def _heartbeat_tick(item: tuple[Kubelet, int]) -> None:
    """Every 10 s: the node status check (nodeStatusUpdateFrequency), the lease renewal
    (0.25 x leaseDurationSeconds), then the next beat."""
    kubelet, generation = item
    if generation != kubelet._heartbeats:
        return  # stopped since
    kubelet._heartbeat_timer = None
    if not kubelet.running:
        return
    kubelet.post_status()
    kubelet.renew_lease()
    kubelet._schedule_heartbeat()


def _sync_view(pod: dict) -> tuple:
    """What about a pod makes its worker sync: the kubelet's pod config ignores updates
    that only change status (the kubelet's own writes among them)."""
    meta = pod["metadata"]
    return (
        id(pod.get("spec")),
        meta.get("deletionTimestamp"),
        meta.get("deletionGracePeriodSeconds"),
        id(meta.get("labels")),
        id(meta.get("annotations")),
    )


def _internal_ip(node: dict) -> str | None:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            return address.get("address")
    return None


_LAST_RENEW_TIME: list = [None, ""]  # [(start, now), renewTime]


def _renew_time(clock: Clock) -> str:
    """The lease's renewTime now (a pure function of the clock's start and now): nodes
    that registered in the same second renew at the same instants, so the last one
    formatted is nearly always the one asked for."""
    key = (clock.start, clock.now)
    if _LAST_RENEW_TIME[0] != key:
        _LAST_RENEW_TIME[0] = key
        _LAST_RENEW_TIME[1] = format_micro_time(clock.now_datetime())
    return _LAST_RENEW_TIME[1]


def _differs(old: dict, new: dict) -> bool:
    """Whether anything but heartbeat times changed."""

    def strip(status: dict) -> dict:
        copied = dict(status)
        copied["conditions"] = [
            {k: v for k, v in c.items() if k != "lastHeartbeatTime"}
            for c in status.get("conditions") or []
        ]
        return copied

    return strip(old) != strip(new)
