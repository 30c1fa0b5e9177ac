"""A node that stops heartbeating, start to finish (kubelet.md §10; node_lifecycle_controller.go,
taint_eviction.go). The kubelet renews its Lease every 10 s; the node lifecycle controller
looks every 5 s and gives a silent node 50 s."""

from __future__ import annotations

from engine import actions
from engine.cluster import Cluster
from engine.printers import node_status, pod_status_reason
from tests.engine.simulation import cluster_with


def pod_on(name: str, node: str = "node-2", tolerations: str = "") -> str:
    return f"""
---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, labels: {{app: web}}}}
spec:
  nodeName: {node}
  containers: [{{name: app, image: nginx:1.27}}]
{tolerations}"""


def taints(cluster: Cluster, node: str = "node-2") -> list[tuple[str, str]]:
    return [
        (t["key"], t["effect"])
        for t in cluster.store.get("Node", "", node)["spec"].get("taints", [])
    ]


def pod_ready(cluster: Cluster, name: str) -> str | None:
    pod = cluster.store.get("Pod", "default", name)
    return next(c["status"] for c in pod["status"]["conditions"] if c["type"] == "Ready")


def node_condition(cluster: Cluster, kind: str, node: str = "node-2") -> dict:
    return next(
        c for c in cluster.store.get("Node", "", node)["status"]["conditions"] if c["type"] == kind
    )


def first_change(cluster: Cluster, until: float, probe) -> float | None:  # type: ignore[no-untyped-def]
    """The first whole second at which probe(cluster) becomes true."""
    while cluster.now < until:
        cluster.run_until(cluster.now + 1)
        if probe(cluster):
            return cluster.now
    return None


def node_down_at_30(text: str) -> Cluster:
    cluster = cluster_with(text)
    cluster.run_until(30)
    assert actions.inject(cluster, "nodeDown", node="node-2").lines == [
        "node/node-2 kubelet stopped (no more heartbeats)"
    ]
    return cluster


UNREACHABLE_NO_EXECUTE = ("node.kubernetes.io/unreachable", "NoExecute")
UNREACHABLE_NO_SCHEDULE = ("node.kubernetes.io/unreachable", "NoSchedule")


class TestDetection:
    def test_node_goes_unknown_after_the_grace_period(self) -> None:
        cluster = node_down_at_30(pod_on("a"))
        # Last lease renewal at 30 s; 50 s later the pass at 85 s is the first strictly after it.
        at = first_change(
            cluster, 120, lambda c: node_status(c.store.get("Node", "", "node-2")) == "NotReady"
        )
        assert at == 85
        ready = node_condition(cluster, "Ready")
        assert (ready["status"], ready["reason"], ready["message"]) == (
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        )
        assert ready["lastTransitionTime"] == cluster.clock.timestamp(85)
        for kind in ("MemoryPressure", "DiskPressure", "PIDPressure"):
            assert node_condition(cluster, kind)["status"] == "Unknown"

    def test_node_not_ready_event_and_pods_marked_not_ready(self) -> None:
        cluster = node_down_at_30(pod_on("a"))
        cluster.run_until(85)
        node = cluster.store.get("Node", "", "node-2")
        messages = [
            (e["reason"], e["message"], e["source"]["component"])
            for e in cluster.events.events_for(node)
        ]
        assert (
            "NodeNotReady",
            "Node node-2 status is now: NodeNotReady",
            "node-controller",
        ) in messages
        assert pod_ready(cluster, "a") == "False"
        pod = cluster.store.get("Pod", "default", "a")
        assert pod["status"]["phase"] == "Running"  # phase and containers are the kubelet's
        assert pod_status_reason(pod) == "Running"
        reasons = [(e["type"], e["reason"], e["message"]) for e in cluster.events.events_for(pod)]
        assert ("Warning", "NodeNotReady", "Node is not ready") in reasons

    def test_unreachable_taints(self) -> None:
        cluster = node_down_at_30(pod_on("a"))
        cluster.run_until(85)
        assert taints(cluster) == [UNREACHABLE_NO_SCHEDULE]
        # NoExecute: queued by the next pass, which sees the Unknown it wrote.
        assert first_change(cluster, 120, lambda c: UNREACHABLE_NO_EXECUTE in taints(c)) == 90
        added = cluster.store.get("Node", "", "node-2")["spec"]["taints"][-1]
        assert added["timeAdded"] == cluster.clock.timestamp(90)

    def test_registered_node_events(self) -> None:
        cluster = cluster_with("")
        cluster.run_until(1)
        node = cluster.store.get("Node", "", "node-1")
        assert [(e["reason"], e["message"]) for e in cluster.events.events_for(node)] == [
            ("RegisteredNode", "Node node-1 event: Registered Node node-1 in Controller")
        ]


class TestTaintBasedEviction:
    def test_pods_are_deleted_when_their_300s_toleration_runs_out_and_stay_terminating(
        self,
    ) -> None:
        cluster = node_down_at_30(pod_on("a"))
        at = first_change(
            cluster,
            500,
            lambda c: bool(c.store.get("Pod", "default", "a")["metadata"].get("deletionTimestamp")),
        )
        assert at == 390  # taint at 90 + tolerationSeconds 300
        pod = cluster.store.get("Pod", "default", "a")
        target = next(c for c in pod["status"]["conditions"] if c["type"] == "DisruptionTarget")
        assert (target["reason"], target["message"]) == (
            "DeletionByTaintManager",
            "Taint manager: deleting due to NoExecute taint",
        )
        events = [(e["reason"], e["message"]) for e in cluster.events.events_for(pod)]
        assert ("TaintManagerEviction", "Marking for deletion Pod default/a") in events
        cluster.run_until(1000)
        assert pod_status_reason(cluster.store.get("Pod", "default", "a")) == "Terminating"

    def test_a_shorter_toleration_goes_first(self) -> None:
        tolerations = (
            "  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, "
            "effect: NoExecute, tolerationSeconds: 60}]"
        )
        cluster = node_down_at_30(pod_on("quick", tolerations=tolerations))
        at = first_change(
            cluster,
            400,
            lambda c: bool(
                c.store.get("Pod", "default", "quick")["metadata"].get("deletionTimestamp")
            ),
        )
        assert at == 150

    def test_a_toleration_without_seconds_stays_forever(self) -> None:
        tolerations = "  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}]"
        cluster = node_down_at_30(pod_on("stays", tolerations=tolerations))
        cluster.run_until(2000)
        assert (
            cluster.store.get("Pod", "default", "stays")["metadata"].get("deletionTimestamp")
            is None
        )

    def test_node_up_before_the_toleration_runs_out_cancels_the_deletion(self) -> None:
        cluster = node_down_at_30(pod_on("a"))
        cluster.run_until(200)
        actions.inject(cluster, "nodeUp", node="node-2")
        cluster.run_until(400)
        pod = cluster.store.get("Pod", "default", "a")
        assert pod["metadata"].get("deletionTimestamp") is None
        events = [(e["reason"], e["message"]) for e in cluster.events.events_for(pod)]
        assert ("TaintManagerEviction", "Cancelling deletion of Pod default/a") in events
        assert pod_ready(cluster, "a") == "True"


class TestRecovery:
    def test_node_up_heals_the_node_and_finishes_the_deletions(self) -> None:
        cluster = node_down_at_30(pod_on("a"))
        cluster.run_until(420)
        assert actions.inject(cluster, "nodeUp", node="node-2").lines == [
            "node/node-2 kubelet started"
        ]
        cluster.run_until(421)
        assert node_status(cluster.store.get("Node", "", "node-2")) == "Ready"
        assert cluster.store.get("Pod", "default", "a") is None  # the kubelet finished the deletion
        cluster.run_until(430)
        assert taints(cluster) == []


class TestDisruptionModes:
    def test_every_node_down_taints_nothing(self) -> None:
        cluster = cluster_with(pod_on("a"))
        cluster.run_until(30)
        for node in ("node-1", "node-2", "node-3"):
            actions.inject(cluster, "nodeDown", node=node)
        cluster.run_until(700)
        assert UNREACHABLE_NO_EXECUTE not in taints(cluster)
        assert cluster.store.get("Pod", "default", "a")["metadata"].get("deletionTimestamp") is None

    def test_one_node_of_three_is_tainted_normally(self) -> None:
        cluster = node_down_at_30(pod_on("a"))
        cluster.run_until(95)
        assert UNREACHABLE_NO_EXECUTE in taints(cluster)
        assert taints(cluster, "node-1") == []


class TestPodUpdates:
    def test_taint_eviction_looks_again_only_when_node_name_or_tolerations_change(self) -> None:
        # taint_eviction.go handlePodUpdate: a pod update is queued only when its nodeName
        # or its tolerations changed (status writes are not); a pod update that replaces
        # the tolerations list with an equal one is not a change either.
        cluster = cluster_with(pod_on("watched"))
        cluster.run_until(10)
        controller = cluster.controllers["taint-eviction-controller"]
        queued: list = []
        controller.enqueue = queued.append  # type: ignore[attr-defined]
        live = cluster.store.get("Pod", "default", "watched")
        cluster.store.modified(live)  # a status write: same spec, same tolerations list
        assert queued == []
        same = {**live, "spec": {**live["spec"], "tolerations": list(live["spec"]["tolerations"])}}
        cluster.store.replace(same)
        assert queued == []
        wider = [*same["spec"]["tolerations"], {"key": "k", "operator": "Exists"}]
        cluster.store.replace({**same, "spec": {**same["spec"], "tolerations": wider}})
        assert queued == [("pod", "default", "watched", "node-2")]
