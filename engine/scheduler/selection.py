"""One scheduling attempt: PreFilter, Filter, PostFilter message, Score, select host.

Flow from pkg/scheduler/schedule_one.go (`schedulePod`, `findNodesThatFitPod`,
`findNodesThatPassFilters`, `numFeasibleNodesToFind`, `selectHost`) and the
DefaultPreemption PostFilter. The caller owns the NodeInfos, binds the pod and adds it
to the chosen node's NodeInfo; given a `Snapshot` (engine/scheduler/snapshot.py) rather
than a plain list, the nodes' answers are remembered between attempts, which changes no
choice, only what it costs.
"""

from __future__ import annotations

import random
from bisect import bisect_left
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
)
from engine.scheduler.fiterror import (
    NO_NODES_AVAILABLE,
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    PREEMPTION_POLICY_NEVER,
    fit_error_message,
)
from engine.scheduler.nodeinfo import NodeInfo
from engine.scheduler.scoring import combine_scores
from engine.scheduler.snapshot import DOES_NOT_FIT, Answers, Snapshot

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


_DOES_NOT_FIT = DOES_NOT_FIT


def _scan(
    facts: PodFacts, answers: Answers, nodes: Sequence[NodeInfo], start: int, to_find: int
) -> tuple[list, int]:
    """The answers of the nodes from `start` on (wrapping), and how many fit.

    The scan goes on until more than `to_find` nodes fit or every node was seen, as
    findNodesThatPassFilters stops once it has found numFeasibleNodesToFind: at 5,000
    nodes a pod looks at about 500 of them, not at all 5,000. The caller cuts the values
    at the `to_find`-th feasible node; values past it are computed in the last chunk but
    never used (the answers they fill change no choice)."""
    total = len(nodes)
    if total <= to_find + 1:
        values = answers.window(facts, nodes, start, total)
        return values, total - values.count(_DOES_NOT_FIT)
    values: list = []
    feasible = 0
    seen = 0
    size = to_find + 1
    while seen < total and feasible <= to_find:
        size = min(size, total - seen)
        chunk = answers.window(facts, nodes, (start + seen) % total, size)
        values += chunk
        feasible += size - chunk.count(_DOES_NOT_FIT)
        seen += size
        # What is still missing, or more when most nodes turn out full.
        size = max(to_find + 1 - feasible, seen)
    return values, feasible


def _kth_feasible(values: list, k: int) -> int:
    """Index of the k-th (1-based) value that is not -1; there are at least k of them.

    The answer t satisfies t = k - 1 + (the -1s at or before t): each -1 found within
    that reach pushes it one further. Only the -1s are visited, in C (list.index)."""
    misses = 0
    i = -1
    while True:
        try:
            i = values.index(_DOES_NOT_FIT, i + 1, k + misses)
        except ValueError:
            return k - 1 + misses
        misses += 1


def _in_window(positions: list[int], start: int, length: int, total: int) -> tuple[int, int, int]:
    """Where sorted positions meet the circular window [start, start + length): the index
    of the first one from `start`, how many lie before the end of the list and how many
    after wrapping to position 0."""
    lo = bisect_left(positions, start)
    end = start + length
    if end <= total:
        return lo, bisect_left(positions, end, lo) - lo, 0
    return lo, len(positions) - lo, bisect_left(positions, end - total)


def _choose_indexed(
    at: dict[int, list[int]], total: int, start: int, to_find: int, rng: random.Random
) -> tuple[int, int, int]:
    """(chosen position, evaluated, feasible) from the answers' index, when every answer
    is known, none needs normalising and at least one node fits.

    The same choice, with the same draws, as `_scan` then `_pick` over the answers read in
    scan order: the window ends at the `to_find`-th feasible node when more than that
    many fit (else it is every node), the best score wins, and ties take one draw."""
    full = at.get(_DOES_NOT_FIT, [])
    fit = total - len(full)
    if fit > to_find:
        # The smallest end whose window holds to_find feasible nodes: each full node
        # within reach pushes the end one further.
        end = start + to_find
        while True:
            _, before, after = _in_window(full, start, end - start, total)
            reach = start + to_find + before + after
            if reach == end:
                break
            end = reach
        evaluated, feasible = end - start, to_find
    else:
        evaluated, feasible = total, fit
    if feasible == 1:
        # No scoring and no draw: the one node whose answer is not -1.
        return next(p[0] for v, p in at.items() if v != _DOES_NOT_FIT), evaluated, 1
    best = max(at)
    positions = at[best]
    lo, before, after = _in_window(positions, start, evaluated, total)
    if not before + after:
        for best in sorted(at, reverse=True):
            positions = at[best]
            lo, before, after = _in_window(positions, start, evaluated, total)
            if before + after:
                break
    ties = before + after
    k = 0 if ties == 1 else rng.randrange(ties)
    chosen = positions[lo + k] if k < before else positions[k - before]
    return chosen, evaluated, feasible


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

    snapshot = infos if isinstance(infos, Snapshot) else Snapshot(infos)
    if facts.prefilter_node_names is not None:
        snapshot = snapshot.named(facts.prefilter_node_names)
    nodes = snapshot.nodes
    total = len(nodes)
    absent = num_nodes - total
    if not nodes:
        return _unschedulable(facts, num_nodes, [], absent)

    start = start_index % total
    to_find = num_feasible_nodes_to_find(total)
    answers = snapshot.answers(facts.signature)
    if (
        answers.complete(facts, nodes)
        and not answers.raws
        and len(answers.at.get(_DOES_NOT_FIT, ())) < total
    ):
        chosen, evaluated, feasible = _choose_indexed(answers.at, total, start, to_find, rng)
        return ScheduleResult(
            node_name=nodes[chosen].name,
            message=None,
            evaluated_nodes=evaluated,
            feasible_nodes=feasible,
        )
    values, feasible = _scan(facts, answers, nodes, start, to_find)
    if feasible == 0:
        # Every node was asked and none fits: their statuses, in scan order.
        statuses = answers.statuses
        failed = [statuses[(start + i) % total] for i in range(total)]
        return _unschedulable(facts, num_nodes, failed, absent)

    # The scan stops once enough feasible nodes are found (only past 100 nodes).
    evaluated = len(values)
    if feasible > to_find:
        evaluated, feasible = _kth_feasible(values, to_find) + 1, to_find
        values = values[:evaluated]
    # One feasible node needs no scoring (and draws nothing): the only one that is not -1.
    chosen = _kth_feasible(values, 1) if feasible == 1 else _pick(facts, values, rng)
    return ScheduleResult(
        node_name=nodes[(start + chosen) % total].name,
        message=None,
        evaluated_nodes=evaluated,
        feasible_nodes=feasible,
    )
