"""The ReplicaSet controller: names, slow-start creation, FailedCreate, scale-down, status."""

from __future__ import annotations

import re

from engine.workloads.podcontrol import slow_start_batches
from tests.engine.workloads.helpers import (
    SUFFIX,
    active,
    cluster_with,
    events,
    get,
    names,
    pods_of,
    workload,
)


class TestPodNames:
    def test_pods_are_named_after_the_replica_set_with_five_random_characters(self) -> None:
        cluster = cluster_with(workload("ReplicaSet", "frontend", replicas=3))
        cluster.run_until(1)
        pods = pods_of(cluster, "frontend")
        assert len(pods) == 3
        for pod in pods:
            assert re.fullmatch(rf"frontend-{SUFFIX}", pod["metadata"]["name"])
            assert pod["metadata"]["generateName"] == "frontend-"

    def test_the_same_seed_gives_the_same_names(self) -> None:
        first = cluster_with(workload("ReplicaSet", "frontend", replicas=3), seed=7)
        second = cluster_with(workload("ReplicaSet", "frontend", replicas=3), seed=7)
        first.run_until(1)
        second.run_until(1)
        assert names(pods_of(first, "frontend")) == names(pods_of(second, "frontend"))

    def test_pods_carry_a_controller_owner_reference(self) -> None:
        cluster = cluster_with(workload("ReplicaSet", "frontend", replicas=1))
        cluster.run_until(1)
        rs = get(cluster, "ReplicaSet", "frontend")
        (pod,) = pods_of(cluster, "frontend")
        assert pod["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1",
                "blockOwnerDeletion": True,
                "controller": True,
                "kind": "ReplicaSet",
                "name": "frontend",
                "uid": rs["metadata"]["uid"],
            }
        ]


class TestSlowStart:
    def test_batch_sizes_double(self) -> None:
        assert slow_start_batches(10) == [1, 2, 4, 3]
        assert slow_start_batches(1) == [1]
        assert slow_start_batches(0) == []

    def test_a_refused_pod_stops_the_sync_after_the_first_batch(self) -> None:
        # A missing service account makes admission refuse every pod: one attempt per sync.
        cluster = cluster_with(
            workload(
                "ReplicaSet",
                "bad",
                replicas=5,
                pod_spec={
                    "serviceAccountName": "nope",
                    "containers": [{"name": "a", "image": "nginx"}],
                },
            )
        )
        cluster.run_until(0)
        rs = get(cluster, "ReplicaSet", "bad")
        failed = [e for e in cluster.events.events_for(rs) if e["reason"] == "FailedCreate"]
        assert len(failed) == 1
        assert failed[0]["type"] == "Warning"
        assert failed[0]["message"] == (
            'Error creating: pods "bad-" is forbidden: error looking up service account '
            'default/nope: serviceaccount "nope" not found'
        )
        assert failed[0]["source"] == {"component": "replicaset-controller"}
        assert pods_of(cluster, "bad") == []

    def test_failed_creates_are_retried_with_back_off_and_reported_in_status(self) -> None:
        cluster = cluster_with(
            workload(
                "ReplicaSet",
                "bad",
                replicas=1,
                pod_spec={
                    "serviceAccountName": "nope",
                    "containers": [{"name": "a", "image": "nginx"}],
                },
            )
        )
        cluster.run_until(10)
        rs = get(cluster, "ReplicaSet", "bad")
        (event,) = [e for e in cluster.events.events_for(rs) if e["reason"] == "FailedCreate"]
        # 5 ms doubling: a dozen tries in the first ten seconds, one Event counting them.
        assert 8 <= event["count"] <= 14
        (condition,) = rs["status"]["conditions"]
        assert condition["type"] == "ReplicaFailure"
        assert condition["reason"] == "FailedCreate"
        assert condition["message"].startswith('pods "bad-" is forbidden')

    def test_the_failure_condition_goes_once_pods_can_be_created(self) -> None:
        cluster = cluster_with(
            workload(
                "ReplicaSet",
                "late",
                replicas=1,
                pod_spec={
                    "serviceAccountName": "later",
                    "containers": [{"name": "a", "image": "nginx"}],
                },
            )
        )
        cluster.run_until(5)
        cluster.api.create(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": "later", "namespace": "default"},
            }
        )
        cluster.run_until(1200)
        rs = get(cluster, "ReplicaSet", "late")
        assert "conditions" not in rs["status"]
        assert len(pods_of(cluster, "late")) == 1


class TestReplicas:
    def test_a_deleted_pod_is_replaced_at_once_while_it_terminates(self) -> None:
        # `sleep` as PID 1 ignores SIGTERM: the pod takes its 30 s grace period to go.
        sleeper = {"containers": [{"name": "a", "image": "busybox", "command": ["sleep", "3600"]}]}
        cluster = cluster_with(workload("ReplicaSet", "web", replicas=2, pod_spec=sleeper))
        cluster.run_until(10)
        victim = pods_of(cluster, "web")[0]["metadata"]["name"]
        cluster.api.delete("Pod", "default", victim)
        cluster.run_until(11)
        pods = pods_of(cluster, "web")
        assert len(active(pods)) == 2
        assert victim in names(pods)  # still terminating, no longer counted

    def test_scaling_down_deletes_and_reports(self) -> None:
        cluster = cluster_with(workload("ReplicaSet", "web", replicas=3))
        cluster.run_until(10)
        rs = get(cluster, "ReplicaSet", "web")
        rs["spec"]["replicas"] = 1
        cluster.store.modified(rs, spec_changed=True)
        cluster.run_until(11)
        assert len(active(pods_of(cluster, "web"))) == 1
        assert len(events(cluster, rs, "SuccessfulDelete")) == 2
        assert all(
            m.startswith("Deleted pod: web-") for m in events(cluster, rs, "SuccessfulDelete")
        )

    def test_scale_down_prefers_pods_that_are_not_ready(self) -> None:
        cluster = cluster_with(workload("ReplicaSet", "web", replicas=3))
        cluster.run_until(10)
        pods = pods_of(cluster, "web")
        # An unscheduled pod of the same ReplicaSet, added by hand, is the first to go.
        rs = get(cluster, "ReplicaSet", "web")
        rs["spec"]["replicas"] = 4
        cluster.store.modified(rs, spec_changed=True)
        cluster.run_until(10.5)
        newest = [p for p in pods_of(cluster, "web") if p not in pods]
        assert len(newest) == 1
        rs["spec"]["replicas"] = 3
        cluster.store.modified(rs, spec_changed=True)
        cluster.run_until(11)
        assert (
            newest[0]["metadata"].get("deletionTimestamp")
            or cluster.store.get("Pod", "default", newest[0]["metadata"]["name"]) is None
        )


class TestStatus:
    def test_status_counts_replicas_ready_and_available(self) -> None:
        cluster = cluster_with(workload("ReplicaSet", "web", replicas=2))
        cluster.run_until(1)
        status = get(cluster, "ReplicaSet", "web")["status"]
        assert status == {"fullyLabeledReplicas": 2, "observedGeneration": 1, "replicas": 2}
        cluster.run_until(20)
        status = get(cluster, "ReplicaSet", "web")["status"]
        assert status == {
            "availableReplicas": 2,
            "fullyLabeledReplicas": 2,
            "observedGeneration": 1,
            "readyReplicas": 2,
            "replicas": 2,
        }

    def test_fully_labeled_replicas_drop_when_a_pod_loses_a_template_label(self) -> None:
        # k/k pkg/controller/replicaset/replica_set_utils.go calculateStatus: a pod counts
        # as fully labeled only with every label of the template; updatePod wakes the
        # ReplicaSet on any change to its pod, here a label removed in place.
        labels = {"app": "web", "tier": "front"}
        cluster = cluster_with(
            workload("ReplicaSet", "web", replicas=2, labels=labels, selector=False).replace(
                "spec:\n", "spec:\n  selector: {matchLabels: {app: web}}\n", 1
            )
        )
        cluster.run_until(20)
        assert get(cluster, "ReplicaSet", "web")["status"]["fullyLabeledReplicas"] == 2
        pod = pods_of(cluster, "web")[0]
        del pod["metadata"]["labels"]["tier"]
        cluster.store.modified(pod)
        cluster.run_until(21)
        status = get(cluster, "ReplicaSet", "web")["status"]
        assert status["fullyLabeledReplicas"] == 1
        assert status["replicas"] == 2  # still selected (app=web): kept, not replaced

    def test_min_ready_seconds_delays_availability(self) -> None:
        cluster = cluster_with(
            workload("ReplicaSet", "web", replicas=1, spec={"minReadySeconds": 10})
        )
        cluster.run_until(60)
        rs = get(cluster, "ReplicaSet", "web")
        (pod,) = pods_of(cluster, "web")
        ready_at = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
        assert rs["status"]["availableReplicas"] == 1
        cluster2 = cluster_with(
            workload("ReplicaSet", "web", replicas=1, spec={"minReadySeconds": 10})
        )
        from engine.timeutil import parse_time

        became_ready = (
            parse_time(ready_at["lastTransitionTime"]) - cluster.clock.start
        ).total_seconds()
        cluster2.run_until(became_ready + 10)
        assert get(cluster2, "ReplicaSet", "web")["status"].get("availableReplicas", 0) == 0
        cluster2.run_until(became_ready + 11)
        assert get(cluster2, "ReplicaSet", "web")["status"]["availableReplicas"] == 1


class TestAdoption:
    def test_an_orphan_pod_that_matches_is_adopted_and_counts(self) -> None:
        pod = """
apiVersion: v1
kind: Pod
metadata: {name: stray, labels: {app: web}}
spec: {containers: [{name: a, image: nginx}]}
---
"""
        cluster = cluster_with(pod + workload("ReplicaSet", "web", replicas=2))
        cluster.run_until(1)
        stray = get(cluster, "Pod", "stray")
        assert stray["metadata"]["ownerReferences"][0]["name"] == "web"
        assert len(active(pods_of(cluster, "web"))) == 1  # one more besides the stray

    def test_a_pod_whose_labels_stop_matching_is_released(self) -> None:
        cluster = cluster_with(workload("ReplicaSet", "web", replicas=1))
        cluster.run_until(5)
        (pod,) = pods_of(cluster, "web")
        pod["metadata"]["labels"] = {"app": "debug"}
        cluster.store.modified(pod)
        cluster.run_until(6)
        assert "ownerReferences" not in pod["metadata"]
        assert len(active(pods_of(cluster, "web"))) == 2  # a replacement plus the released one


class TestEchoSync:
    def test_the_sync_asked_for_by_its_own_status_write_scans_no_pod(self) -> None:
        # k/k replica_set.go updateRS enqueues the ReplicaSet on every update, its own
        # status write included; that sync would read the pods it just counted and change
        # nothing, so it does not scan them again (a rollout would scan every pod twice).
        cluster = cluster_with(workload("ReplicaSet", "web", replicas=3))
        controller = cluster.controllers["replicaset"]
        # Every sync lists the pods here (not from the counts), to see which syncs would.
        controller.from_counts = False
        trace: list[str] = []
        claim, sync = controller.claim_pods, controller.sync

        def scanning(owner: dict, selector, **kwargs):  # type: ignore[no-untyped-def]
            trace.append("scan")
            return claim(owner, selector, **kwargs)

        def syncing(key: tuple[str, str]) -> None:
            trace.append("sync")
            sync(key)

        controller.claim_pods = scanning  # type: ignore[method-assign]
        controller.sync = syncing  # type: ignore[method-assign]
        cluster.store.watch(lambda change: trace.append(change.kind), {"ReplicaSet"})
        cluster.run_until(30)
        assert get(cluster, "ReplicaSet", "web")["status"]["readyReplicas"] == 3
        # The pods turn Ready: a sync counts them and writes the status; the sync that
        # write asks for is the last and scans nothing.
        assert trace[-4:] == ["sync", "scan", "ReplicaSet", "sync"]

    def test_a_change_after_the_status_write_is_still_synced(self) -> None:
        cluster = cluster_with(workload("ReplicaSet", "web", replicas=3))
        cluster.run_until(20)
        rs = get(cluster, "ReplicaSet", "web")
        assert rs["status"]["availableReplicas"] == 3
        rs["spec"]["replicas"] = 1
        cluster.store.modified(rs, spec_changed=True)
        cluster.run_until(21)
        assert len(active(pods_of(cluster, "web"))) == 1
        assert get(cluster, "ReplicaSet", "web")["status"]["replicas"] == 1
