"""`kubectl rollout undo` for StatefulSets and DaemonSets (kubectl rollback.go's
StatefulSetRollbacker and DaemonSetRollbacker): the template of an earlier
ControllerRevision, findHistory's choice, the skip and error texts."""

from __future__ import annotations

from engine.workloads import actions
from tests.engine.workloads.helpers import cluster_with, get, pods_of, ready, workload


def image(obj: dict) -> str:
    return obj["spec"]["template"]["spec"]["containers"][0]["image"]


def revisions(cluster, owner: str) -> dict[int, dict]:
    kind, name = owner.split("/")
    uid = get(cluster, kind, name)["metadata"]["uid"]
    return {
        r["revision"]: r
        for r in cluster.store.list("ControllerRevision", "default")
        if r["metadata"]["ownerReferences"][0]["uid"] == uid
    }


def settled(cluster, prefix: str, want: str, count: int) -> bool:
    pods = [p for p in pods_of(cluster, prefix) if not p["metadata"].get("deletionTimestamp")]
    return len(pods) == count and all(
        ready(p) and p["spec"]["containers"][0]["image"] == want for p in pods
    )


def run_until(cluster, done, limit: float = 400) -> None:
    start = cluster.now
    while not done():
        assert cluster.now - start < limit, "did not settle"
        cluster.tick()


class TestRolloutUndoStatefulSet:
    def test_rollback_to_the_previous_controller_revision(self) -> None:
        cluster = cluster_with(workload("StatefulSet", "db", replicas=2))
        run_until(cluster, lambda: settled(cluster, "db", "nginx:1.27", 2))
        actions.set_image(cluster, "statefulset/db", "nginx:1.28")
        run_until(cluster, lambda: settled(cluster, "db", "nginx:1.28", 2))
        result = actions.rollout_undo(cluster, "statefulset/db")
        assert result.lines == ["statefulset.apps/db rolled back"]
        assert image(get(cluster, "StatefulSet", "db")) == "nginx:1.27"
        run_until(cluster, lambda: settled(cluster, "db", "nginx:1.27", 2))
        # The controller re-uses revision 1's ControllerRevision under number 3.
        assert sorted(revisions(cluster, "StatefulSet/db")) == [2, 3]
        assert image(revisions(cluster, "StatefulSet/db")[3]["data"]) == "nginx:1.27"

    def test_no_last_revision_to_roll_back_to(self) -> None:
        cluster = cluster_with(workload("StatefulSet", "db", replicas=1))
        cluster.run_until(5)
        assert actions.rollout_undo(cluster, "statefulset/db").errors == [
            "error: no last revision to roll back to"
        ]

    def test_the_current_revision_is_skipped_with_the_revision_asked_for(self) -> None:
        cluster = cluster_with(workload("StatefulSet", "db", replicas=1))
        cluster.run_until(5)
        assert actions.rollout_undo(cluster, "statefulset/db", to_revision=1).lines == [
            "statefulset.apps/db skipped rollback (current template already matches revision 1)"
        ]
        assert actions.rollout_undo(cluster, "statefulset/db", to_revision=4).errors == [
            "error: unable to find specified revision 4 in history"
        ]


class TestRolloutUndoDaemonSet:
    def test_rollback_to_a_named_revision(self) -> None:
        cluster = cluster_with(workload("DaemonSet", "agent"))
        run_until(cluster, lambda: settled(cluster, "agent", "nginx:1.27", 3))
        actions.set_image(cluster, "daemonset/agent", "nginx:1.28")
        run_until(cluster, lambda: settled(cluster, "agent", "nginx:1.28", 3))
        actions.set_image(cluster, "daemonset/agent", "nginx:1.29")
        run_until(cluster, lambda: settled(cluster, "agent", "nginx:1.29", 3))
        result = actions.rollout_undo(cluster, "daemonset/agent", to_revision=1)
        assert result.lines == ["daemonset.apps/agent rolled back"]
        run_until(cluster, lambda: settled(cluster, "agent", "nginx:1.27", 3))

    def test_a_negative_revision_is_not_found(self) -> None:
        cluster = cluster_with(workload("DaemonSet", "agent"))
        cluster.run_until(5)
        assert actions.rollout_undo(cluster, "daemonset/agent", to_revision=-1).errors == [
            "error: unable to find specified revision -1 in history"
        ]


class TestNoRollbacker:
    def test_a_replica_set_has_no_rollbacker_named_by_its_group_kind(self) -> None:
        cluster = cluster_with(workload("ReplicaSet", "web", replicas=1))
        cluster.run_until(2)
        assert actions.rollout_undo(cluster, "replicaset/web").errors == [
            'error: no rollbacker has been implemented for "ReplicaSet.apps"'
        ]


class TestRolloutUndoPausedDeployment:
    def test_a_paused_deployment_cannot_be_rolled_back(self) -> None:
        # kubectl polymorphichelpers/rollback.go, DeploymentRollbacker.Rollback: refused with
        # the same words whatever the Deployment is called.
        cluster = cluster_with(workload("Deployment", "web", replicas=1))
        run_until(cluster, lambda: settled(cluster, "web", "nginx:1.27", 1))
        actions.set_image(cluster, "deployment/web", "nginx:1.28")
        run_until(cluster, lambda: settled(cluster, "web", "nginx:1.28", 1))
        get(cluster, "Deployment", "web")["spec"]["paused"] = True
        assert actions.rollout_undo(cluster, "deployment/web").errors == [
            "error: you cannot rollback a paused deployment; resume it first with "
            "'kubectl rollout resume' and try again"
        ]
        assert image(get(cluster, "Deployment", "web")) == "nginx:1.28"
