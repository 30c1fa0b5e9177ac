"""Taint/toleration matching, as k8s.io/api core/v1 Toleration.ToleratesTaint."""

from __future__ import annotations

import pytest

from engine.tolerations import (
    count_intolerable_taints_prefer_no_schedule,
    do_not_schedule_taints_filter,
    find_matching_untolerated_taint,
    toleration_tolerates_taint,
    tolerations_tolerate_taint,
)

# Rows from upstream's TestTolerationToleratesTaint (the Gt/Lt rows are left out: those
# operators sit behind an alpha gate that is off by default), then podtui's own.
TOLERATES_TAINT = [
    (
        "same key and effect, Exists, taint has no value",
        {"key": "foo", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "foo", "effect": "NoSchedule"},
        True,
    ),
    (
        "same key and effect, Exists, taint has a value",
        {"key": "foo", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "foo", "value": "bar", "effect": "NoSchedule"},
        True,
    ),
    (
        "empty key with Exists matches every key",
        {"key": "", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "foo", "value": "bar", "effect": "NoSchedule"},
        True,
    ),
    (
        "same key, effect and value with Equal",
        {"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"},
        {"key": "foo", "value": "bar", "effect": "NoSchedule"},
        True,
    ),
    (
        "Equal with a different value",
        {"key": "foo", "operator": "Equal", "value": "value1", "effect": "NoSchedule"},
        {"key": "foo", "value": "value2", "effect": "NoSchedule"},
        False,
    ),
    (
        "Equal with a different effect",
        {"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"},
        {"key": "foo", "value": "bar", "effect": "NoExecute"},
        False,
    ),
    (
        "empty effect matches every effect",
        {"key": "foo", "operator": "Exists"},
        {"key": "foo", "effect": "NoExecute"},
        True,
    ),
    (
        "empty operator means Equal",
        {"key": "foo", "value": "bar"},
        {"key": "foo", "value": "bar", "effect": "PreferNoSchedule"},
        True,
    ),
    (
        "empty operator means Equal, so values must match",
        {"key": "foo", "value": "bar"},
        {"key": "foo", "value": "baz", "effect": "NoSchedule"},
        False,
    ),
    (
        "Exists with a different key",
        {"key": "foo", "operator": "Exists"},
        {"key": "other", "effect": "NoSchedule"},
        False,
    ),
    (
        "empty key and empty effect with Exists tolerates everything",
        {"operator": "Exists"},
        {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
        True,
    ),
    (
        "an operator the API does not know tolerates nothing",
        {"key": "foo", "operator": "Gt", "value": "1", "effect": "NoSchedule"},
        {"key": "foo", "value": "2", "effect": "NoSchedule"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("toleration", "taint", "tolerated"),
    [row[1:] for row in TOLERATES_TAINT],
    ids=[row[0] for row in TOLERATES_TAINT],
)
def test_toleration_tolerates_taint(toleration: dict, taint: dict, tolerated: bool) -> None:
    assert toleration_tolerates_taint(toleration, taint) is tolerated


def test_any_toleration_in_the_list_is_enough() -> None:
    taint = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    tolerations = [
        {"key": "other", "operator": "Exists"},
        {"key": "dedicated", "operator": "Equal", "value": "gpu"},
    ]
    assert tolerations_tolerate_taint(tolerations, taint)
    assert not tolerations_tolerate_taint(tolerations[:1], taint)
    assert not tolerations_tolerate_taint(None, taint)


def test_find_matching_untolerated_taint_returns_first_in_node_order() -> None:
    taints = [
        {"key": "soft", "effect": "PreferNoSchedule"},
        {"key": "a", "effect": "NoSchedule"},
        {"key": "b", "effect": "NoExecute"},
    ]
    tolerations = [{"key": "a", "operator": "Exists"}]
    found = find_matching_untolerated_taint(taints, tolerations, do_not_schedule_taints_filter)
    assert found == {"key": "b", "effect": "NoExecute"}


def test_prefer_no_schedule_taints_are_ignored_by_the_do_not_schedule_filter() -> None:
    taints = [{"key": "soft", "effect": "PreferNoSchedule"}]
    assert find_matching_untolerated_taint(taints, [], do_not_schedule_taints_filter) is None
    assert find_matching_untolerated_taint(taints, [], None) == taints[0]


def test_only_prefer_no_schedule_or_empty_effect_tolerations_count_for_soft_taints() -> None:
    taints = [
        {"key": "a", "effect": "PreferNoSchedule"},
        {"key": "b", "effect": "PreferNoSchedule"},
        {"key": "c", "effect": "NoSchedule"},
    ]
    # A NoSchedule toleration for `a` does not excuse the PreferNoSchedule taint `a`.
    assert (
        count_intolerable_taints_prefer_no_schedule(
            taints, [{"key": "a", "operator": "Exists", "effect": "NoSchedule"}]
        )
        == 2
    )
    assert (
        count_intolerable_taints_prefer_no_schedule(taints, [{"key": "a", "operator": "Exists"}])
        == 1
    )
