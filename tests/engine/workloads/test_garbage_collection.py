"""Garbage collection for each deletion propagation policy, and dangling owners."""

from __future__ import annotations

import pytest
import yaml

from engine import actions as core_actions
from tests.engine.workloads.helpers import active, cluster_with, container, pods_of, workload

SLOW_TO_STOP = {
    "containers": [container(image="busybox", command=["sh", "-c", "sleep 3600"])],
    "terminationGracePeriodSeconds": 10,
}


def deployment() -> str:
    return workload("Deployment", "web", replicas=2, pod_spec=SLOW_TO_STOP)


def replica_sets(cluster) -> list[dict]:
    return [
        rs for rs in cluster.store.list("ReplicaSet") if rs["metadata"]["name"].startswith("web-")
    ]


class TestBackground:
    def test_deleting_a_deployment_removes_its_replica_sets_and_pods(self) -> None:
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        result = core_actions.delete(cluster, "deployment/web")
        assert result.ok
        assert cluster.store.get("Deployment", "default", "web") is None
        cluster.run_until(10.5)
        assert replica_sets(cluster) == []
        assert active(pods_of(cluster, "web")) == []
        cluster.run_until(30)
        assert pods_of(cluster, "web") == []

    def test_an_object_whose_owner_never_existed_is_collected(self) -> None:
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "stray",
                "ownerReferences": [
                    {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "gone", "uid": "0000"}
                ],
            },
            "spec": {"containers": [container()]},
        }
        cluster = cluster_with(yaml.safe_dump(pod))
        cluster.run_until(2)
        assert cluster.store.get("Pod", "default", "stray") is None

    def test_an_owner_of_a_kind_the_server_does_not_serve_is_left_alone(self) -> None:
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "custom",
                "ownerReferences": [
                    {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w", "uid": "0000"}
                ],
            },
            "spec": {"containers": [container()]},
        }
        cluster = cluster_with(yaml.safe_dump(pod))
        cluster.run_until(5)
        assert cluster.store.get("Pod", "default", "custom") is not None


class TestForeground:
    def test_the_owner_waits_until_its_pods_are_gone(self) -> None:
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        core_actions.delete(cluster, "deployment/web", cascade="foreground")
        cluster.run_until(11)
        d = cluster.store.get("Deployment", "default", "web")
        assert d is not None
        assert d["metadata"]["deletionTimestamp"]
        assert d["metadata"]["finalizers"] == ["foregroundDeletion"]
        (rs,) = replica_sets(cluster)
        assert rs["metadata"]["finalizers"] == ["foregroundDeletion"]
        assert all(p["metadata"].get("deletionTimestamp") for p in pods_of(cluster, "web"))
        # The pods take their grace period; then the ReplicaSet, then the Deployment go.
        cluster.run_until(25)
        assert pods_of(cluster, "web") == []
        assert replica_sets(cluster) == []
        assert cluster.store.get("Deployment", "default", "web") is None


class TestOrphan:
    def test_orphaned_pods_keep_running_without_an_owner(self) -> None:
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        before = {p["metadata"]["uid"] for p in pods_of(cluster, "web")}
        core_actions.delete(cluster, "deployment/web", cascade="orphan")
        cluster.run_until(11)
        assert cluster.store.get("Deployment", "default", "web") is None
        (rs,) = replica_sets(cluster)
        assert "ownerReferences" not in rs["metadata"]
        core_actions.delete(cluster, f"replicaset/{rs['metadata']['name']}", cascade="orphan")
        cluster.run_until(20)
        pods = pods_of(cluster, "web")
        assert {p["metadata"]["uid"] for p in pods} == before
        assert all("ownerReferences" not in p["metadata"] for p in pods)
        assert all(not p["metadata"].get("deletionTimestamp") for p in pods)

    def test_a_new_deployment_adopts_what_was_orphaned(self) -> None:
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        (rs,) = replica_sets(cluster)
        core_actions.delete(cluster, "deployment/web", cascade="orphan")
        cluster.run_until(11)
        from tests.engine.workloads.helpers import apply

        apply(cluster, deployment())
        cluster.run_until(12)
        d = cluster.store.get("Deployment", "default", "web")
        (again,) = replica_sets(cluster)
        assert again["metadata"]["uid"] == rs["metadata"]["uid"]
        assert again["metadata"]["ownerReferences"][0]["uid"] == d["metadata"]["uid"]
        assert len(pods_of(cluster, "web")) == 2


class TestLegacyGroupsOrphanByDefault:
    """DefaultGarbageCollectionPolicy (pkg/registry/apps/{deployment,replicaset,daemonset,
    statefulset}/strategy.go) reads the request's group/version: through extensions/v1beta1,
    apps/v1beta1 or apps/v1beta2 a delete that names no propagationPolicy orphans "for back
    compatibility"; through apps/v1 it deletes the dependents."""

    @pytest.mark.parametrize("api_version", ["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"])
    def test_a_delete_through_a_legacy_group_naming_no_policy_orphans(self, api_version) -> None:
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        cluster.api.delete("Deployment", "default", "web", api_version=api_version)
        cluster.run_until(11)
        assert cluster.store.get("Deployment", "default", "web") is None
        (rs,) = replica_sets(cluster)
        assert "ownerReferences" not in rs["metadata"]
        assert len(active(pods_of(cluster, "web"))) == 2

    def test_a_delete_through_apps_v1_naming_no_policy_deletes_the_dependents(self) -> None:
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        cluster.api.delete("Deployment", "default", "web", api_version="apps/v1")
        cluster.run_until(10.5)
        assert replica_sets(cluster) == []

    def test_a_named_policy_wins_over_the_legacy_default(self) -> None:
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        cluster.api.delete(
            "Deployment", "default", "web", api_version="extensions/v1beta1", propagation="Background"
        )
        cluster.run_until(10.5)
        assert replica_sets(cluster) == []

    @pytest.mark.parametrize(
        ("kind", "api_version", "orphans"),
        [
            ("ReplicaSet", "extensions/v1beta1", True),
            ("ReplicaSet", "apps/v1beta2", True),
            ("DaemonSet", "extensions/v1beta1", True),
            ("StatefulSet", "apps/v1beta1", True),
            ("StatefulSet", "apps/v1beta2", True),
            ("StatefulSet", "apps/v1", False),
        ],
    )
    def test_each_legacy_kind_defaults_to_orphan(self, kind, api_version, orphans) -> None:
        from engine.api.kinds import kind_info

        info = kind_info(kind)
        assert info.propagation_for(api_version) == ("Orphan" if orphans else "Background")

    def test_cronjob_deletes_dependents_by_default_and_batch_v1_job_orphans(self) -> None:
        # pkg/registry/batch/cronjob/strategy.go: "DeleteDependents for all currently served
        # versions" (batch/v1beta1, which orphaned, is not served since 1.25);
        # pkg/registry/batch/job/strategy.go: batch/v1 Jobs orphan "for back compatibility".
        # ReplicationController (core/v1 orphans too) is not served by podtui.
        from engine.api.kinds import kind_info

        assert kind_info("CronJob").propagation_for("batch/v1") == "Background"
        assert kind_info("Job").propagation_for("batch/v1") == "Orphan"
        assert kind_info("ReplicationController") is None

    def test_a_client_naming_no_policy_through_the_files_group_orphans(self) -> None:
        # engine.actions.delete(cascade=None) is a client that sends no propagationPolicy.
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        result = core_actions.delete(
            cluster, "deployment/web", cascade=None, api_version="extensions/v1beta1"
        )
        assert result.lines == ['deployment.extensions "web" deleted']
        cluster.run_until(11)
        assert len(replica_sets(cluster)) == 1

    def test_kubectl_names_background_so_its_delete_through_a_legacy_group_cascades(self) -> None:
        # kubectl delete always sends propagationPolicy (--cascade defaults to background:
        # kubectl pkg/cmd/delete/delete.go, DeleteResult), so the legacy default never
        # applies to it; it prints the group it addressed (`deployment.extensions`).
        cluster = cluster_with(deployment())
        cluster.run_until(10)
        result = core_actions.delete(cluster, "deployment/web", api_version="extensions/v1beta1")
        assert result.lines == ['deployment.extensions "web" deleted']
        cluster.run_until(10.5)
        assert replica_sets(cluster) == []
