"""The Deployment controller: rollouts checked at every tick, Recreate, revisions, history,
conditions, events, scaling and the rollout verbs."""

from __future__ import annotations

import re

import pytest

from engine.workloads import actions
from engine.workloads import deployment_util as du
from tests.engine.workloads.helpers import (
    active,
    apply,
    cluster_with,
    container,
    events,
    get,
    pods_of,
    ready,
    workload,
)


def deployment(name: str = "web", replicas: int = 4, **spec) -> str:
    return workload("Deployment", name, replicas=replicas, spec=spec or None)


def replica_sets(cluster, name: str = "web") -> list[dict]:
    return sorted(
        (
            rs
            for rs in cluster.store.list("ReplicaSet")
            if rs["metadata"]["name"].startswith(f"{name}-")
        ),
        key=lambda rs: du.revision(rs),
    )


def rolled_out(cluster, name: str = "web") -> bool:
    d = get(cluster, "Deployment", name)
    status = d.get("status") or {}
    want = d["spec"]["replicas"]
    return (
        status.get("observedGeneration") == d["metadata"]["generation"]
        and status.get("updatedReplicas") == want
        and status.get("replicas") == want
        and status.get("availableReplicas") == want
        and len(pods_of(cluster, name)) == want
    )


def run_until_rolled_out(cluster, name: str = "web", limit: float = 300) -> None:
    start = cluster.now
    while not rolled_out(cluster, name):
        assert cluster.now - start < limit, "the rollout did not finish"
        cluster.tick()


class TestRollingUpdateInvariants:
    """At every tick of a rolling update: at most replicas + maxSurge pods, at least
    replicas - maxUnavailable of them available."""

    @pytest.mark.parametrize(
        ("replicas", "max_surge", "max_unavailable", "surge", "unavailable"),
        [
            (4, "25%", "25%", 1, 1),
            (10, "25%", "25%", 3, 2),
            (5, 2, 0, 2, 0),
            (3, 0, 1, 0, 1),
            (6, "50%", "50%", 3, 3),
            (1, 0, "10%", 0, 1),  # both round to 0: unavailable becomes 1
        ],
    )
    def test_bounds_hold_at_every_tick(
        self, replicas, max_surge, max_unavailable, surge, unavailable
    ) -> None:
        strategy = {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": max_surge, "maxUnavailable": max_unavailable},
        }
        cluster = cluster_with(deployment(replicas=replicas, strategy=strategy))
        run_until_rolled_out(cluster)
        assert actions.set_image(cluster, "deployment/web", "nginx:1.28").lines == [
            "deployment.apps/web image updated"
        ]
        seen_new = False
        start = cluster.now
        while True:
            pods = active(pods_of(cluster, "web"))
            assert len(pods) <= replicas + surge, f"too many pods at t={cluster.now}"
            available = [p for p in pods if ready(p)]
            assert len(available) >= replicas - unavailable, f"too few available at t={cluster.now}"
            seen_new = seen_new or any(
                p["spec"]["containers"][0]["image"] == "nginx:1.28" for p in pods
            )
            if rolled_out(cluster) and all(
                p["spec"]["containers"][0]["image"] == "nginx:1.28" for p in pods_of(cluster, "web")
            ):
                break
            assert cluster.now - start < 300
            cluster.tick()
        assert seen_new

    def test_the_first_step_surges_before_anything_goes(self) -> None:
        cluster = cluster_with(deployment(replicas=4))
        run_until_rolled_out(cluster)
        actions.set_image(cluster, "deployment/web", "nginx:1.28")
        cluster.run_until(cluster.now + 0.5)
        old, new = replica_sets(cluster)
        # 25% of 4: one surge pod (5 in all); one old pod may go as it may be unavailable,
        # which leaves room for a second new one (5 again). New pods are not available yet,
        # so nothing more moves until one is.
        assert (new["spec"]["replicas"], old["spec"]["replicas"]) == (2, 3)
        messages = events(cluster, get(cluster, "Deployment", "web"), "ScalingReplicaSet")[-3:]
        assert messages == [
            f"Scaled up replica set {new['metadata']['name']} to 1",
            f"Scaled down replica set {old['metadata']['name']} to 3 from 4",
            f"Scaled up replica set {new['metadata']['name']} to 2 from 1",
        ]


class TestRecreate:
    def test_no_new_pod_starts_while_an_old_one_exists(self) -> None:
        sleeper = {
            "containers": [
                container(
                    image="busybox", command=["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
                )
            ]
        }
        text = workload(
            "Deployment",
            "web",
            replicas=3,
            spec={"strategy": {"type": "Recreate"}},
            pod_spec=sleeper,
        )
        cluster = cluster_with(text)
        run_until_rolled_out(cluster)
        old_names = {p["metadata"]["name"] for p in pods_of(cluster, "web")}
        actions.set_image(cluster, "deployment/web", "busybox:1.37")
        start = cluster.now
        while (
            not rolled_out(cluster)
            or set(p["metadata"]["name"] for p in pods_of(cluster, "web")) & old_names
        ):
            pods = pods_of(cluster, "web")
            current = {p["metadata"]["name"] for p in pods}
            if current & old_names:
                assert current <= old_names, f"a new pod beside old ones at t={cluster.now}"
            assert cluster.now - start < 300
            cluster.tick()
        old, new = replica_sets(cluster)
        assert old["spec"]["replicas"] == 0 and new["spec"]["replicas"] == 3

    def test_recreate_has_no_rolling_update_parameters(self) -> None:
        cluster = cluster_with(deployment(replicas=1, strategy={"type": "Recreate"}))
        d = get(cluster, "Deployment", "web")
        assert d["spec"]["strategy"] == {"type": "Recreate"}


class TestReplicaSets:
    def test_the_new_replica_set_is_named_by_its_template_hash(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        cluster.run_until(1)
        (rs,) = replica_sets(cluster)
        pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
        assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{1,10}", pod_hash)
        assert rs["metadata"]["name"] == f"web-{pod_hash}"
        assert rs["spec"]["selector"]["matchLabels"] == {
            "app": "web",
            "pod-template-hash": pod_hash,
        }
        for pod in pods_of(cluster, "web"):
            assert re.fullmatch(
                rf"web-{pod_hash}-[bcdfghjklmnpqrstvwxz2456789]{{5}}", pod["metadata"]["name"]
            )
            assert pod["metadata"]["labels"]["pod-template-hash"] == pod_hash

    def test_revisions_count_up_and_the_deployment_carries_the_latest(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        run_until_rolled_out(cluster)
        actions.set_image(cluster, "deployment/web", "nginx:1.28")
        run_until_rolled_out(cluster)
        old, new = replica_sets(cluster)
        assert (du.revision(old), du.revision(new)) == (1, 2)
        assert (
            get(cluster, "Deployment", "web")["metadata"]["annotations"][du.REVISION_ANNOTATION]
            == "2"
        )
        assert new["metadata"]["annotations"][du.DESIRED_REPLICAS_ANNOTATION] == "2"
        assert new["metadata"]["annotations"][du.MAX_REPLICAS_ANNOTATION] == "3"

    def test_revision_history_limit_deletes_the_oldest_empty_replica_sets(self) -> None:
        cluster = cluster_with(deployment(replicas=1, revisionHistoryLimit=1))
        for image in ("nginx:1.27", "nginx:1.28", "nginx:1.29", "nginx:1.26"):
            actions.set_image(cluster, "deployment/web", image)
            run_until_rolled_out(cluster)
        cluster.run_until(cluster.now + 5)
        revisions = [du.revision(rs) for rs in replica_sets(cluster)]
        assert revisions == [3, 4]

    def test_reapplying_a_changed_template_starts_a_rollout(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        run_until_rolled_out(cluster)
        changed = workload(
            "Deployment",
            "web",
            replicas=2,
            pod_spec={"containers": [container(image="nginx:1.28")]},
        )
        assert apply(cluster, changed) == ["deployment.apps/web configured"]
        run_until_rolled_out(cluster)
        assert len(replica_sets(cluster)) == 2
        assert all(
            p["spec"]["containers"][0]["image"] == "nginx:1.28" for p in pods_of(cluster, "web")
        )


class TestEventsAndConditions:
    def test_scaling_events_say_from_what(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        run_until_rolled_out(cluster)
        actions.set_image(cluster, "deployment/web", "nginx:1.28")
        run_until_rolled_out(cluster)
        old, new = replica_sets(cluster)
        old_name, new_name = old["metadata"]["name"], new["metadata"]["name"]
        messages = events(cluster, get(cluster, "Deployment", "web"), "ScalingReplicaSet")
        assert messages[0] == f"Scaled up replica set {old_name} to 2"
        assert f"Scaled up replica set {new_name} to 1" in messages
        assert f"Scaled down replica set {old_name} to 0 from 1" in messages
        assert f"Scaled up replica set {new_name} to 2 from 1" in messages

    def test_conditions_of_a_finished_rollout(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        run_until_rolled_out(cluster)
        cluster.run_until(cluster.now + 1)
        d = get(cluster, "Deployment", "web")
        (rs,) = replica_sets(cluster)
        conditions = {c["type"]: c for c in d["status"]["conditions"]}
        assert [c["type"] for c in d["status"]["conditions"]] == ["Available", "Progressing"]
        assert (conditions["Available"]["status"], conditions["Available"]["reason"]) == (
            "True",
            "MinimumReplicasAvailable",
        )
        assert conditions["Available"]["message"] == "Deployment has minimum availability."
        assert conditions["Progressing"]["reason"] == "NewReplicaSetAvailable"
        assert conditions["Progressing"]["message"] == (
            f'ReplicaSet "{rs["metadata"]["name"]}" has successfully progressed.'
        )

    def test_a_new_deployment_starts_without_minimum_availability(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        cluster.run_until(0)
        d = get(cluster, "Deployment", "web")
        available = next(c for c in d["status"]["conditions"] if c["type"] == "Available")
        assert (available["status"], available["reason"]) == ("False", "MinimumReplicasUnavailable")
        progressing = next(c for c in d["status"]["conditions"] if c["type"] == "Progressing")
        assert progressing["reason"] in ("NewReplicaSetCreated", "ReplicaSetUpdated")

    def test_no_progress_past_the_deadline_times_out(self) -> None:
        never_ready = {
            "containers": [
                container(
                    readinessProbe={"exec": {"command": ["cat", "/tmp/never"]}, "periodSeconds": 2}
                )
            ]
        }
        text = workload(
            "Deployment",
            "web",
            replicas=1,
            spec={"progressDeadlineSeconds": 30},
            pod_spec=never_ready,
        )
        cluster = cluster_with(text)
        cluster.run_until(25)
        progressing = next(
            c
            for c in get(cluster, "Deployment", "web")["status"]["conditions"]
            if c["type"] == "Progressing"
        )
        assert progressing["status"] == "True"
        cluster.run_until(40)
        d = get(cluster, "Deployment", "web")
        (rs,) = replica_sets(cluster)
        progressing = next(c for c in d["status"]["conditions"] if c["type"] == "Progressing")
        assert (progressing["status"], progressing["reason"]) == (
            "False",
            "ProgressDeadlineExceeded",
        )
        assert (
            progressing["message"]
            == f'ReplicaSet "{rs["metadata"]["name"]}" has timed out progressing.'
        )

    def test_a_stuck_deployment_requeued_on_unchanged_inputs_does_what_a_full_sync_does(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # k/k pkg/controller/deployment/progress.go, requeueStuckDeployment: a complete
        # Deployment that loses a pod past its deadline requeues itself (rate-limited) until
        # the pod is back, and never times out (syncRolloutStatus skips the deadline check
        # of a complete rollout). The engine skips a requeued sync whose Deployment and
        # ReplicaSets have not changed since it last only requeued: the same story, fewer
        # syncs.
        from engine.checkpoint.replay import fingerprint
        from engine.scenario import Step
        from engine.steps import run_step
        from engine.workloads.deployment import DeploymentController

        text = workload("Deployment", "web", replicas=3, spec={"progressDeadlineSeconds": 30})

        def story() -> tuple[str, int, dict]:
            syncs = 0
            full_sync = DeploymentController._sync

            def counted(self, deployment: dict) -> None:
                nonlocal syncs
                syncs += 1
                full_sync(self, deployment)

            monkeypatch.setattr(DeploymentController, "_sync", counted)
            cluster = cluster_with(text)
            run_until_rolled_out(cluster)
            node = pods_of(cluster, "web")[0]["spec"]["nodeName"]
            run_step(cluster, Step(cluster.now, "inject", {"fault": "nodeDown", "node": node}))
            cluster.run_until(cluster.now + 300)
            down = get(cluster, "Deployment", "web")["status"]
            assert down["availableReplicas"] < 3
            progressing = du.get_condition(down, "Progressing")
            run_step(cluster, Step(cluster.now, "inject", {"fault": "nodeUp", "node": node}))
            run_until_rolled_out(cluster)
            cluster.run_until(cluster.now + 60)
            return fingerprint(cluster), syncs, progressing

        quiet = story()
        monkeypatch.setattr(DeploymentController, "_inputs", lambda self, deployment: None)
        full = story()
        assert quiet[2]["reason"] == full[2]["reason"] == "NewReplicaSetAvailable"
        assert quiet[0] == full[0]
        assert quiet[1] < full[1] - 100

    def test_a_paused_deployment_reports_it_and_does_not_roll(self) -> None:
        cluster = cluster_with(deployment(replicas=1))
        run_until_rolled_out(cluster)
        d = get(cluster, "Deployment", "web")
        paused = dict(d)
        paused["spec"] = {**d["spec"], "paused": True}
        cluster.api.update(paused)
        actions.set_image(cluster, "deployment/web", "nginx:1.28")
        cluster.run_until(cluster.now + 30)
        d = get(cluster, "Deployment", "web")
        progressing = next(c for c in d["status"]["conditions"] if c["type"] == "Progressing")
        assert (progressing["status"], progressing["reason"], progressing["message"]) == (
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused",
        )
        assert len(replica_sets(cluster)) == 1


class TestScaling:
    def test_scaling_mid_rollout_shares_the_change_between_replica_sets(self) -> None:
        never_ready = {
            "containers": [container(readinessProbe={"exec": {"command": ["cat", "/tmp/never"]}})]
        }
        text = workload("Deployment", "web", replicas=10, pod_spec={"containers": [container()]})
        cluster = cluster_with(text)
        run_until_rolled_out(cluster)
        # A new template that never becomes ready stalls the rollout half-way.
        d = dict(get(cluster, "Deployment", "web"))
        d["spec"] = {
            **d["spec"],
            "template": {
                **d["spec"]["template"],
                "spec": {**d["spec"]["template"]["spec"], **never_ready},
            },
        }
        cluster.api.update(d)
        cluster.run_until(cluster.now + 20)
        old, new = replica_sets(cluster)
        assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (8, 5)  # 10 + surge 3
        assert actions.scale(cluster, "deployment/web", 20).lines == ["deployment.apps/web scaled"]
        cluster.run_until(cluster.now + 1)
        old, new = replica_sets(cluster)
        # 23 allowed before, 25 now: the 2 extra go in proportion (8/13 and 5/13 of 25).
        assert old["spec"]["replicas"] + new["spec"]["replicas"] == 20 + 5
        assert old["spec"]["replicas"] > 8 and new["spec"]["replicas"] > 5
        scaled = events(cluster, get(cluster, "Deployment", "web"), "ScalingReplicaSet")
        assert any(
            m.startswith(f"Scaled up replica set {old['metadata']['name']} to") for m in scaled
        )

    def test_scale_to_zero_and_back(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        run_until_rolled_out(cluster)
        actions.scale(cluster, "deployment/web", 0)
        cluster.run_until(cluster.now + 40)
        assert active(pods_of(cluster, "web")) == []
        actions.scale(cluster, "deployment/web", 3)
        run_until_rolled_out(cluster)
        assert len(replica_sets(cluster)) == 1


class TestRolloutVerbs:
    def test_undo_goes_back_to_the_previous_template_and_bumps_its_revision(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        run_until_rolled_out(cluster)
        actions.set_image(cluster, "deployment/web", "nginx:1.28")
        run_until_rolled_out(cluster)
        assert actions.rollout_undo(cluster, "deployment/web").lines == [
            "deployment.apps/web rolled back"
        ]
        run_until_rolled_out(cluster)
        images = {p["spec"]["containers"][0]["image"] for p in pods_of(cluster, "web")}
        assert images == {"nginx:1.27"}
        first, _second = sorted(
            replica_sets(cluster), key=lambda rs: rs["metadata"]["creationTimestamp"]
        )
        assert du.revision(first) == 3
        assert first["metadata"]["annotations"][du.REVISION_HISTORY_ANNOTATION] == "1"
        assert len(replica_sets(cluster)) == 2  # the old ReplicaSet was reused

    def test_undo_without_history_is_an_error(self) -> None:
        cluster = cluster_with(deployment(replicas=1))
        cluster.run_until(1)
        assert actions.rollout_undo(cluster, "deployment/web").errors == [
            'error: no rollout history found for deployment "web"'
        ]

    def test_undo_to_the_current_revision_is_skipped(self) -> None:
        cluster = cluster_with(deployment(replicas=1))
        run_until_rolled_out(cluster)
        assert actions.rollout_undo(cluster, "deployment/web", to_revision=1).lines == [
            "deployment.apps/web skipped rollback (current template already matches revision 1)"
        ]
        assert actions.rollout_undo(cluster, "deployment/web", to_revision=7).errors == [
            "error: unable to find specified revision 7 in history"
        ]

    def test_restart_rolls_every_pod_with_a_restarted_at_annotation(self) -> None:
        cluster = cluster_with(deployment(replicas=2))
        run_until_rolled_out(cluster)
        before = {p["metadata"]["name"] for p in pods_of(cluster, "web")}
        stamp = cluster.clock.timestamp()
        assert actions.rollout_restart(cluster, "deployment/web").lines == [
            "deployment.apps/web restarted"
        ]
        assert actions.rollout_restart(cluster, "deployment/web").errors == [
            "error: failed to create patch for web: if restart has already been triggered within "
            "the past second, please wait before attempting to trigger another"
        ]
        run_until_rolled_out(cluster)
        pods = pods_of(cluster, "web")
        assert not before & {p["metadata"]["name"] for p in pods}
        assert {
            p["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] for p in pods
        } == {stamp}

    def test_scale_and_set_image_errors_in_kubectls_words(self) -> None:
        cluster = cluster_with(deployment(replicas=1))
        assert actions.scale(cluster, "deployment/nope", 2).errors == [
            'Error from server (NotFound): deployments.apps "nope" not found'
        ]
        assert actions.set_image(cluster, "deployment/web", "x:1", container="db").errors == [
            'error: unable to find container named "db"'
        ]
        assert (
            actions.set_image(cluster, "deployment/web", "nginx:1.27", container="app").lines == []
        )
