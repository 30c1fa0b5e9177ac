"""kubectl describe for the workload kinds: the lines users look for."""

from __future__ import annotations

from engine.describe import describe
from engine.workloads import actions
from tests.engine.workloads.helpers import cluster_with, get, workload


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


class TestDescribe:
    def test_deployment_names_its_replica_sets_and_strategy(self) -> None:
        cluster = cluster_with(workload("Deployment", "web", replicas=2))
        cluster.run_until(20)
        actions.set_image(cluster, "deployment/web", "nginx:1.28")
        cluster.run_until(21)
        text = lines(describe(cluster, get(cluster, "Deployment", "web")))
        assert "StrategyType: RollingUpdate" in text
        assert "RollingUpdateStrategy: 25% max unavailable, 25% max surge" in text
        replicas = next(line for line in text if line.startswith("Replicas:"))
        assert replicas.startswith("Replicas: 2 desired |")
        old = next(line for line in text if line.startswith("OldReplicaSets:"))
        new = next(line for line in text if line.startswith("NewReplicaSet:"))
        assert old.endswith("replicas created)") and new.endswith("replicas created)")
        assert "Type Status Reason" in text

    def test_replica_set_counts_its_pods_and_names_its_controller(self) -> None:
        cluster = cluster_with(workload("Deployment", "web", replicas=2))
        cluster.run_until(20)
        (rs,) = cluster.store.list("ReplicaSet")
        text = lines(describe(cluster, rs))
        assert "Controlled By: Deployment/web" in text
        assert "Replicas: 2 current / 2 desired" in text
        assert "Pods Status: 2 Running / 0 Waiting / 0 Succeeded / 0 Failed" in text

    def test_stateful_set_lists_its_claim_templates(self) -> None:
        claims = {
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "2Gi"}},
                    },
                }
            ]
        }
        cluster = cluster_with(workload("StatefulSet", "db", replicas=1, spec=claims))
        cluster.run_until(10)
        text = lines(describe(cluster, get(cluster, "StatefulSet", "db")))
        assert "Update Strategy: RollingUpdate" in text
        assert "Capacity: 2Gi" in text and "Access Modes: [ReadWriteOnce]" in text
        claim = lines(describe(cluster, get(cluster, "PersistentVolumeClaim", "data-db-0")))
        assert "Status: Bound" in claim and "Used By: db-0" in claim
