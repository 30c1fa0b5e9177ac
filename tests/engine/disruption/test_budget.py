"""The budget arithmetic as pure functions (disruption.go, intstr.go, helpers.go)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.disruption import budget, intstr
from engine.timeutil import format_time

NOW = datetime(2025, 1, 1, 0, 10, tzinfo=UTC)


def stamp(seconds_ago: float) -> str:
    return format_time(NOW - timedelta(seconds=seconds_ago))


def pod(name: str, *, ready: bool = True, deleting: bool = False) -> dict:
    meta: dict = {"name": name}
    if deleting:
        meta["deletionTimestamp"] = stamp(-30)
    return {
        "metadata": meta,
        "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


class TestGetScaledValueFromIntOrPercent:
    @pytest.mark.parametrize(
        ("value", "total", "round_up", "expected"),
        [
            (5, 10, True, 5),
            (5, 10, False, 5),
            ("50%", 7, True, 4),  # the docs' example: 7 pods, 50% -> 4
            ("50%", 7, False, 3),
            ("30%", 7, True, 3),
            ("30%", 3, True, 1),
            ("28%", 11, True, 4),
            ("28%", 22, True, 7),
            ("34%", 3, True, 2),
            ("34%", 0, True, 0),
            ("100%", 5, True, 5),
            ("0%", 5, True, 0),
        ],
    )
    def test_scaled_value(
        self, value: int | str, total: int, round_up: bool, expected: int
    ) -> None:
        assert intstr.scaled_value(value, total, round_up) == expected

    def test_a_string_that_is_not_a_percentage_is_an_error(self) -> None:
        with pytest.raises(intstr.IntOrStringError) as err:
            intstr.scaled_value("5", 10, True)
        assert (
            str(err.value)
            == "invalid value for IntOrString: invalid type: string is not a percentage"
        )

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("abc", 'intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}'),
            (5, 'intstr.IntOrString{Type:0, IntVal:5, StrVal:""}'),
        ],
    )
    def test_go_syntax_as_field_errors_print_it(self, value: int | str, expected: str) -> None:
        assert intstr.go_syntax(value) == expected


def _no_scale() -> tuple[int, list[str]]:
    raise AssertionError("an integer minAvailable must not ask the controllers")


class TestGetExpectedPodCount:
    @pytest.mark.parametrize(
        ("spec", "pods", "scale", "expected"),
        [
            ({"minAvailable": 3}, 4, None, (4, 3)),
            ({"minAvailable": "34%"}, 1, (3, []), (3, 2)),
            ({"maxUnavailable": 2}, 1, (7, []), (7, 5)),
            ({"maxUnavailable": "30%"}, 1, (7, []), (7, 4)),
            ({"maxUnavailable": 5}, 0, (3, []), (3, 0)),  # never below zero
            ({}, 3, None, (0, 0)),
        ],
    )
    def test_expected_and_desired(
        self, spec: dict, pods: int, scale: tuple | None, expected: tuple
    ) -> None:
        lookup = _no_scale if scale is None else (lambda: scale)
        counted = budget.get_expected_pod_count(spec, pods, lookup)
        assert (counted.expected_count, counted.desired_healthy) == expected

    def test_unmanaged_pods_are_reported(self) -> None:
        counted = budget.get_expected_pod_count({"maxUnavailable": 1}, 1, lambda: (0, ["naked"]))
        assert counted.unmanaged_pods == ["naked"]


class TestDisruptionsAllowed:
    @pytest.mark.parametrize(
        ("current", "desired", "expected_pods", "allowed"),
        [(4, 3, 4, 1), (3, 3, 4, 0), (2, 3, 4, 0), (5, 0, 0, 0), (9, 7, 22, 2)],
    )
    def test_current_minus_desired(
        self, current: int, desired: int, expected_pods: int, allowed: int
    ) -> None:
        assert budget.disruptions_allowed(current, desired, expected_pods) == allowed


class TestCountHealthyPods:
    def test_deleting_unready_and_recently_disrupted_pods_do_not_count(self) -> None:
        pods = [
            pod("ready"),
            pod("unready", ready=False),
            pod("deleting", deleting=True),
            pod("disrupted"),
        ]
        assert budget.count_healthy_pods(pods, {"disrupted": stamp(60)}, NOW) == 1

    def test_a_disruption_older_than_two_minutes_no_longer_counts(self) -> None:
        assert budget.count_healthy_pods([pod("p")], {"p": stamp(121)}, NOW) == 1


class TestBuildDisruptedPodMap:
    def test_keeps_recent_entries_and_rechecks_at_the_earliest_expiry(self) -> None:
        pods = [pod("p1", deleting=True), pod("p2"), pod("p3"), pod("p4")]
        result = budget.build_disrupted_pod_map(
            pods,
            {"p1": stamp(0), "p2": stamp(180), "p3": stamp(60), "p4": stamp(30), "gone": stamp(0)},
            NOW,
        )
        assert result.disrupted_pods == {"p3": stamp(60), "p4": stamp(30)}
        assert result.recheck_time == NOW + timedelta(seconds=60)
        assert [p["metadata"]["name"] for p in result.not_deleted] == ["p2"]


class TestConditions:
    def test_condition_keeps_its_transition_time_while_the_status_holds(self) -> None:
        status = {"disruptionsAllowed": 1, "observedGeneration": 1}
        budget.update_disruption_allowed_condition(status, NOW)
        later = NOW + timedelta(seconds=30)
        status["disruptionsAllowed"] = 2
        budget.update_disruption_allowed_condition(status, later)
        assert status["conditions"][0]["lastTransitionTime"] == format_time(NOW)
        status["disruptionsAllowed"] = 0
        budget.update_disruption_allowed_condition(status, later)
        assert status["conditions"] == [
            {
                "lastTransitionTime": format_time(later),
                "message": "",
                "observedGeneration": 1,
                "reason": "InsufficientPods",
                "status": "False",
                "type": "DisruptionAllowed",
            }
        ]

    def test_conditions_are_up_to_date_only_for_the_observed_generation(self) -> None:
        status = {"disruptionsAllowed": 1, "observedGeneration": 1}
        budget.update_disruption_allowed_condition(status, NOW)
        pdb = {"metadata": {"generation": 1}, "status": status}
        assert budget.conditions_are_up_to_date(pdb)
        pdb["metadata"]["generation"] = 2
        assert not budget.conditions_are_up_to_date(pdb)
