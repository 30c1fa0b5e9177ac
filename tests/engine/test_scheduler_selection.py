"""One scheduling attempt end to end: messages, choice, tie-breaking, caching."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from engine.scheduler import (
    NodeInfo,
    filter_node,
    num_feasible_nodes_to_find,
    schedule,
    score_nodes,
    snapshot,
)


def node(
    name: str,
    cpu: str = "4",
    memory: str = "8Gi",
    pods: str = "110",
    taints: list | None = None,
    unschedulable: bool = False,
    labels: dict | None = None,
) -> NodeInfo:
    return NodeInfo(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "labels": {"kubernetes.io/hostname": name, **(labels or {})},
            },
            "spec": {"taints": taints or [], "unschedulable": unschedulable},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}},
        }
    )


def pod(
    name: str = "web",
    cpu: str | None = None,
    memory: str | None = None,
    ports: list | None = None,
    **spec: object,
) -> dict:
    container: dict = {"name": "app", "image": "nginx"}
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    if requests:
        container["resources"] = {"requests": requests}
    if ports:
        container["ports"] = ports
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"},
        "spec": {"containers": [container], **spec},
    }


def pinned_to(name: str) -> dict:
    """The node affinity the DaemonSet controller gives its pods."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [name]}]}
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
        }
    }


class TestFailureMessages:
    def test_no_nodes_at_all(self) -> None:
        result = schedule(pod(), [], random.Random(0))
        assert result.node_name is None
        assert result.message == "no nodes available to schedule pods"

    def test_canonical_message_with_preemption_histogram(self) -> None:
        infos = [
            node("node-1", unschedulable=True),
            node("node-2", cpu="1"),
            node("node-3", cpu="1"),
        ]
        result = schedule(pod(cpu="2"), infos, random.Random(0))
        assert result.node_name is None
        assert result.message == (
            "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. "
            "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
            "2 No preemption victims found for incoming pod."
        )
        assert result.reasons == {"node(s) were unschedulable": 1, "Insufficient cpu": 2}
        assert result.postfilter == {
            "Preemption is not helpful for scheduling": 1,
            "No preemption victims found for incoming pod": 2,
        }

    def test_one_node_short_of_cpu_and_memory_counts_both(self) -> None:
        result = schedule(pod(cpu="8", memory="16Gi"), [node("node-1")], random.Random(0))
        assert result.message == (
            "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. "
            "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
        )

    def test_taints_and_selectors_are_not_helped_by_preemption(self) -> None:
        infos = [
            node(
                "control-plane",
                taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
            ),
            node("node-1"),
            node("node-2"),
        ]
        result = schedule(pod(nodeSelector={"disktype": "nvme"}), infos, random.Random(0))
        assert result.message == (
            "0/3 nodes are available: 1 node(s) had untolerated taint(s), "
            "2 node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        )

    def test_daemon_pod_counts_other_nodes_as_excluded_by_node_affinity_prefilter(self) -> None:
        infos = [node("node-1"), node("node-2"), node("node-3")]
        infos[1].add_pod(pod("other", ports=[{"containerPort": 9100, "hostPort": 9100}]))
        daemon = pod(
            "exporter",
            ports=[{"containerPort": 9100, "hostPort": 9100}],
            affinity=pinned_to("node-2"),
        )
        result = schedule(daemon, infos, random.Random(0))
        assert result.message == (
            "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod "
            "ports, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes "
            "are available: 1 No preemption victims found for incoming pod, "
            "2 Preemption is not helpful for scheduling."
        )

    def test_daemon_pod_for_a_node_that_does_not_exist(self) -> None:
        result = schedule(pod(affinity=pinned_to("gone")), [node("node-1")], random.Random(0))
        assert result.message == (
            "0/1 nodes are available: 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
            "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
        )

    def test_conflicting_node_name_terms_fail_in_prefilter(self) -> None:
        term = {
            "matchFields": [
                {"key": "metadata.name", "operator": "In", "values": ["node-1"]},
                {"key": "metadata.name", "operator": "In", "values": ["node-2"]},
            ]
        }
        affinity = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
            }
        }
        result = schedule(
            pod(affinity=affinity), [node("node-1"), node("node-2")], random.Random(0)
        )
        assert result.message == (
            "0/2 nodes are available: pod affinity terms conflict. "
            "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
        )

    def test_preemption_policy_never_is_not_eligible_to_preempt(self) -> None:
        result = schedule(
            pod(cpu="8", preemptionPolicy="Never"), [node("node-1")], random.Random(0)
        )
        assert result.message == (
            "0/1 nodes are available: 1 Insufficient cpu. "
            "preemption: not eligible due to preemptionPolicy=Never."
        )

    def test_too_many_pods(self) -> None:
        info = node("node-1", pods="1")
        info.add_pod(pod("old"))
        result = schedule(pod(), [info], random.Random(0))
        assert result.message.startswith("0/1 nodes are available: 1 Too many pods. ")


class TestChoice:
    def test_pod_goes_to_the_only_node_that_fits(self) -> None:
        infos = [node("node-1", cpu="1"), node("node-2", cpu="8"), node("node-3", cpu="1")]
        assert schedule(pod(cpu="2"), infos, random.Random(0)).node_name == "node-2"

    def test_least_allocated_node_wins(self) -> None:
        infos = [node("node-1"), node("node-2"), node("node-3")]
        infos[0].add_pod(pod("a", cpu="2", memory="4Gi"))
        infos[2].add_pod(pod("b", cpu="1", memory="2Gi"))
        assert (
            schedule(pod(cpu="500m", memory="1Gi"), infos, random.Random(0)).node_name == "node-2"
        )

    def test_one_feasible_node_is_chosen_without_drawing_randomness(self) -> None:
        rng = random.Random(7)
        before = rng.getstate()
        infos = [node("node-1", cpu="1"), node("node-2", cpu="8")]
        result = schedule(pod(cpu="2"), infos, rng)
        assert (result.node_name, result.feasible_nodes) == ("node-2", 1)
        assert rng.getstate() == before

    def test_the_only_feasible_node_may_carry_a_prefer_no_schedule_taint(self) -> None:
        # schedule_one.go schedulePod: one feasible node is returned without scoring. Its
        # answer is raw scores (a soft taint to normalise) beside the -1 of the node that
        # does not fit; picking it must not compare the two (it raised TypeError once).
        soft = [{"key": "spot", "effect": "PreferNoSchedule"}]
        infos = [node("node-1", cpu="1"), node("node-2", cpu="8", taints=soft)]
        result = schedule(pod(cpu="2"), infos, random.Random(0))
        assert (result.node_name, result.feasible_nodes) == ("node-2", 1)

    def test_ties_are_broken_the_same_way_for_the_same_seed(self) -> None:
        def run(seed: int) -> list[str]:
            infos = [node(f"node-{i}") for i in range(5)]
            rng = random.Random(seed)
            return [schedule(pod(f"p{i}"), infos, rng).node_name for i in range(20)]

        assert run(42) == run(42)
        assert run(42) != run(43)

    def test_every_tied_node_can_win(self) -> None:
        infos = [node(f"node-{i}") for i in range(4)]
        rng = random.Random(1)
        wins = Counter(schedule(pod(), infos, rng).node_name for _ in range(400))
        assert set(wins) == {info.name for info in infos}
        assert min(wins.values()) > 60  # uniform: about 100 each

    def test_replicas_spread_over_equal_nodes(self) -> None:
        infos = [node(f"node-{i}") for i in range(3)]
        by_name = {info.name: info for info in infos}
        rng = random.Random(0)
        for i in range(30):
            replica = pod(f"web-{i}", cpu="100m", memory="128Mi")
            by_name[schedule(replica, infos, rng).node_name].add_pod(replica)
        assert sorted(info.pod_count for info in infos) == [10, 10, 10]

    def test_cached_answers_match_a_fresh_evaluation(self) -> None:
        soft = [{"key": "spot", "effect": "PreferNoSchedule"}]
        infos = [
            node(f"node-{i}", cpu=str(2 + i), taints=soft if i % 2 else None) for i in range(6)
        ]
        by_name = {info.name: info for info in infos}
        rng = random.Random(3)
        shapes = [("250m", "256Mi"), (None, None), ("1", "64Mi")]
        for i in range(60):
            cpu, memory = shapes[i % 3]
            replica = pod(f"p{i}", cpu=cpu, memory=memory)
            result = schedule(replica, infos, rng)
            if result.node_name is None:
                break
            feasible = [info for info in infos if not filter_node(replica, info)]
            fresh = score_nodes(replica, feasible)
            assert fresh[result.node_name] == max(fresh.values())
            by_name[result.node_name].add_pod(replica)


@pytest.mark.parametrize(
    ("num_nodes", "to_find"),
    [
        (1, 1),
        (50, 50),
        (99, 99),
        (100, 100),
        (200, 100),
        (300, 144),
        (1000, 420),
        (5000, 500),
        (10000, 500),
    ],
)
def test_num_feasible_nodes_to_find(num_nodes: int, to_find: int) -> None:
    assert num_feasible_nodes_to_find(num_nodes) == to_find


def test_large_clusters_stop_scanning_after_enough_feasible_nodes() -> None:
    infos = [node(f"node-{i:03}") for i in range(300)]
    result = schedule(pod(), infos, random.Random(0), start_index=10)
    assert (result.evaluated_nodes, result.feasible_nodes) == (144, 144)
    chosen = int(result.node_name.removeprefix("node-"))
    assert 10 <= chosen < 154


def test_filtering_stops_at_num_feasible_nodes_to_find(monkeypatch: pytest.MonkeyPatch) -> None:
    # pkg/scheduler/schedule_one.go findNodesThatPassFilters: once numFeasibleNodesToFind
    # nodes fit, the remaining nodes are not filtered at all (500 of 5,000 nodes here), so a
    # pod's cost does not grow with the cluster past that point.
    looked_at: list[str] = []

    def run_filters(facts: object, info: NodeInfo) -> None:
        looked_at.append(info.name)

    monkeypatch.setattr(snapshot, "run_filters", run_filters)
    infos = [node(f"node-{i:04}") for i in range(5000)]
    result = schedule(pod(), infos, random.Random(0), start_index=4900)
    assert (result.evaluated_nodes, result.feasible_nodes) == (500, 500)
    assert len(looked_at) < 1000
    assert "node-4900" in looked_at and "node-0399" in looked_at
    assert "node-2500" not in looked_at


def test_full_nodes_do_not_count_toward_num_feasible_nodes_to_find() -> None:
    # The scan goes past nodes that do not fit until enough feasible ones are found, and
    # rotates the next start by every node it evaluated (schedule_one.go nextStartNodeIndex).
    infos = [node(f"node-{i:04}", cpu="1" if i % 2 else "4") for i in range(1000)]
    result = schedule(pod(cpu="2"), infos, random.Random(0))
    assert (result.evaluated_nodes, result.feasible_nodes) == (839, 420)
    assert int(result.node_name.removeprefix("node-")) % 2 == 0
