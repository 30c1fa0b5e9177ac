"""Which pods a ReplicaSet deletes first: ActivePodsWithRanks.Less, one row per rule
(k/k pkg/controller/controller_utils.go; TestSortingActivePodsWithRanks), with the
PodDeletionCost and LogarithmicScaleDown gates on as in current Kubernetes."""

from __future__ import annotations

import pytest

from engine.workloads.ranking import (
    RankedPod,
    deletion_cost,
    get_pods_to_delete,
    logarithmic_rank_diff,
    sort_for_deletion,
)

NOW = 10_000.0


def ranked(
    name: str,
    *,
    node: str = "node-1",
    phase: str = "Running",
    ready: bool = True,
    cost: int = 0,
    rank: int = 1,
    ready_time: float | None = 0.0,
    restarts: int = 0,
    created: float | None = 0.0,
    uid: str | None = None,
) -> RankedPod:
    return RankedPod(
        pod={"metadata": {"name": name}},
        rank=rank,
        node_name=node,
        phase_ordinal={"Pending": 0, "Unknown": 1, "Running": 2}[phase],
        ready=ready,
        deletion_cost=cost,
        ready_time=ready_time if ready else None,
        restarts=restarts,
        created=created,
        uid=uid or name,
    )


class TestScaleDownRanking:
    @pytest.mark.parametrize(
        ("rule", "first", "second"),
        [
            ("1. unassigned before assigned", ranked("a", node=""), ranked("b")),
            (
                "2. Pending before Unknown",
                ranked("a", phase="Pending"),
                ranked("b", phase="Unknown"),
            ),
            ("2. Unknown before Running", ranked("a", phase="Unknown"), ranked("b")),
            ("3. not ready before ready", ranked("a", ready=False), ranked("b")),
            ("4. lower deletion cost first", ranked("a", cost=-5), ranked("b", cost=0)),
            ("4. cost beats co-location", ranked("a", cost=1, rank=1), ranked("b", cost=2, rank=9)),
            ("5. more co-located related pods first", ranked("a", rank=3), ranked("b", rank=2)),
            (
                "6. ready more recently first (different log2 buckets)",
                ranked("a", ready_time=NOW - 10),
                ranked("b", ready_time=NOW - 1000),
            ),
            (
                "6. same log2 bucket: lower uid first, restarts not consulted",
                ranked("a", ready_time=NOW - 100, restarts=0, uid="1"),
                ranked("b", ready_time=NOW - 110, restarts=9, uid="2"),
            ),
            ("7. more restarts first", ranked("a", restarts=3), ranked("b", restarts=1)),
            (
                "8. newer first (different log2 buckets)",
                ranked("a", created=NOW - 5),
                ranked("b", created=NOW - 5000),
            ),
            (
                "8. same log2 bucket: lower uid first",
                ranked("a", created=NOW - 100, uid="1"),
                ranked("b", created=NOW - 101, uid="2"),
            ),
            ("8. an empty creation time first", ranked("a", created=None), ranked("b")),
        ],
    )
    def test_rule(self, rule: str, first: RankedPod, second: RankedPod) -> None:
        assert [p.pod["metadata"]["name"] for p in sort_for_deletion([second, first], NOW)] == [
            "a",
            "b",
        ], rule

    def test_equal_pods_keep_their_order(self) -> None:
        pods = [ranked("x"), ranked("y")]
        assert [p.pod["metadata"]["name"] for p in sort_for_deletion(pods, NOW)] == ["x", "y"]


class TestLogarithmicRank:
    @pytest.mark.parametrize(
        ("age_1", "age_2", "expected"),
        [
            (1, 1, 0),
            (1, 1.05, 0),  # 2^29.9 and 2^29.97 ns: the same bucket
            (1, 1.5, -1),
            (1, 2.2, -2),
            (4, 1, 2),
            (0, 1, -30),  # not in the past: rank -1
        ],
    )
    def test_buckets_are_floor_log2_of_nanoseconds(self, age_1, age_2, expected) -> None:
        assert logarithmic_rank_diff(NOW - age_1, NOW - age_2, NOW) == expected


class TestDeletionCost:
    @pytest.mark.parametrize(
        ("value", "expected"), [(None, 0), ("10", 10), ("-3", -3), ("x", 0), ("99999999999", 0)]
    )
    def test_annotation(self, value, expected) -> None:
        annotations = {} if value is None else {"controller.kubernetes.io/pod-deletion-cost": value}
        assert deletion_cost({"metadata": {"annotations": annotations}}) == expected


class TestGetPodsToDelete:
    def pod(self, name: str, node: str) -> dict:
        return {
            "metadata": {"name": name, "uid": name, "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"nodeName": node},
            "status": {"phase": "Running"},
        }

    def test_pods_on_the_most_crowded_node_go_first(self) -> None:
        pods = [self.pod("a", "n1"), self.pod("b", "n2"), self.pod("c", "n2")]
        victims = get_pods_to_delete(pods, pods, 1, NOW, lambda ts: 0.0)
        assert victims[0]["spec"]["nodeName"] == "n2"

    def test_related_pods_of_sibling_replica_sets_count_for_the_rank(self) -> None:
        own = [self.pod("a", "n1"), self.pod("b", "n2")]
        sibling = [self.pod("s1", "n1"), self.pod("s2", "n1")]
        victims = get_pods_to_delete(own, own + sibling, 1, NOW, lambda ts: 0.0)
        assert [p["metadata"]["name"] for p in victims] == ["a"]

    def test_everything_goes_without_sorting(self) -> None:
        pods = [self.pod("a", "n1"), self.pod("b", "n2")]
        assert get_pods_to_delete(pods, pods, 5, NOW, lambda ts: 0.0) == pods
