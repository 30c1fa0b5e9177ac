"""The Deployment controller's arithmetic, table-driven from upstream's own tests
(k/k pkg/controller/deployment/util/deployment_util_test.go, intstr_test.go)."""

from __future__ import annotations

import pytest

from engine.workloads import deployment_util as du
from engine.workloads.intstr import IntOrStringError, get_scaled_value_from_int_or_percent


def deployment(
    replicas: int,
    max_surge: object = "25%",
    max_unavailable: object = "25%",
    strategy: str = "RollingUpdate",
) -> dict:
    spec: dict = {"replicas": replicas, "strategy": {"type": strategy}}
    if strategy == "RollingUpdate":
        rolling = {}
        if max_surge is not None:
            rolling["maxSurge"] = max_surge
        if max_unavailable is not None:
            rolling["maxUnavailable"] = max_unavailable
        spec["strategy"]["rollingUpdate"] = rolling
    return {"metadata": {"name": "web", "generation": 1}, "spec": spec, "status": {}}


def replica_set(name: str, replicas: int, available: int = 0, created: str = "") -> dict:
    return {
        "metadata": {"name": name, "creationTimestamp": created or "2025-01-01T00:00:00Z"},
        "spec": {"replicas": replicas},
        "status": {"availableReplicas": available},
    }


class TestGetScaledValueFromIntOrPercent:
    @pytest.mark.parametrize(
        ("value", "total", "round_up", "expected"),
        [
            (5, 10, True, 5),
            ("25%", 10, True, 3),
            ("25%", 10, False, 2),
            ("25%", 4, True, 1),
            ("25%", 3, False, 0),
            ("25%", 3, True, 1),
            ("100%", 7, False, 7),
            ("0%", 0, True, 0),
            ("39%", 10, True, 4),
            ("39%", 10, False, 3),
        ],
    )
    def test_ints_pass_and_percents_round_as_asked(self, value, total, round_up, expected) -> None:
        assert get_scaled_value_from_int_or_percent(value, total, round_up) == expected

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("oops", "invalid value for IntOrString: invalid type: string is not a percentage"),
            (
                "urg%",
                'invalid value for IntOrString: invalid value "urg%": strconv.Atoi: parsing "urg": invalid syntax',
            ),
            (None, "nil value for IntOrString"),
        ],
    )
    def test_bad_values_are_errors_with_upstreams_text(self, value, message) -> None:
        with pytest.raises(IntOrStringError) as raised:
            get_scaled_value_from_int_or_percent(value, 10, True)
        assert str(raised.value) == message


class TestResolveFenceposts:
    """TestResolveFenceposts: surge rounds up, unavailable down, both zero makes unavailable 1."""

    @pytest.mark.parametrize(
        ("max_surge", "max_unavailable", "desired", "surge", "unavailable"),
        [
            ("0%", "0%", 0, 0, 1),
            ("39%", "39%", 10, 4, 3),
            (None, "39%", 10, 0, 3),
            ("39%", None, 10, 4, 0),
            (None, None, 10, 0, 1),
        ],
    )
    def test_table(self, max_surge, max_unavailable, desired, surge, unavailable) -> None:
        assert du.resolve_fenceposts(max_surge, max_unavailable, desired) == (surge, unavailable)

    @pytest.mark.parametrize(("max_surge", "max_unavailable"), [("oops", "39%"), ("55%", "urg")])
    def test_bad_values_are_errors(self, max_surge, max_unavailable) -> None:
        with pytest.raises(IntOrStringError):
            du.resolve_fenceposts(max_surge, max_unavailable, 10)


class TestMaxUnavailable:
    """TestMaxUnavailable: capped at replicas, 0 for Recreate and for 0 replicas."""

    @pytest.mark.parametrize(
        ("replicas", "max_unavailable", "strategy", "expected"),
        [
            (10, 5, "RollingUpdate", 5),
            (10, 10, "RollingUpdate", 10),
            (5, 10, "RollingUpdate", 5),
            (0, 10, "RollingUpdate", 0),
            (10, 5, "Recreate", 0),
            (10, "50%", "RollingUpdate", 5),
            (10, "100%", "RollingUpdate", 10),
            (5, "100%", "RollingUpdate", 5),
        ],
    )
    def test_table(self, replicas, max_unavailable, strategy, expected) -> None:
        d = deployment(replicas, max_surge=0, max_unavailable=max_unavailable, strategy=strategy)
        assert du.max_unavailable(d) == expected

    def test_defaults_give_surge_one_and_unavailable_one_of_four(self) -> None:
        d = deployment(4)
        assert (du.max_surge(d), du.max_unavailable(d)) == (1, 1)


class TestNewRSNewReplicas:
    """TestNewRSNewReplicas: the new ReplicaSet grows within replicas + maxSurge."""

    @pytest.mark.parametrize(
        ("replicas", "max_surge", "strategy", "new_size", "others", "expected"),
        [
            (1, 1, "RollingUpdate", 5, [], 5),
            (6, 10, "RollingUpdate", 2, [], 6),
            (3, 0, "Recreate", 0, [], 3),
            (4, 1, "RollingUpdate", 0, [4], 1),
            (4, 1, "RollingUpdate", 1, [4], 1),
            (4, 1, "RollingUpdate", 1, [3], 2),
            (10, "30%", "RollingUpdate", 0, [10], 3),
        ],
    )
    def test_table(self, replicas, max_surge, strategy, new_size, others, expected) -> None:
        d = deployment(replicas, max_surge=max_surge, max_unavailable=0, strategy=strategy)
        new_rs = replica_set("new", new_size)
        all_rss = [new_rs, *[replica_set(f"old{i}", n) for i, n in enumerate(others)]]
        assert du.new_rs_new_replicas(d, all_rss, new_rs) == expected


class TestMaxScaledDown:
    """reconcileOldReplicaSets' bound: total - minAvailable - unavailable new replicas."""

    @pytest.mark.parametrize(
        ("replicas", "old", "new", "new_available", "expected"),
        [
            (4, 4, 1, 0, 1),  # 5 - 3 available needed - 1 new unavailable
            (4, 4, 1, 1, 2),  # the new pod is available
            (4, 3, 2, 1, 1),
            (10, 10, 0, 0, 2),
        ],
    )
    def test_table(self, replicas, old, new, new_available, expected) -> None:
        d = deployment(replicas)
        new_rs = replica_set("new", new, new_available)
        assert du.max_scaled_down(d, [replica_set("old", old), new_rs], new_rs) == expected


class TestProportionalScaling:
    """getReplicaSetFraction / GetProportion (deployment_util.go)."""

    def test_fraction_uses_the_max_replicas_annotation(self) -> None:
        d = deployment(20, max_surge=3, max_unavailable=0)
        rs = replica_set("a", 6)
        rs["metadata"]["annotations"] = {du.MAX_REPLICAS_ANNOTATION: "13"}
        # 6 * 23 / 13 = 10.6 -> 11, i.e. +5
        assert du.replica_set_fraction(rs, d) == 5

    def test_scaling_to_zero_takes_everything(self) -> None:
        assert du.replica_set_fraction(replica_set("a", 7), deployment(0)) == -7

    @pytest.mark.parametrize(
        ("fraction_rs", "to_add", "added", "expected"),
        [
            (6, 10, 0, 5),  # bounded by the fraction
            (6, 10, 8, 2),  # bounded by what is left to add
            (0, 10, 0, 0),  # an empty ReplicaSet gets nothing
        ],
    )
    def test_proportion(self, fraction_rs, to_add, added, expected) -> None:
        d = deployment(20, max_surge=3, max_unavailable=0)
        rs = replica_set("a", fraction_rs)
        rs["metadata"]["annotations"] = {du.MAX_REPLICAS_ANNOTATION: "13"}
        assert du.get_proportion(rs, d, to_add, added) == expected

    @pytest.mark.parametrize(("value", "expected"), [(2.5, 3), (-2.5, -3), (2.4, 2), (0.5, 1)])
    def test_rounding_is_half_away_from_zero(self, value, expected) -> None:
        assert du.round_half_away(value) == expected


class TestProgress:
    def status(self, **fields) -> dict:
        return {"observedGeneration": 1, **fields}

    def test_complete_needs_every_replica_updated_and_available(self) -> None:
        d = deployment(3)
        done = self.status(updatedReplicas=3, replicas=3, availableReplicas=3)
        assert du.deployment_complete(d, done)
        assert not du.deployment_complete(d, {**done, "availableReplicas": 2})
        assert not du.deployment_complete(d, {**done, "replicas": 4})

    def test_progress_is_more_updated_ready_or_available_or_fewer_old(self) -> None:
        d = deployment(3)
        d["status"] = {
            "replicas": 4,
            "updatedReplicas": 1,
            "readyReplicas": 3,
            "availableReplicas": 3,
        }
        assert du.deployment_progressing(d, {**d["status"], "updatedReplicas": 2})
        assert du.deployment_progressing(d, {**d["status"], "replicas": 3})
        assert not du.deployment_progressing(d, dict(d["status"]))

    @pytest.mark.parametrize(
        ("last_update_ago", "timed_out"), [(11, True), (9, False), (10, False)]
    )
    def test_timed_out_after_the_deadline_strictly(self, last_update_ago, timed_out) -> None:
        d = deployment(1)
        d["spec"]["progressDeadlineSeconds"] = 10
        status = {"conditions": [{"type": "Progressing", "reason": du.REPLICA_SET_UPDATED_REASON}]}
        now = 100.0
        assert du.deployment_timed_out(d, status, now, now - last_update_ago) is timed_out

    def test_a_completed_rollout_never_times_out(self) -> None:
        d = deployment(1)
        d["spec"]["progressDeadlineSeconds"] = 10
        status = {"conditions": [{"type": "Progressing", "reason": du.NEW_RS_AVAILABLE_REASON}]}
        assert not du.deployment_timed_out(d, status, 1000.0, 0.0)

    def test_max_int32_deadline_means_none(self) -> None:
        d = deployment(1)
        d["spec"]["progressDeadlineSeconds"] = du.MAX_INT32
        assert not du.has_progress_deadline(d)


class TestConditions:
    def test_same_status_and_reason_changes_nothing(self) -> None:
        status = {"conditions": [du.new_condition("Available", "True", "A", "m", "t1")]}
        du.set_condition(status, du.new_condition("Available", "True", "A", "m2", "t2"))
        assert status["conditions"][0]["lastUpdateTime"] == "t1"

    def test_same_status_new_reason_keeps_the_transition_time_and_moves_last(self) -> None:
        status = {
            "conditions": [
                du.new_condition("Progressing", "True", "NewReplicaSetCreated", "m", "t1"),
                du.new_condition("Available", "True", "A", "m", "t1"),
            ]
        }
        du.set_condition(
            status, du.new_condition("Progressing", "True", "ReplicaSetUpdated", "m", "t2")
        )
        assert [c["type"] for c in status["conditions"]] == ["Available", "Progressing"]
        assert status["conditions"][1]["lastTransitionTime"] == "t1"
        assert status["conditions"][1]["lastUpdateTime"] == "t2"


class TestRevisionAnnotations:
    def test_a_new_replica_set_gets_revision_and_replica_annotations(self) -> None:
        d = deployment(4)
        rs = {"metadata": {"name": "web-abc"}}
        assert du.set_new_replica_set_annotations(d, rs, "3", exists=False)
        assert rs["metadata"]["annotations"] == {
            du.REVISION_ANNOTATION: "3",
            du.DESIRED_REPLICAS_ANNOTATION: "4",
            du.MAX_REPLICAS_ANNOTATION: "5",
        }

    def test_a_reused_replica_set_keeps_its_old_revisions_in_the_history(self) -> None:
        d = deployment(1)
        rs = {"metadata": {"name": "web-abc", "annotations": {du.REVISION_ANNOTATION: "1"}}}
        du.set_new_replica_set_annotations(d, rs, "3", exists=True)
        assert rs["metadata"]["annotations"][du.REVISION_ANNOTATION] == "3"
        assert rs["metadata"]["annotations"][du.REVISION_HISTORY_ANNOTATION] == "1"
        du.set_new_replica_set_annotations(d, rs, "5", exists=True)
        assert rs["metadata"]["annotations"][du.REVISION_HISTORY_ANNOTATION] == "1,3"

    def test_deployment_annotations_are_copied_except_apply_and_revision(self) -> None:
        d = deployment(1)
        d["metadata"]["annotations"] = {
            "team": "a",
            du.LAST_APPLIED: "{}",
            du.REVISION_ANNOTATION: "9",
        }
        rs = {"metadata": {"name": "x"}}
        du.copy_deployment_annotations(d, rs)
        assert rs["metadata"]["annotations"] == {"team": "a"}

    def test_templates_equal_apart_from_the_hash_label(self) -> None:
        a = {"metadata": {"labels": {"app": "w", du.POD_TEMPLATE_HASH: "abc"}}, "spec": {"x": 1}}
        b = {"metadata": {"labels": {"app": "w"}}, "spec": {"x": 1}}
        assert du.equal_ignore_hash(a, b)
        assert not du.equal_ignore_hash(a, {**b, "spec": {"x": 2}})


class TestSorting:
    def test_by_size_newer_puts_larger_first_and_ties_newest_first(self) -> None:
        rss = [
            replica_set("a", 2, created="2025-01-01T00:00:01Z"),
            replica_set("b", 5, created="2025-01-01T00:00:02Z"),
            replica_set("c", 2, created="2025-01-01T00:00:03Z"),
        ]
        assert [r["metadata"]["name"] for r in du.sort_by_size_newer(rss)] == ["b", "c", "a"]
        assert [r["metadata"]["name"] for r in du.sort_by_size_older(rss)] == ["b", "a", "c"]
