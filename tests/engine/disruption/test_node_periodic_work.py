"""The node lifecycle controller's 5 s pass and the kubelet's 10 s status check take a short
way for a node that cannot have changed (node_lifecycle.py `_note_settled`, kubelet.py
`post_status`). What the cluster does must be exactly what the long way does: the same
writes, at the same simulated times, with the same events
(node_lifecycle_controller.go monitorNodeHealth; kubelet_node_status.go tryUpdateNodeStatus).
"""

from __future__ import annotations

import json

import pytest

from engine import actions
from engine.cluster import Cluster, default_node
from engine.disruption.node_lifecycle import NodeLifecycleController
from engine.kubelet.kubelet import Kubelet
from tests.engine.simulation import cluster_with

PODS = "".join(
    f"""
---
apiVersion: v1
kind: Pod
metadata: {{name: p{i}, labels: {{app: web}}}}
spec:
  nodeName: node-{i % 3 + 1}
  containers: [{{name: app, image: nginx:1.27}}]
"""
    for i in range(6)
)


def transcript(cluster: Cluster) -> list[str]:
    """Every 5 s to 16 min: node down and up, a zone label, a cordon, an image pulled, a
    node excluded from disruption checks, one deleted and one added."""
    lines = []
    for t in range(0, 960, 5):
        cluster.run_until(t)
        if t == 30:
            actions.inject(cluster, "nodeDown", node="node-2")
        if t == 120:
            node = cluster.store.get("Node", "", "node-3")
            node["metadata"].setdefault("labels", {})["topology.kubernetes.io/zone"] = "z1"
            cluster.store.modified(node)
        if t == 150:
            actions.cordon(cluster, "node-1")
        if t == 200:
            actions.inject(cluster, "nodeUp", node="node-2")
        if t == 400:
            cluster.kubelets["node-3"].images.present["docker.io/library/redis:7"] = 1000
        if t == 500:
            node = cluster.store.get("Node", "", "node-1")
            labels = node["metadata"].setdefault("labels", {})
            labels["node.kubernetes.io/exclude-disruption"] = ""
            cluster.store.modified(node)
        if t == 600:
            result = actions.delete(cluster, "node/node-3")
            assert not result.errors, result.errors
        if t == 700:
            cluster.api.create(default_node("node-4"))
        for kind in ("Node", "Lease", "Pod", "Event"):
            lines.extend(json.dumps(o, sort_keys=True) for o in cluster.store.list(kind))
        lines.append(f"{t} rv={cluster.store.resource_version}")
    return lines


def test_short_ways_change_nothing_a_watcher_sees(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = transcript(cluster_with(PODS))

    # The long way: no node is ever settled, every status check builds the status.
    monkeypatch.setattr(NodeLifecycleController, "_note_settled", lambda *args: None)
    post_status = Kubelet.post_status

    def always_build(self: Kubelet, *, force: bool = False) -> None:
        self._unchanged = None
        post_status(self, force=force)

    monkeypatch.setattr(Kubelet, "post_status", always_build)
    slow = transcript(cluster_with(PODS))
    # The story reached what the short ways must keep: a node registered, one removed.
    assert any("Removing Node node-3 from Controller" in line for line in fast)
    assert any("Registered Node node-4 in Controller" in line for line in fast)
    assert len(fast) == len(slow)
    assert fast == slow
