"""The Snapshot's remembered, indexed answers choose exactly what asking every node afresh
chooses: same node, same evaluated/feasible counts, same message, same random draws.

The reference below is the selection code as it was before the Snapshot (every node asked
on every attempt, the window read in scan order, `_pick` over it), kept here to compare
against on random clusters that change between attempts.
"""

from __future__ import annotations

import random
from contextlib import ExitStack
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.scheduler import NodeInfo, Snapshot, changes, schedule, snapshot
from engine.scheduler.filters import NodeStatus, PodFacts, pod_facts, run_filters
from engine.scheduler.fiterror import NO_NODES_AVAILABLE, fit_error_message
from engine.scheduler.scoring import raw_scores
from engine.scheduler.selection import (
    _pick,
    _postfilter,
    _unschedulable,
    num_feasible_nodes_to_find,
)

# -- the reference: ask every node, read the window in scan order ------------------------


def _reference_value(facts: PodFacts, info: NodeInfo) -> tuple[object, NodeStatus | None]:
    status = run_filters(facts, info)
    if status is not None:
        return -1, status
    raw = raw_scores(facts, info)
    return (raw[0] if raw[1] == 0 and raw[2] == 0 else raw), None


def reference_schedule(
    pod: dict, infos: list[NodeInfo], rng: random.Random, start_index: int
) -> tuple[str | None, str | None, int, int]:
    """engine/scheduler/selection.py `schedule` before the Snapshot, its per-node cache
    dropped (every node asked afresh) and its chunked scan folded into one pass, which
    reads the same nodes up to the cut."""
    num_nodes = len(infos)
    if num_nodes == 0:
        return None, NO_NODES_AVAILABLE, 0, 0
    facts = pod_facts(pod)
    if facts.prefilter_reject is not None:
        postfilter = _postfilter(facts, [], num_nodes)
        message = fit_error_message(num_nodes, {}, postfilter, prefilter=facts.prefilter_reject)
        return None, message, 0, 0
    nodes = infos
    if facts.prefilter_node_names is not None:
        nodes = [info for info in infos if info.name in facts.prefilter_node_names]
    absent = num_nodes - len(nodes)
    if not nodes:
        result = _unschedulable(facts, num_nodes, [], absent)
        return None, result.message, result.evaluated_nodes, 0
    start = start_index % len(nodes)
    to_find = num_feasible_nodes_to_find(len(nodes))
    ordered = nodes[start:] + nodes[:start]
    values: list = []
    statuses: list = []
    feasible = 0
    for info in ordered:  # findNodesThatPassFilters, one node at a time
        value, status = _reference_value(facts, info)
        values.append(value)
        statuses.append(status)
        if value != -1:
            feasible += 1
            if feasible > to_find:
                break
    if feasible == 0:
        result = _unschedulable(facts, num_nodes, statuses, absent)
        return None, result.message, result.evaluated_nodes, 0
    if feasible > to_find:
        last = [i for i, value in enumerate(values) if value != -1][to_find - 1]
        values, feasible = values[: last + 1], to_find
    # (The old code took values.index(max(values)) here, which raised TypeError when the
    # one feasible node's answer was raw scores beside -1s.)
    one = next(i for i, value in enumerate(values) if value != -1)
    chosen = one if feasible == 1 else _pick(facts, values, rng)
    return ordered[chosen].name, None, len(values), feasible


# -- random clusters -----------------------------------------------------------------------

SOFT = {"key": "spot", "value": "true", "effect": "PreferNoSchedule"}
HARD = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}

SHAPES = [
    {"resources": {"requests": {"cpu": "500m", "memory": "512Mi"}}},
    {"resources": {"requests": {"cpu": "1", "memory": "64Mi"}}},
    {},  # best effort: scored with the non-zero defaults, never short of cpu
    {"resources": {"requests": {"cpu": "250m"}}, "tolerations": [{"operator": "Exists"}]},
    {"resources": {"requests": {"memory": "1Gi"}}, "nodeSelector": {"disk": "ssd"}},
    {
        "resources": {"requests": {"cpu": "100m"}},
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 10,
                        "preference": {
                            "matchExpressions": [
                                {"key": "disk", "operator": "In", "values": ["ssd"]}
                            ]
                        },
                    }
                ]
            }
        },
    },
    {"ports": [{"containerPort": 80, "hostPort": 8080}]},
    {"resources": {"requests": {"cpu": "3"}}},  # fits only the biggest, emptiest nodes
]


def make_pod(index: int, shape: int) -> dict:
    extra = dict(SHAPES[shape])
    container = {"name": "app", "image": "nginx"}
    for key in ("resources", "ports"):
        if key in extra:
            container[key] = extra.pop(key)
    name = f"pod-{index}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"},
        "spec": {"containers": [container], **extra},
    }


def make_node(index: int, cpu: int, flags: int) -> dict:
    taints = [t for bit, t in ((1, SOFT), (2, HARD)) if flags & bit]
    labels = {"kubernetes.io/hostname": f"node-{index:03}"}
    if flags & 4:
        labels["disk"] = "ssd"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": f"node-{index:03}", "labels": labels},
        "spec": {"taints": taints, "unschedulable": bool(flags & 8)},
        "status": {"allocatable": {"cpu": str(cpu), "memory": "4Gi", "pods": "12"}},
    }


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("schedule"), st.integers(0, len(SHAPES) - 1)),
        st.tuples(st.just("burst"), st.integers(0, len(SHAPES) - 1)),
        st.tuples(st.just("burst"), st.sampled_from([0, 1, 2])),
        st.tuples(st.just("delete"), st.integers(0, 10_000)),
        st.tuples(st.just("relabel"), st.integers(0, 10_000)),
        st.tuples(st.just("add_node"), st.integers(0, 10_000)),
        st.tuples(st.just("remove_node"), st.integers(0, 10_000)),
    ),
    min_size=4,
    max_size=40,
)

LIMITS = {
    "as shipped": {},
    "every bound at its smallest": {
        (changes, "CHANGE_LOG_LIMIT"): 1,
        (snapshot, "ANSWERS_LIMIT"): 1,
        (snapshot, "STALE_TRACKED"): 0,
    },
    "few forgotten answers tracked": {(snapshot, "STALE_TRACKED"): 2},
}


@pytest.mark.parametrize("limits", LIMITS.values(), ids=list(LIMITS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.one_of(st.integers(1, 12), st.integers(90, 320)),
    busy=st.sampled_from([0.0, 0.2, 0.6, 0.95]),
    ops=OPS,
    seed=st.integers(0, 2**16),
    start=st.integers(0, 10_000),
)
def test_snapshot_chooses_as_asking_every_node_afresh(
    limits: dict, size: int, busy: float, ops: list[tuple[str, int]], seed: int, start: int
) -> None:
    # pkg/scheduler/schedule_one.go: findNodesThatPassFilters stops at
    # numFeasibleNodesToFind, nextStartNodeIndex rotates by the nodes evaluated, selectHost
    # breaks ties at random. Remembering answers must change none of it.
    with ExitStack() as stack:
        for (module, name), value in limits.items():
            stack.enter_context(mock.patch.object(module, name, value))
        # Past 100 nodes the scan stops early; `busy` is the share of nodes that take no
        # pod (tainted, cordoned, too small), so the window must reach past them.
        shape_rng = random.Random(seed)
        nodes = [
            (shape_rng.choice([1, 2, 4]), shape_rng.randrange(16) if shape_rng.random() < busy else 0)
            for _ in range(size)
        ]
        infos = [NodeInfo(make_node(i, cpu, flags)) for i, (cpu, flags) in enumerate(nodes)]
        view = Snapshot(list(infos))
        rng, reference_rng = random.Random(seed), random.Random(seed)
        bound: list[tuple[NodeInfo, dict]] = []
        next_start = start
        count = 0

        def attempt(shape: int) -> None:
            nonlocal next_start, count
            pod = make_pod(count, shape)
            count += 1
            result = schedule(pod, view, rng, next_start)
            expected = reference_schedule(pod, list(view.nodes), reference_rng, next_start)
            got = (result.node_name, result.message, result.evaluated_nodes)
            assert (*got, result.feasible_nodes if result.node_name else 0) == expected
            assert rng.getstate() == reference_rng.getstate()
            if view.nodes:
                next_start = (next_start + result.evaluated_nodes) % len(view.nodes)
            if result.node_name is not None:
                info = next(i for i in view.nodes if i.name == result.node_name)
                info.add_pod(pod)
                bound.append((info, pod))

        for op, arg in ops:
            if op == "schedule":
                attempt(arg)
            elif op == "burst":
                for _ in range(12):
                    attempt(arg)
            elif op == "delete" and bound:
                info, pod = bound.pop(arg % len(bound))
                if info.has_pod(pod):
                    info.remove_pod(pod)
            elif op == "relabel" and view.nodes:
                info = view.nodes[arg % len(view.nodes)]
                cpu, flags = nodes[arg % len(nodes)]
                info.set_node(make_node(int(info.name[5:]), cpu, flags ^ (arg % 16)))
            elif op == "add_node":
                cpu, flags = nodes[arg % len(nodes)]
                infos.append(NodeInfo(make_node(len(infos), cpu, flags)))
                view.set_nodes(sorted([*view.nodes, infos[-1]], key=lambda i: i.name))
            elif op == "remove_node" and view.nodes:
                gone = view.nodes[arg % len(view.nodes)]
                view.set_nodes([i for i in view.nodes if i is not gone])
        attempt(0)
