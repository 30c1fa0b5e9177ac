"""Property: whatever sequence of evictions and drains runs, no eviction ever takes a budget
below its desiredHealthy (the promise a PodDisruptionBudget makes)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from engine.api import errors
from engine.cluster import Cluster
from engine.disruption.drain import DrainOptions, drain
from engine.disruption.eviction import evict
from engine.disruption.podutil import is_pod_ready
from engine.store import Change
from tests.engine.simulation import cluster_with

NODES = ("node-1", "node-2", "node-3")


def manifests(placements: list[tuple[int, bool]], min_available: int, policy: str | None) -> str:
    docs = []
    for index, (node, ready) in enumerate(placements):
        probe = "" if ready else "\n    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 5}"
        docs.append(
            f"""apiVersion: v1
kind: Pod
metadata: {{name: web-{index}, labels: {{app: web}}}}
spec:
  nodeName: {NODES[node]}
  containers:
  - name: app
    image: nginx:1.27{probe}"""
        )
    spec = f"  minAvailable: {min_available}\n  selector: {{matchLabels: {{app: web}}}}"
    if policy:
        spec += f"\n  unhealthyPodEvictionPolicy: {policy}"
    docs.append(
        f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n{spec}"
    )
    return "\n---\n".join(docs)


class BudgetWatch:
    """Checks every eviction as it happens: a Ready pod may only go if the others keep the budget."""

    def __init__(self, cluster: Cluster, desired: int) -> None:
        self.cluster = cluster
        self.desired = desired
        self.ready_before: dict[str, bool] = {}
        self.violations: list[str] = []
        self.evictions = 0
        cluster.watch(self._on_pod, {"Pod"})

    def _on_pod(self, change: Change) -> None:
        pod = change.obj
        name = pod["metadata"]["name"]
        evicted = any(
            c.get("type") == "DisruptionTarget" and c.get("reason") == "EvictionByEvictionAPI"
            for c in (pod.get("status") or {}).get("conditions") or []
        )
        if (
            evicted
            and pod["metadata"].get("deletionTimestamp")
            and self.ready_before.get(name) is not None
        ):
            was_ready = self.ready_before.pop(name)
            self.evictions += 1
            if was_ready:
                healthy = sum(
                    1
                    for other in self.cluster.store.iter("Pod")
                    if other["metadata"]["name"] != name
                    and (other["metadata"].get("labels") or {}).get("app") == "web"
                    and not other["metadata"].get("deletionTimestamp")
                    and is_pod_ready(other)
                )
                if healthy < self.desired:
                    self.violations.append(
                        f"{name} evicted leaving {healthy} < {self.desired} at {self.cluster.now}"
                    )
        elif change.type != "DELETED" and not pod["metadata"].get("deletionTimestamp"):
            self.ready_before[name] = is_pod_ready(pod)


operation = st.one_of(
    st.tuples(st.just("evict"), st.integers(0, 7)),
    st.tuples(st.just("drain"), st.integers(0, 2)),
    st.tuples(st.just("uncordon"), st.integers(0, 2)),
)


def healthy_pods(cluster: Cluster) -> list[str]:
    """The budget's healthy pods as the disruption controller counts them: ready, not going."""
    return [
        pod["metadata"]["name"]
        for pod in cluster.store.iter("Pod")
        if (pod["metadata"].get("labels") or {}).get("app") == "web"
        and not pod["metadata"].get("deletionTimestamp")
        and is_pod_ready(pod)
    ]


class EvictionTally:
    """How many Ready pods the examples evicted: the property must not pass by never evicting."""

    evicted_ready_pods = 0
    examples = 0


# The number of examples comes from the hypothesis profile (tests/conftest.py): 25 locally,
# 100 in CI. The explicit examples always run: budgets with room to spare, which must evict.
@example(
    placements=[(0, True), (1, True), (2, True)],
    min_available=1,
    policy=None,
    ops=[(5, ("evict", 0)), (5, ("evict", 1)), (5, ("evict", 2))],
)
@example(
    placements=[(0, True), (0, True), (1, False)],
    min_available=1,
    policy="AlwaysAllow",
    ops=[(5, ("drain", 0))],
)
@given(
    placements=st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=2, max_size=8),
    min_available=st.integers(0, 6),
    policy=st.sampled_from([None, "IfHealthyBudget", "AlwaysAllow"]),
    ops=st.lists(st.tuples(st.integers(1, 30), operation), min_size=1, max_size=8),
)
def test_no_eviction_takes_a_budget_below_desired_healthy(
    placements: list[tuple[int, bool]], min_available: int, policy: str | None, ops: list
) -> None:
    cluster = cluster_with(manifests(placements, min_available, policy))
    watch = BudgetWatch(cluster, min_available)
    cluster.run_until(15)
    EvictionTally.examples += 1
    for gap, (kind, target) in ops:
        if kind == "evict":
            name = f"web-{target}"
            healthy = healthy_pods(cluster)
            # Liveness (pkg/registry/core/pod/storage/eviction.go with the disruption
            # controller's currentHealthy - desiredHealthy): a Ready pod may go while the
            # budget keeps more healthy pods than it needs.
            must_succeed = name in healthy and len(healthy) > min_available
            try:
                evict(cluster, name)
            except errors.APIError as err:
                assert not must_succeed, (
                    f"evicting {name} was refused with {len(healthy)} healthy pods and "
                    f"minAvailable {min_available}: {err.message}"
                )
            else:
                if name in healthy:
                    EvictionTally.evicted_ready_pods += 1
        elif kind == "drain":
            drain(cluster, DrainOptions(NODES[target], force=True, timeout=40))
        else:
            from engine import actions

            actions.uncordon(cluster, NODES[target])
        cluster.run_until(cluster.now + gap)
    cluster.run_until(cluster.now + 60)
    assert watch.violations == []


def test_some_examples_did_evict_a_ready_pod() -> None:
    """The property above ran with examples that really evicted (a "never evict" engine
    would pass the safety half alone)."""
    if EvictionTally.examples == 0:
        test_no_eviction_takes_a_budget_below_desired_healthy()
    # The first explicit example alone evicts two Ready pods (3 healthy, minAvailable 1).
    assert EvictionTally.evicted_ready_pods >= 2
