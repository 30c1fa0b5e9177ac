"""The DaemonSet controller: one pod per eligible node, the tolerations it adds, node
pinning, reacting to nodes, rolling updates, status."""

from __future__ import annotations

import pytest

from engine import actions as core_actions
from engine.cluster import default_node
from engine.workloads import actions
from engine.workloads.daemonset import (
    add_daemon_tolerations,
    node_should_run_daemon_pod,
    scaled_counts,
    target_node,
)
from tests.engine.workloads.helpers import (
    apply,
    cluster_with,
    container,
    events,
    get,
    pods_of,
    ready,
    workload,
)


def daemon_set(name: str = "agent", pod_spec: dict | None = None, **spec) -> str:
    return workload("DaemonSet", name, spec=spec or None, pod_spec=pod_spec)


def by_node(cluster, name: str = "agent") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pod in pods_of(cluster, name):
        if pod["metadata"].get("deletionTimestamp"):
            continue
        out.setdefault(target_node(pod), []).append(pod["metadata"]["name"])
    return out


class TestPlacement:
    def test_one_pod_per_node_pinned_by_node_affinity(self) -> None:
        cluster = cluster_with(daemon_set())
        cluster.run_until(10)
        placed = by_node(cluster)
        assert sorted(placed) == ["node-1", "node-2", "node-3"]
        assert all(len(v) == 1 for v in placed.values())
        for pod in pods_of(cluster, "agent"):
            term = pod["spec"]["affinity"]["nodeAffinity"][
                "requiredDuringSchedulingIgnoredDuringExecution"
            ]
            node = term["nodeSelectorTerms"][0]["matchFields"][0]["values"][0]
            assert term["nodeSelectorTerms"] == [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
            ]
            assert pod["spec"]["nodeName"] == node
            assert pod["metadata"]["labels"]["pod-template-generation"] == "1"

    def test_daemon_pods_get_the_node_condition_tolerations(self) -> None:
        cluster = cluster_with(daemon_set())
        cluster.run_until(1)
        pod = pods_of(cluster, "agent")[0]
        assert pod["spec"]["tolerations"] == [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
            {
                "effect": "NoSchedule",
                "key": "node.kubernetes.io/disk-pressure",
                "operator": "Exists",
            },
            {
                "effect": "NoSchedule",
                "key": "node.kubernetes.io/memory-pressure",
                "operator": "Exists",
            },
            {
                "effect": "NoSchedule",
                "key": "node.kubernetes.io/pid-pressure",
                "operator": "Exists",
            },
            {
                "effect": "NoSchedule",
                "key": "node.kubernetes.io/unschedulable",
                "operator": "Exists",
            },
        ]

    def test_host_network_pods_also_tolerate_network_unavailable(self) -> None:
        spec = {
            "hostNetwork": True,
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}
            ],
        }
        add_daemon_tolerations(spec)
        keys = [t["key"] for t in spec["tolerations"]]
        assert keys.count("node.kubernetes.io/not-ready") == 1
        assert keys[-1] == "node.kubernetes.io/network-unavailable"

    def test_a_cordoned_node_still_gets_its_daemon_pod(self) -> None:
        cluster = cluster_with("")
        core_actions.cordon(cluster, "node-2")
        assert apply(cluster, daemon_set()) == ["daemonset.apps/agent created"]
        cluster.run_until(10)
        assert "node-2" in by_node(cluster)

    def test_node_selector_and_relabelling(self) -> None:
        text = daemon_set(pod_spec={"nodeSelector": {"disk": "ssd"}, "containers": [container()]})
        cluster = cluster_with(text)
        cluster.run_until(5)
        assert by_node(cluster) == {}
        node = get(cluster, "Node", "node-3", namespace="")
        node["metadata"]["labels"]["disk"] = "ssd"
        cluster.store.modified(node)
        cluster.run_until(10)
        assert sorted(by_node(cluster)) == ["node-3"]
        del node["metadata"]["labels"]["disk"]
        cluster.store.modified(node)
        cluster.run_until(15)
        assert by_node(cluster) == {}
        status = get(cluster, "DaemonSet", "agent")["status"]
        assert status["desiredNumberScheduled"] == 0

    def test_a_new_node_gets_a_pod_and_a_removed_one_loses_it(self) -> None:
        cluster = cluster_with(daemon_set())
        cluster.run_until(5)
        cluster.api.create(default_node("node-4"))
        cluster.run_until(10)
        assert sorted(by_node(cluster)) == ["node-1", "node-2", "node-3", "node-4"]

    def test_an_untolerated_no_execute_taint_evicts_and_no_schedule_keeps(self) -> None:
        cluster = cluster_with(daemon_set())
        cluster.run_until(5)
        node = get(cluster, "Node", "node-1", namespace="")
        node["spec"]["taints"] = [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]
        cluster.store.modified(node)
        cluster.run_until(10)
        assert "node-1" in by_node(cluster)  # NoSchedule: keeps running
        node["spec"]["taints"] = [{"key": "dedicated", "value": "db", "effect": "NoExecute"}]
        cluster.store.modified(node)
        cluster.run_until(15)
        assert "node-1" not in by_node(cluster)

    @pytest.mark.parametrize(
        ("taint", "expected"),
        [
            (None, (True, True)),
            ({"key": "x", "effect": "NoSchedule"}, (False, True)),
            ({"key": "x", "effect": "NoExecute"}, (False, False)),
            ({"key": "x", "effect": "PreferNoSchedule"}, (True, True)),
            ({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}, (True, True)),
            ({"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}, (True, True)),
        ],
    )
    def test_node_should_run_daemon_pod(self, taint, expected) -> None:
        node = {
            "metadata": {"name": "n", "labels": {}},
            "spec": {"taints": [taint] if taint else []},
        }
        ds = {"spec": {"template": {"spec": {"containers": [container()]}}}}
        assert node_should_run_daemon_pod(node, ds) == expected


class TestRollingUpdate:
    @pytest.mark.parametrize(
        ("max_unavailable", "desired", "expected"),
        [(1, 10, 1), ("10%", 10, 1), ("15%", 10, 2), ("1%", 3, 1), ("50%", 3, 2), (0, 5, 1)],
    )
    def test_max_unavailable_rounds_up(self, max_unavailable, desired, expected) -> None:
        ds = {
            "spec": {
                "updateStrategy": {
                    "rollingUpdate": {"maxUnavailable": max_unavailable, "maxSurge": 0}
                }
            }
        }
        assert scaled_counts(ds, desired)[1] == expected

    def test_one_node_at_a_time_by_default(self) -> None:
        sleeper = {
            "containers": [container(image="busybox", command=["sh", "-c", "sleep 3600"])],
            "terminationGracePeriodSeconds": 3,
        }
        cluster = cluster_with(daemon_set(pod_spec=sleeper))
        cluster.run_until(10)
        actions.set_image(cluster, "daemonset/agent", "busybox:1.37")
        start = cluster.now
        while True:
            pods = pods_of(cluster, "agent")
            unavailable = 3 - sum(
                1 for p in pods if ready(p) and not p["metadata"].get("deletionTimestamp")
            )
            assert unavailable <= 1, f"two nodes without a ready daemon pod at t={cluster.now}"
            if len(pods) == 3 and all(
                ready(p) and p["spec"]["containers"][0]["image"] == "busybox:1.37" for p in pods
            ):
                break
            assert cluster.now - start < 200
            cluster.tick()
        status = get(cluster, "DaemonSet", "agent")["status"]
        assert status["updatedNumberScheduled"] == 3
        ds = get(cluster, "DaemonSet", "agent")
        assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"

    def test_on_delete_replaces_only_deleted_pods(self) -> None:
        cluster = cluster_with(daemon_set(updateStrategy={"type": "OnDelete"}))
        cluster.run_until(10)
        actions.set_image(cluster, "daemonset/agent", "nginx:1.28")
        cluster.run_until(30)
        assert {p["spec"]["containers"][0]["image"] for p in pods_of(cluster, "agent")} == {
            "nginx:1.27"
        }


class TestStatus:
    def test_status_counts_nodes(self) -> None:
        cluster = cluster_with(daemon_set())
        cluster.run_until(20)
        status = get(cluster, "DaemonSet", "agent")["status"]
        assert status == {
            "currentNumberScheduled": 3,
            "desiredNumberScheduled": 3,
            "numberAvailable": 3,
            "numberMisscheduled": 0,
            "numberReady": 3,
            "observedGeneration": 1,
            "updatedNumberScheduled": 3,
        }

    def test_created_pods_are_reported_on_the_daemon_set(self) -> None:
        cluster = cluster_with(daemon_set())
        cluster.run_until(1)
        messages = events(cluster, get(cluster, "DaemonSet", "agent"), "SuccessfulCreate")
        assert len(messages) == 3 and all(m.startswith("Created pod: agent-") for m in messages)
