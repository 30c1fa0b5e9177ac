"""Disruptions of real workloads: budgets over Deployments and StatefulSets, drains past
DaemonSets, and the sample scenarios (sample_manifests/scenarios)."""

from __future__ import annotations

import copy
from pathlib import Path

from engine import actions
from engine.cluster import Cluster
from engine.disruption.drain import DRAINED, DrainOptions, drain
from engine.sim import load_inputs, simulate
from tests.engine.simulation import cluster_with

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "sample_manifests"


def deployment(name: str, replicas: int, *, probe: bool = True) -> str:
    readiness = (
        "\n        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}"
        if probe
        else ""
    )
    return f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27{readiness}
"""


def budget(name: str, app: str, field: str, value: int | str) -> str:
    rendered = f'"{value}"' if isinstance(value, str) else value
    return f"""
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}}}
spec:
  {field}: {rendered}
  selector: {{matchLabels: {{app: {app}}}}}
"""


def status(cluster: Cluster, name: str) -> tuple[int, int, int, int]:
    s = cluster.store.get("PodDisruptionBudget", "default", name)["status"]
    return (s["disruptionsAllowed"], s["currentHealthy"], s["desiredHealthy"], s["expectedPods"])


def pods_of(cluster: Cluster, app: str) -> list[dict]:
    return [
        p
        for p in cluster.store.list("Pod", "default")
        if (p["metadata"].get("labels") or {}).get("app") == app
    ]


class TestBudgetsOverControllers:
    def test_max_unavailable_counts_the_deployments_replicas(self) -> None:
        cluster = cluster_with(deployment("web", 4) + budget("web", "web", "maxUnavailable", "25%"))
        cluster.run_until(30)
        assert status(cluster, "web") == (1, 4, 3, 4)

    def test_scaling_the_deployment_moves_the_budget(self) -> None:
        cluster = cluster_with(deployment("web", 4) + budget("web", "web", "minAvailable", "50%"))
        cluster.run_until(30)
        assert status(cluster, "web") == (2, 4, 2, 4)
        deploy = copy.deepcopy(cluster.store.get("Deployment", "default", "web"))
        deploy["spec"]["replicas"] = 6
        cluster.api.update(deploy)
        cluster.run_until(60)
        assert status(cluster, "web") == (3, 6, 3, 6)

    def test_statefulset_scale_is_the_denominator(self) -> None:
        cluster = cluster_with(
            """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: redis, image: "redis:7.2"}]
"""
            + budget("db", "db", "maxUnavailable", 1)
        )
        cluster.run_until(5)
        # OrderedReady: while only some replicas exist, expected is still the StatefulSet's 3.
        assert status(cluster, "db")[2:] == (2, 3)
        cluster.run_until(60)
        assert status(cluster, "db") == (1, 3, 2, 3)

    def test_an_evicted_replica_is_replaced_and_the_budget_recovers(self) -> None:
        from engine.disruption.eviction import evict

        cluster = cluster_with(deployment("web", 3) + budget("web", "web", "minAvailable", 2))
        cluster.run_until(30)
        victim = pods_of(cluster, "web")[0]["metadata"]["name"]
        evict(cluster, victim)
        cluster.run_until(31)
        assert status(cluster, "web")[0] == 0
        cluster.run_until(90)
        assert status(cluster, "web") == (1, 3, 2, 3)
        assert victim not in [p["metadata"]["name"] for p in pods_of(cluster, "web")]


class TestDrainWithDaemonSets:
    DAEMONSET = """
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "busybox:1.36", command: [sh, -c, "sleep infinity"]}]
"""

    def _agent_on(self, cluster: Cluster, node: str) -> str:
        pods = cluster.store.list("Pod", "kube-system")
        return next(p["metadata"]["name"] for p in pods if p["spec"].get("nodeName") == node)

    def test_daemonset_pods_stop_a_drain_without_ignore_daemonsets(self) -> None:
        cluster = cluster_with(self.DAEMONSET)
        cluster.run_until(20)
        agent = self._agent_on(cluster, "node-2")
        d = drain(cluster, DrainOptions("node-2"))
        assert d.lines[-1].text == (
            f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/{agent}"
        )

    def test_ignore_daemonsets_leaves_them_running(self) -> None:
        cluster = cluster_with(self.DAEMONSET + deployment("web", 3, probe=False))
        cluster.run_until(20)
        agent = self._agent_on(cluster, "node-2")
        d = drain(cluster, DrainOptions("node-2", ignore_daemonsets=True))
        assert d.lines[1].text == f"Warning: ignoring DaemonSet-managed Pods: kube-system/{agent}"
        cluster.run_until(80)
        assert d.state == DRAINED
        assert (
            cluster.store.get("Pod", "kube-system", agent)["metadata"].get("deletionTimestamp")
            is None
        )
        assert all(p["spec"].get("nodeName") != "node-2" for p in pods_of(cluster, "web"))


class TestNodeFailureOfWorkloads:
    def test_deployment_pods_are_replaced_when_their_toleration_runs_out(self) -> None:
        cluster = cluster_with(deployment("web", 3, probe=False))
        cluster.run_until(30)
        lost = [
            p["metadata"]["name"]
            for p in pods_of(cluster, "web")
            if p["spec"]["nodeName"] == "node-2"
        ]
        assert lost
        actions.inject(cluster, "nodeDown", node="node-2")
        cluster.run_until(389)
        assert len(pods_of(cluster, "web")) == 3
        cluster.run_until(400)
        web = pods_of(cluster, "web")
        terminating = [p for p in web if p["metadata"].get("deletionTimestamp")]
        assert [p["metadata"]["name"] for p in terminating] == lost
        running_elsewhere = [p for p in web if not p["metadata"].get("deletionTimestamp")]
        assert len(running_elsewhere) == 3
        assert all(p["spec"].get("nodeName") != "node-2" for p in running_elsewhere)

    def test_statefulset_pods_are_not_replaced_while_the_old_one_is_terminating(self) -> None:
        cluster = cluster_with(
            """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      nodeName: node-2
      containers: [{name: redis, image: "redis:7.2"}]
"""
        )
        cluster.run_until(30)
        actions.inject(cluster, "nodeDown", node="node-2")
        cluster.run_until(600)
        [db] = pods_of(cluster, "db")
        assert db["metadata"]["name"] == "db-0" and db["metadata"].get("deletionTimestamp")


class TestSampleScenarios:
    def _run(self, scenario: str, until: float) -> tuple[Cluster, list[str]]:
        lines: list[str] = []
        inputs = load_inputs([str(SAMPLES / "disruption")], str(SAMPLES / "scenarios" / scenario))
        assert inputs.problems == []
        cluster = simulate(inputs, until=until, report=lines.append)
        return cluster, lines

    def test_drain_held_up_by_the_budget_until_a_spare_replica_is_ready(self) -> None:
        cluster, lines = self._run("drain-held-by-pdb.yaml", 180)
        timed = [line for line in lines if line.startswith("[")]
        assert timed[0] == "[30s] node/node-2 cordoned"
        refusals = [line for line in timed if "(will retry after 5s)" in line]
        assert len(refusals) >= 6
        assert refusals[0].endswith(
            "Cannot evict pod as it would violate the pod's disruption budget."
        )
        assert "[60s] deployment.apps/checkout scaled" in timed
        assert timed[-1].endswith("node/node-2 drained")
        assert all(p["spec"]["nodeName"] != "node-2" for p in pods_of(cluster, "checkout"))

    def test_node_failure_timeline(self) -> None:
        cluster, lines = self._run("node-failure.yaml", 480)
        assert [line for line in lines if line.startswith("[")] == [
            "[30s] node/node-2 kubelet stopped (no more heartbeats)",
            "[420s] node/node-2 kubelet started",
        ]
        reasons = [e["reason"] for e in cluster.store.list("Event", "default")]
        for reason in ("NodeNotReady", "TaintManagerEviction"):
            assert reason in reasons
        checkout = pods_of(cluster, "checkout")
        assert len(checkout) == 3 and all(
            not p["metadata"].get("deletionTimestamp") for p in checkout
        )
