"""The default scheduler's Score plugins, normalisation and weights.

Rules from pkg/scheduler/framework/plugins/noderesources (least_allocated.go,
balanced_allocation.go, resource_allocation.go), tainttoleration, nodeaffinity and
plugins/helper/normalize_score.go; weights from apis/config/v1/default_plugins.go.

Scored: NodeResourcesFit (LeastAllocated, cpu=1 memory=1) ×1,
NodeResourcesBalancedAllocation ×1, TaintToleration ×3, NodeAffinity ×2.
Not modelled: PodTopologySpread ×2 (its system default constraints), InterPodAffinity ×2,
ImageLocality ×1 (podtui nodes report no images, so it would score 0 everywhere).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.scheduler.filters import PodFacts, pod_facts
from engine.scheduler.nodeinfo import NodeInfo
from engine.tolerations import count_intolerable_taints_prefer_no_schedule

MAX_NODE_SCORE = 100

WEIGHT_NODE_RESOURCES_FIT = 1
WEIGHT_BALANCED_ALLOCATION = 1
WEIGHT_TAINT_TOLERATION = 3
WEIGHT_NODE_AFFINITY = 2


def least_requested_score(requested: int, capacity: int) -> int:
    """Unused share of one resource on a 0-100 scale (0 when over-committed)."""
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def least_allocated_score(resources: Sequence[tuple[int, int, int]]) -> int:
    """LeastAllocated over (requested, allocatable, weight); resources a node does not
    have (allocatable 0) are left out of the weighted mean."""
    node_score = weight_sum = 0
    for requested, allocatable, weight in resources:
        if allocatable == 0:
            continue
        node_score += least_requested_score(requested, allocatable) * weight
        weight_sum += weight
    return node_score // weight_sum if weight_sum else 0


def balanced_allocation_score(resources: Sequence[tuple[int, int]]) -> int:
    """(1 - std of the requested/allocatable fractions) × 100, fractions capped at 1.

    unverified: newer releases (≈1.36) score the change in balance the pod causes
    instead; this is the 1.32-1.35 formula.
    """
    fractions = [min(r / a, 1.0) for r, a in resources if a != 0]
    std = 0.0
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        mean = sum(fractions) / len(fractions)
        std = (sum((f - mean) ** 2 for f in fractions) / len(fractions)) ** 0.5
    return int((1 - std) * MAX_NODE_SCORE)


def default_normalize_score(scores: Sequence[int], reverse: bool) -> list[int]:
    """Scale to 0-100 by the highest score; `reverse` makes fewer better (all-zero → 100)."""
    highest = max(scores, default=0)
    if highest == 0:
        return [MAX_NODE_SCORE if reverse else 0 for _ in scores]
    out = []
    for score in scores:
        score = MAX_NODE_SCORE * score // highest
        out.append(MAX_NODE_SCORE - score if reverse else score)
    return out


RawScores = tuple[int, int, int]  # (fit + balanced, weighted; untolerated soft taints; affinity)


def raw_scores(facts: PodFacts, info: NodeInfo) -> RawScores:
    """The per-node parts of the score, before normalisation across nodes."""
    res = facts.resources
    # LeastAllocated counts 100m/200Mi for containers with no request, so empty pods spread.
    fit = least_allocated_score(
        (
            (
                info.non_zero_requested_milli_cpu + res.non_zero_milli_cpu,
                info.allocatable_milli_cpu,
                1,
            ),
            (info.non_zero_requested_memory + res.non_zero_memory, info.allocatable_memory, 1),
        )
    )
    total = fit * WEIGHT_NODE_RESOURCES_FIT
    # BalancedAllocation skips best-effort pods (kubernetes#129138) and uses real requests.
    if res.milli_cpu or res.memory:
        balanced = balanced_allocation_score(
            (
                (info.requested_milli_cpu + res.milli_cpu, info.allocatable_milli_cpu),
                (info.requested_memory + res.memory, info.allocatable_memory),
            )
        )
        total += balanced * WEIGHT_BALANCED_ALLOCATION
    taints = 0
    if info.soft_taints:
        taints = count_intolerable_taints_prefer_no_schedule(info.soft_taints, facts.tolerations)
    affinity = facts.preferred.score(info.labels, info.name) if facts.preferred else 0
    return total, taints, affinity


def combine_scores(facts: PodFacts, raws: Sequence[RawScores]) -> list[int]:
    """Total weighted score per node, normalising the plugins that normalise."""
    totals = [r[0] for r in raws]
    taints = [r[1] for r in raws]
    if any(taints):
        normalized = default_normalize_score(taints, reverse=True)
        totals = [t + WEIGHT_TAINT_TOLERATION * n for t, n in zip(totals, normalized, strict=True)]
    else:
        # No untolerated PreferNoSchedule taint anywhere: every node gets the full 100.
        full = WEIGHT_TAINT_TOLERATION * MAX_NODE_SCORE
        totals = [t + full for t in totals]
    # NodeAffinity's PreScore skips pods without preferred terms: it adds nothing then.
    if facts.preferred is not None:
        affinity = default_normalize_score([r[2] for r in raws], reverse=False)
        totals = [t + WEIGHT_NODE_AFFINITY * a for t, a in zip(totals, affinity, strict=True)]
    return totals


def score_nodes(pod: Mapping[str, Any], feasible: list[NodeInfo]) -> dict[str, int]:
    """Total score of each feasible node for the pod (higher is better)."""
    facts = pod_facts(pod)
    totals = combine_scores(facts, [raw_scores(facts, info) for info in feasible])
    return {info.name: total for info, total in zip(feasible, totals, strict=True)}
