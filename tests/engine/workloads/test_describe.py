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


class TestDescribeLayout:
    """The order and wording of describe.go's current describers (one describer per kind,
    in engine/workloads/describe.py)."""

    def test_deployment_fields_come_in_describe_gos_order(self) -> None:
        cluster = cluster_with(workload("Deployment", "web", replicas=2))
        cluster.run_until(20)
        text = describe(cluster, get(cluster, "Deployment", "web"))
        keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
        assert keys == [
            "Name",
            "Namespace",
            "CreationTimestamp",
            "Labels",
            "Annotations",
            "Selector",
            "Replicas",
            "StrategyType",
            "MinReadySeconds",
            "RollingUpdateStrategy",
            "Pod Template",
            "Conditions",
            "OldReplicaSets",
            "NewReplicaSet",
            "Events",
        ]

    def test_a_finished_rollout_still_lists_the_old_replica_set_at_zero(self) -> None:
        cluster = cluster_with(workload("Deployment", "web", replicas=2))
        cluster.run_until(20)
        old_rs = cluster.store.list("ReplicaSet")[0]["metadata"]["name"]
        actions.set_image(cluster, "deployment/web", "nginx:1.28")
        cluster.run_until(60)
        text = lines(describe(cluster, get(cluster, "Deployment", "web")))
        assert f"OldReplicaSets: {old_rs} (0/0 replicas created)" in text
        new = next(line for line in text if line.startswith("NewReplicaSet:"))
        assert new.endswith("(2/2 replicas created)") and old_rs not in new

    def test_daemon_set_says_its_namespace(self) -> None:
        cluster = cluster_with(workload("DaemonSet", "agent"))
        cluster.run_until(10)
        text = lines(describe(cluster, get(cluster, "DaemonSet", "agent")))
        assert text[:4] == [
            "Name: agent",
            "Namespace: default",
            "Selector: app=agent",
            "Node-Selector: <none>",
        ]
        assert "Pods Status: 3 Running / 0 Waiting / 0 Succeeded / 0 Failed" in text

    def test_job_ttl_and_completed_indexes(self) -> None:
        job = """
apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  ttlSecondsAfterFinished: 600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox:1.36, command: [sh, -c, 'sleep 2']}]
"""
        cluster = cluster_with(job)
        cluster.run_until(30)
        obj = get(cluster, "Job", "batch")
        # The status as the Job controller of a real cluster writes it for Indexed jobs.
        obj = {**obj, "status": {**obj["status"], "completedIndexes": "0-2"}}
        text = lines(describe(cluster, obj))
        assert "Completion Mode: Indexed" in text
        assert "TTL Seconds After Finished: 600" in text
        assert "Completed Indexes: 0-2" in text

    def test_a_long_completed_indexes_list_is_cut_after_fifty_characters(self) -> None:
        from engine.workloads.describe import cap_indexes

        long = ",".join(str(i) for i in range(0, 200, 2))
        capped = cap_indexes(long, 50)
        assert capped.endswith(",...") and len(capped) <= 60
        assert long.startswith(capped[:-3])
        assert cap_indexes("1-5", 50) == "1-5"
        assert cap_indexes("", 50) == "<none>"
