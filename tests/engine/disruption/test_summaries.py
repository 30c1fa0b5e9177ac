"""What the console's panes read: budget and node summaries, pending taint evictions."""

from __future__ import annotations

import pytest

from engine import actions
from engine.disruption.summaries import (
    budget_summary,
    budgets_for_pod,
    format_taint,
    node_summary,
    pending_taint_evictions,
)
from tests.engine.simulation import cluster_with

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: web}}
spec:
  nodeName: node-2
  containers: [{name: app, image: "nginx:1.27"}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
"""


@pytest.mark.parametrize(
    ("taint", "text"),
    [
        (
            {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
            "node.kubernetes.io/unreachable:NoExecute",
        ),
        ({"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}, "dedicated=gpu:NoSchedule"),
        ({"key": "k", "value": "v"}, "k=v:"),
        ({"key": "k"}, "k"),
    ],
)
def test_taints_as_kubectl_writes_them(taint: dict, text: str) -> None:
    assert format_taint(taint) == text


def test_budget_at_zero() -> None:
    cluster = cluster_with(PODS)
    cluster.run_until(20)
    summary = budget_summary(cluster.store.get("PodDisruptionBudget", "default", "web"))
    assert (
        summary.allowed,
        summary.current_healthy,
        summary.desired_healthy,
        summary.expected_pods,
    ) == (0, 1, 1, 1)
    assert summary.at_zero and summary.reason == "InsufficientPods"
    assert [b.name for b in budgets_for_pod(cluster, cluster.store.get("Pod", "default", "a"))] == [
        "web"
    ]


def test_node_summary_and_pending_evictions_of_a_lost_node() -> None:
    cluster = cluster_with(PODS)
    cluster.run_until(30)
    actions.cordon(cluster, "node-2")
    actions.inject(cluster, "nodeDown", node="node-2")
    cluster.run_until(95)
    summary = node_summary(cluster.store.get("Node", "", "node-2"))
    assert summary.cordoned and summary.ready == "Unknown"
    assert summary.taints == [
        "node.kubernetes.io/unschedulable:NoSchedule",
        "node.kubernetes.io/unreachable:NoSchedule",
        "node.kubernetes.io/unreachable:NoExecute",
    ]
    assert pending_taint_evictions(cluster) == {("default", "a"): 390.0}
