"""The kubelet's two 10 s loops, the node status check (nodeStatusUpdateFrequency) and the
lease renewal (0.25 x leaseDurationSeconds), run from one timer a beat: status check first,
then the lease (kubelet.py `_heartbeat_tick`). Upstream: pkg/kubelet/kubelet.go starts
syncNodeStatus every nodeStatusUpdateFrequency and the node lease controller
(pkg/kubelet/nodelease) renews every leaseDurationSeconds x 0.25; both default to 10 s.
"""

from __future__ import annotations

from engine import actions
from engine.clock import Batch
from engine.cluster import Cluster, default_node
from engine.kubelet.kubelet import _heartbeat_tick
from engine.kubelet.node_status import (
    LEASE_DURATION_SECONDS,
    NODE_STATUS_REPORT_FREQUENCY,
    NODE_STATUS_UPDATE_FREQUENCY,
)


def _cluster(nodes: int) -> Cluster:
    cluster = Cluster(seed=0)
    cluster.boot(default_nodes=False)
    for index in range(nodes):
        cluster.api.create(default_node(f"node-{index + 1}"))
    return cluster


def _renew_time(cluster: Cluster, node: str) -> str:
    lease = cluster.store.get("Lease", "kube-node-lease", node)
    assert lease is not None
    return lease["spec"]["renewTime"]


def test_the_status_check_and_the_lease_renewal_share_a_period() -> None:
    # One timer can run both loops only while their periods are the same.
    assert NODE_STATUS_UPDATE_FREQUENCY == LEASE_DURATION_SECONDS * 0.25 == 10.0


def test_the_lease_is_renewed_every_ten_seconds() -> None:
    cluster = _cluster(2)
    stamps = []
    for t in (5, 15, 25, 35):
        cluster.run_until(t)
        stamps.append(_renew_time(cluster, "node-2"))
    assert len(set(stamps)) == 4
    assert stamps == sorted(stamps)


def test_nodes_that_registered_together_beat_in_one_batch() -> None:
    cluster = _cluster(5)
    heartbeats = [
        timer
        for _, timer in cluster.clock.due_timers()
        if type(timer) is Batch and timer.run is _heartbeat_tick
    ]
    # Five nodes, one beat each, all at the same instant: one batch of five, in order.
    assert len(set(map(id, heartbeats))) == 1
    assert [kubelet.node_name for kubelet, _ in heartbeats[0].items] == [
        f"node-{i}" for i in range(1, 6)
    ]


def test_each_beat_checks_the_node_status_before_renewing_the_lease() -> None:
    cluster = _cluster(1)
    # The report period forces a status post at this beat: both objects are written, the
    # Node first (the order the two loops started in at registration).
    cluster.run_until(NODE_STATUS_REPORT_FREQUENCY)
    node = cluster.store.get("Node", "", "node-1")
    lease = cluster.store.get("Lease", "kube-node-lease", "node-1")
    assert node is not None and lease is not None
    node_rv = int(node["metadata"]["resourceVersion"])
    lease_rv = int(lease["metadata"]["resourceVersion"])
    assert lease_rv > node_rv
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert ready["lastHeartbeatTime"] == cluster.clock.timestamp()


def test_a_stopped_kubelet_neither_posts_status_nor_renews_its_lease() -> None:
    cluster = _cluster(2)
    cluster.run_until(12)
    actions.inject(cluster, "nodeDown", node="node-1")
    before = _renew_time(cluster, "node-1")
    cluster.run_until(60)
    assert _renew_time(cluster, "node-1") == before
    assert _renew_time(cluster, "node-2") != before
    actions.inject(cluster, "nodeUp", node="node-1")
    cluster.run_until(61)
    restarted = _renew_time(cluster, "node-1")
    assert restarted != before
    cluster.run_until(71)
    # Beating again, every 10 s from the restart.
    assert _renew_time(cluster, "node-1") != restarted
