"""The FailedScheduling message, as FitError.Error() builds it."""

from __future__ import annotations

import pytest

from engine.scheduler import (
    NO_NODES_AVAILABLE,
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    PREEMPTION_POLICY_NEVER,
    fit_error_message,
    reasons_histogram,
)


def test_histogram_sorts_formatted_strings_so_10_comes_before_2() -> None:
    reasons = {"y": 2, "x": 10}
    assert reasons_histogram(reasons) == "10 x, 2 y"


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        (
            {"Insufficient memory": 1, "Insufficient cpu": 1},
            "1 Insufficient cpu, 1 Insufficient memory",
        ),
        (
            {"node(s) were unschedulable": 1, "Insufficient cpu": 2},
            "1 node(s) were unschedulable, 2 Insufficient cpu",
        ),
        # Sorting is by the whole string: the count digits first, then the reason.
        ({"b": 3, "a": 3, "c": 12}, "12 c, 3 a, 3 b"),
        ({}, ""),
    ],
)
def test_histogram_joins_count_and_reason_with_commas(reasons: dict, expected: str) -> None:
    assert reasons_histogram(reasons) == expected


def test_canonical_message_ends_with_a_single_period() -> None:
    message = fit_error_message(
        3,
        {"node(s) were unschedulable": 1, "Insufficient cpu": 2},
        {PREEMPTION_NOT_HELPFUL: 1, NO_PREEMPTION_VICTIMS: 2},
    )
    assert message == (
        "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. "
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod."
    )


def test_without_postfilter_the_message_stops_after_the_histogram() -> None:
    assert fit_error_message(1, {"Too many pods": 1}, None) == (
        "0/1 nodes are available: 1 Too many pods."
    )


def test_prefilter_rejection_replaces_the_histogram() -> None:
    message = fit_error_message(
        3, {"ignored": 3}, {PREEMPTION_NOT_HELPFUL: 3}, prefilter="pod affinity terms conflict"
    )
    assert message == (
        "0/3 nodes are available: pod affinity terms conflict. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )


def test_preemption_policy_never_is_reported_instead_of_a_preemption_histogram() -> None:
    message = fit_error_message(1, {"Insufficient cpu": 1}, PREEMPTION_POLICY_NEVER)
    assert message == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "preemption: not eligible due to preemptionPolicy=Never."
    )


def test_no_nodes_message() -> None:
    assert NO_NODES_AVAILABLE == "no nodes available to schedule pods"
