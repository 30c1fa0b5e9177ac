"""One scheduling attempt: PreFilter, Filter, PostFilter message, Score, select host.

Flow from pkg/scheduler/schedule_one.go (`schedulePod`, `findNodesThatFitPod`,
`findNodesThatPassFilters`, `numFeasibleNodesToFind`, `selectHost`) and the
DefaultPreemption PostFilter. Pure: the caller owns the NodeInfos, binds the pod and
adds it to the chosen node's NodeInfo.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, count, islice, repeat
from operator import eq
from typing import Any

from engine.scheduler.filters import (
    ERR_REASON_PREFILTER_NODE_AFFINITY,
    NodeStatus,
    PodFacts,
    pod_facts,
    run_filters,
)
from engine.scheduler.fiterror import (
    NO_NODES_AVAILABLE,
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    PREEMPTION_POLICY_NEVER,
    fit_error_message,
)
from engine.scheduler.nodeinfo import NodeInfo
from engine.scheduler.scoring import RawScores, combine_scores, raw_scores

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5


@dataclass
class ScheduleResult:
    """The outcome of one attempt: a node, or the FailedScheduling message."""

    node_name: str | None
    message: str | None  # FitError text when unschedulable
    reasons: dict[str, int] = field(default_factory=dict)  # filter histogram
    postfilter: dict[str, int] | None = None  # preemption histogram, when one ran
    evaluated_nodes: int = 0  # nodes filtered: advance the next start index by this
    feasible_nodes: int = 0


def num_feasible_nodes_to_find(num_all_nodes: int, percentage: int = 0) -> int:
    """How many feasible nodes end the search (adaptive percentage, at least 100)."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    if percentage == 0:
        percentage = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    return max(num_all_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


def _select_index(scores: list[int], rng: random.Random, best: int | None = None) -> int:
    """Index of the highest score; among tied indexes one uniform draw decides."""
    if best is None:
        best = max(scores)
    ties = scores.count(best)
    if ties == 1:
        return scores.index(best)
    k = rng.randrange(ties)
    if ties == len(scores):
        return k  # every node tied (an idle, uniform cluster)
    # The k-th index holding the best score, found without a Python-level loop.
    return next(islice(compress(count(), map(eq, scores, repeat(best))), k, None))


def select_host(names: Sequence[str], scores: Sequence[int], rng: random.Random) -> str:
    """The highest-scoring node; a tie is broken uniformly at random.

    Upstream (1.32-1.35 selectHost) samples the tied nodes with a reservoir, one random
    number per tie; one draw among the tied nodes gives the same distribution for far
    fewer calls. unverified: 1.36+ uses a random per-node key in a heap, also uniform.
    """
    return names[_select_index(list(scores), rng)]


def _postfilter(facts: PodFacts, failed: Sequence[NodeStatus], absent: int) -> dict[str, int] | str:
    """DefaultPreemption with no lower-priority pods anywhere: which nodes it gave up on."""
    if facts.preemption_never:
        return PREEMPTION_POLICY_NEVER
    histogram: dict[str, int] = {}
    not_helpful = absent + sum(1 for status in failed if status.unresolvable)
    if not_helpful:
        histogram[PREEMPTION_NOT_HELPFUL] = not_helpful
    no_victims = len(failed) + absent - not_helpful
    if no_victims:
        histogram[NO_PREEMPTION_VICTIMS] = no_victims
    return histogram


def _unschedulable(
    facts: PodFacts, num_nodes: int, failed: Sequence[NodeStatus], absent: int
) -> ScheduleResult:
    reasons: dict[str, int] = {}
    for status in failed:
        for reason in status.reasons:
            reasons[reason] = reasons.get(reason, 0) + 1
    if absent:
        reasons[ERR_REASON_PREFILTER_NODE_AFFINITY] = absent
    postfilter = _postfilter(facts, failed, absent)
    return ScheduleResult(
        node_name=None,
        message=fit_error_message(num_nodes, reasons, postfilter),
        reasons=reasons,
        postfilter=postfilter if isinstance(postfilter, dict) else None,
        evaluated_nodes=len(failed),
    )


_DOES_NOT_FIT = -1


def _evaluate(facts: PodFacts, info: NodeInfo) -> int | RawScores:
    """Filter and score one node for the pod, and remember the answer on the node.

    The value is the node's score when nothing needs normalising across nodes (no
    untolerated PreferNoSchedule taint, no matching preferred term), the raw scores
    otherwise, or -1 when the node does not fit (the status is kept beside it)."""
    status = run_filters(facts, info)
    if status is not None:
        info.cache_store(facts.signature, _DOES_NOT_FIT, status)
        return _DOES_NOT_FIT
    raw = raw_scores(facts, info)
    value = raw[0] if raw[1] == 0 and raw[2] == 0 else raw
    info.cache_store(facts.signature, value)
    return value


def _node_values(facts: PodFacts, nodes: Sequence[NodeInfo]) -> list:
    """Each node's value from its cache, evaluating only the nodes that changed since
    (between two replicas, only the node the last one was bound to)."""
    signature = facts.signature
    values = [info.scheduling_cache.get(signature) for info in nodes]
    if None in values:
        i = -1
        for _ in range(values.count(None)):
            i = values.index(None, i + 1)
            values[i] = _evaluate(facts, nodes[i])
    return values


def _scan(
    facts: PodFacts, nodes: Sequence[NodeInfo], start: int, to_find: int
) -> tuple[list, int]:
    """The values of the nodes from `start` on (wrapping), and how many fit.

    The scan goes on until more than `to_find` nodes fit or every node was seen, as
    findNodesThatPassFilters stops once it has found numFeasibleNodesToFind: at 5,000
    nodes a pod looks at about 500 of them, not at all 5,000. The caller cuts the values
    at the `to_find`-th feasible node; values past it are computed in the last chunk but
    never used (the cache they fill changes no answer)."""
    total = len(nodes)
    if total <= to_find + 1:
        ordered = [*nodes[start:], *nodes[:start]] if start else nodes
        values = _node_values(facts, ordered)
        return values, len(values) - values.count(_DOES_NOT_FIT)
    values: list = []
    feasible = 0
    seen = 0
    size = to_find + 1
    while seen < total and feasible <= to_find:
        size = min(size, total - seen)
        first = (start + seen) % total
        end = first + size
        part = nodes[first:end] if end <= total else [*nodes[first:], *nodes[: end - total]]
        chunk = _node_values(facts, part)
        values += chunk
        feasible += size - chunk.count(_DOES_NOT_FIT)
        seen += size
        # What is still missing, or more when most nodes turn out full.
        size = max(to_find + 1 - feasible, seen)
    return values, feasible


def _pick(facts: PodFacts, values: list, rng: random.Random) -> int:
    """Index of the chosen node among values (-1 entries never win)."""
    try:
        best = max(values)
    except TypeError:
        best = None  # ints and raw tuples mixed: some plugin scores need normalising
    if type(best) is int:
        # Nothing to normalise: the plugin totals differ from these values by the same
        # constant on every node (TaintToleration's 100 × 3), so the order is the same.
        return _select_index(values, rng, best)
    fits = [i for i, value in enumerate(values) if value != _DOES_NOT_FIT]
    raws = [values[i] if type(values[i]) is tuple else (values[i], 0, 0) for i in fits]
    return fits[_select_index(combine_scores(facts, raws), rng)]


def schedule(
    pod: Mapping[str, Any],
    infos: Sequence[NodeInfo],
    rng: random.Random,
    start_index: int = 0,
) -> ScheduleResult:
    """Pick a node for the pod, or explain why none fits.

    `start_index` is where the node scan starts (upstream rotates it between attempts
    by `evaluated_nodes`); it only matters past 100 nodes, where the scan stops early.
    """
    num_nodes = len(infos)
    if num_nodes == 0:
        return ScheduleResult(node_name=None, message=NO_NODES_AVAILABLE)
    facts = pod_facts(pod)

    if facts.prefilter_reject is not None:
        postfilter = (
            PREEMPTION_POLICY_NEVER
            if facts.preemption_never
            else {PREEMPTION_NOT_HELPFUL: num_nodes}
        )
        return ScheduleResult(
            node_name=None,
            message=fit_error_message(num_nodes, {}, postfilter, prefilter=facts.prefilter_reject),
            postfilter=postfilter if isinstance(postfilter, dict) else None,
        )

    nodes: Sequence[NodeInfo] = infos
    if facts.prefilter_node_names is not None:
        wanted = facts.prefilter_node_names
        nodes = [info for info in infos if info.name in wanted]
    absent = num_nodes - len(nodes)
    if not nodes:
        return _unschedulable(facts, num_nodes, [], absent)

    start = start_index % len(nodes)
    to_find = num_feasible_nodes_to_find(len(nodes))
    values, feasible = _scan(facts, nodes, start, to_find)
    if feasible == 0:
        signature = facts.signature
        ordered = [*nodes[start:], *nodes[:start]] if start else nodes
        statuses = [info.scheduling_status[signature] for info in ordered]
        return _unschedulable(facts, num_nodes, statuses, absent)

    # The scan stops once enough feasible nodes are found (only past 100 nodes).
    evaluated = len(values)
    if feasible > to_find:
        last = [i for i, value in enumerate(values) if value != _DOES_NOT_FIT][to_find - 1]
        evaluated, feasible = last + 1, to_find
        values = values[:evaluated]
    # One feasible node needs no scoring: it is the only one that is not -1.
    chosen = values.index(max(values)) if feasible == 1 else _pick(facts, values, rng)
    return ScheduleResult(
        node_name=nodes[(start + chosen) % len(nodes)].name,
        message=None,
        evaluated_nodes=evaluated,
        feasible_nodes=feasible,
    )
