"""Score plugins: LeastAllocated, BalancedAllocation, TaintToleration, NodeAffinity."""

from __future__ import annotations

import pytest

from engine.scheduler import NodeInfo, score_nodes
from engine.scheduler.scoring import (
    balanced_allocation_score,
    default_normalize_score,
    least_allocated_score,
    least_requested_score,
)


@pytest.mark.parametrize(
    ("requested", "capacity", "score"),
    [
        (0, 4000, 100),
        (1000, 4000, 75),
        (3000, 4000, 25),
        (4000, 4000, 0),
        (5000, 4000, 0),  # over-committed by non-zero defaults: 0, not negative
        (1, 3, 66),  # integer division truncates
        (0, 0, 0),
    ],
)
def test_least_requested_score(requested: int, capacity: int, score: int) -> None:
    assert least_requested_score(requested, capacity) == score


def test_least_allocated_is_the_weighted_mean_of_cpu_and_memory() -> None:
    # Upstream's example: cpu 3000/4000 → 25, memory 5000/10000 → 50, mean 37.
    assert least_allocated_score([(3000, 4000, 1), (5000, 10000, 1)]) == 37
    # A resource the node does not have is left out of the mean.
    assert least_allocated_score([(3000, 4000, 1), (0, 0, 1)]) == 25


@pytest.mark.parametrize(
    ("resources", "score"),
    [
        ([(3000, 4000), (5000, 10000)], 87),  # |0.75 - 0.5| / 2 = 0.125 → 87.5 → 87
        ([(2000, 4000), (5000, 10000)], 100),
        ([(6000, 4000), (0, 10000)], 50),  # fractions are capped at 1
        ([(1000, 4000), (0, 0)], 100),  # a single fraction has no spread
    ],
)
def test_balanced_allocation_prefers_equal_cpu_and_memory_fractions(
    resources: list, score: int
) -> None:
    assert balanced_allocation_score(resources) == score


@pytest.mark.parametrize(
    ("scores", "reverse", "normalized"),
    [
        ([0, 5, 10], False, [0, 50, 100]),
        ([0, 5, 10], True, [100, 50, 0]),
        ([0, 0], True, [100, 100]),  # nothing to avoid anywhere: everyone gets 100
        ([0, 0], False, [0, 0]),
        ([1, 3], False, [33, 100]),
    ],
)
def test_default_normalize_score(scores: list, reverse: bool, normalized: list) -> None:
    assert default_normalize_score(scores, reverse) == normalized


def node(
    name: str,
    cpu: str = "4",
    memory: str = "8Gi",
    labels: dict | None = None,
    taints: list | None = None,
) -> NodeInfo:
    return NodeInfo(
        {
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"taints": taints or []},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": "110"}},
        }
    )


def pod(
    name: str = "web", cpu: str | None = None, memory: str | None = None, **spec: object
) -> dict:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    container = (
        {"name": "app", "resources": {"requests": requests}} if requests else {"name": "app"}
    )
    return {"metadata": {"name": name, "uid": name}, "spec": {"containers": [container], **spec}}


def test_scoring_prefers_the_least_allocated_node() -> None:
    busy, idle = node("busy"), node("idle")
    busy.add_pod(pod("old", cpu="2", memory="4Gi"))
    scores = score_nodes(pod(cpu="500m", memory="1Gi"), [busy, idle])
    assert scores["idle"] > scores["busy"]


def test_empty_pods_still_spread_by_their_default_requests() -> None:
    crowded, empty = node("crowded"), node("empty")
    for i in range(10):
        crowded.add_pod(pod(f"p{i}"))
    scores = score_nodes(pod(), [crowded, empty])
    assert scores["empty"] > scores["crowded"]


def test_totals_add_weighted_plugin_scores() -> None:
    # Idle 4-cpu/8Gi node, pod asking 1 cpu / 2Gi: LeastAllocated 75, BalancedAllocation
    # 100, TaintToleration 100×3 (no soft taints anywhere); no NodeAffinity preferences.
    assert score_nodes(pod(cpu="1", memory="2Gi"), [node("n")]) == {"n": 75 + 100 + 300}


def test_best_effort_pods_skip_balanced_allocation() -> None:
    # Non-zero defaults: 100m of 4000m → 97, 200Mi of 8Gi → 97; no BalancedAllocation.
    assert score_nodes(pod(), [node("n")]) == {"n": 97 + 300}


def test_untolerated_prefer_no_schedule_taints_lower_the_score() -> None:
    soft = [{"key": "spot", "effect": "PreferNoSchedule"}]
    plain, tainted = node("plain"), node("tainted", taints=soft)
    scores = score_nodes(pod(cpu="1", memory="2Gi"), [plain, tainted])
    assert scores["plain"] - scores["tainted"] == 3 * 100
    tolerant = pod(cpu="1", memory="2Gi", tolerations=[{"key": "spot", "operator": "Exists"}])
    scores = score_nodes(tolerant, [plain, tainted])
    assert scores["plain"] == scores["tainted"]


def test_preferred_node_affinity_adds_twice_its_normalized_weight() -> None:
    preferred = [
        {
            "weight": 80,
            "preference": {
                "matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]
            },
        },
        {
            "weight": 20,
            "preference": {
                "matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]
            },
        },
    ]
    affinity = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": preferred}}
    ssd, zone_a, none = (
        node("ssd", labels={"disk": "ssd"}),
        node("zone-a", labels={"zone": "a"}),
        node("none"),
    )
    scores = score_nodes(pod(cpu="1", memory="2Gi", affinity=affinity), [ssd, zone_a, none])
    # Raw 80 / 20 / 0, normalized by the highest (80) to 100 / 25 / 0, weight 2.
    assert scores["ssd"] - scores["none"] == 200
    assert scores["zone-a"] - scores["none"] == 50
