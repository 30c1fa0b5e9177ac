"""KubeDrain's progress feed and cancel: the engine Drain's per-pod states, over the network."""

from __future__ import annotations

from engine.disruption.drain import drain as engine_drain
from engine.disruption.drain_progress import (
    CANCELLED,
    DRAINED,
    POD_BLOCKED,
    POD_DELETED,
    POD_EVICTED,
    RUNNING,
    DrainOptions,
)
from tests.backends.conftest import poll
from tests.backends.test_verbs import _web_pods, clock_running

BUDGET_CAUSE = "The disruption budget web needs 2 healthy pods and has 2 currently"
"""pkg/registry/core/pod/storage/eviction.go: the 429's DisruptionBudget cause."""


def _node_with_web_pod(cluster) -> tuple[str, list[str]]:
    node = _web_pods(cluster)[0]["spec"]["nodeName"]
    return node, [
        f"default/{p['metadata']['name']}"
        for p in _web_pods(cluster)
        if p["spec"]["nodeName"] == node
    ]


async def test_a_drain_held_by_a_budget_shows_the_pod_blocked_with_its_cause(served):
    # drain.go evictPods retries a 429; the panel shows which budget holds which pod and why.
    cluster, _server, backend = served
    node, held = _node_with_web_pod(cluster)
    running = backend.start_drain(DrainOptions(node=node, ignore_daemonsets=True))
    assert running in backend.drains()
    await poll(lambda: any(p.state == POD_BLOCKED for p in running.pods))
    assert running.state == RUNNING and not running.done
    blocked = next(p for p in running.pods if p.state == POD_BLOCKED)
    assert blocked.key in held
    assert (blocked.blocked_by, blocked.reason) == ("web", BUDGET_CAUSE)
    assert running.blocking_budgets() == {"web": [blocked.key]}
    assert running.counts()[POD_BLOCKED] >= 1
    assert any("(will retry after 5s)" in line.text for line in running.lines)
    # The engine's own drain of the same node says the same of the same pod.
    in_process = engine_drain(cluster, DrainOptions(node=node, ignore_daemonsets=True))
    engine_pod = next(p for p in in_process.pods if p.key == blocked.key)
    assert (engine_pod.state, engine_pod.blocked_by, engine_pod.reason) == (
        POD_BLOCKED,
        "web",
        BUDGET_CAUSE,
    )
    in_process.cancel()
    running.cancel()


async def test_cancel_stops_retrying_and_leaves_the_node_cordoned(served):
    # An interrupted kubectl drain: no more evictions; the node stays unschedulable.
    cluster, _server, backend = served
    node, _held = _node_with_web_pod(cluster)
    running = backend.start_drain(DrainOptions(node=node, ignore_daemonsets=True))
    await poll(lambda: any(p.state == POD_BLOCKED and p.attempts >= 2 for p in running.pods))
    running.cancel()
    result = await running.wait()
    assert running.state == CANCELLED and running.done and running.finished_at is not None
    # Every eviction loop has ended: nothing is left to retry.
    assert all(task.done() for task in running._pod_tasks)
    attempts = [p.attempts for p in running.pods]
    assert result.lines[0] == f"node/{node} cordoned"
    assert f"node/{node} drained" not in result.lines
    assert cluster.store.get("Node", "", node)["spec"]["unschedulable"] is True
    running.cancel()  # a second cancel changes nothing
    assert [p.attempts for p in running.pods] == attempts


async def test_a_drain_to_completion_reports_each_pod_gone(served):
    cluster, _server, backend = served
    cluster.api.delete("PodDisruptionBudget", "default", "web")
    node, held = _node_with_web_pod(cluster)
    seen: list[str] = []
    async with clock_running(cluster):
        running = backend.start_drain(DrainOptions(node=node, ignore_daemonsets=True))
        running.listen(lambda line: seen.append(line.text))
        result = await running.wait()
    assert running.state == DRAINED
    assert sorted(p.key for p in running.pods) == sorted(held)
    assert all(p.state == POD_EVICTED for p in running.pods)
    assert running.counts() == {POD_EVICTED: len(held)}
    assert running.blocking_budgets() == {}
    assert result.lines[-1] == f"node/{node} drained"
    assert seen[-1] == f"node/{node} drained"
    for key in held:
        assert f"pod/{key.split('/')[1]} evicted" in result.lines


def _twin():
    """The served cluster's twin: same manifests, seed and time, so the same pod names."""
    from tests.backends.conftest import WORKLOADS
    from tests.engine.simulation import cluster_with

    twin = cluster_with(WORKLOADS)
    twin.run_until(30)
    return twin


def _engine_lines(twin, options: DrainOptions) -> list[tuple[str, str]]:
    running = engine_drain(twin, options)
    while not running.done:
        twin.tick()
    return [(line.stream, line.text) for line in running.lines]


async def test_a_client_dry_run_changes_nothing_and_says_what_it_would_do(served):
    # cmd/drain.go: --dry-run=client prints `(dry run)` and sends no write.
    cluster, _server, backend = served
    node, held = _node_with_web_pod(cluster)
    options = DrainOptions(node=node, ignore_daemonsets=True, dry_run="client")
    running = backend.start_drain(options)
    await running.wait()
    assert running.state == DRAINED
    assert not cluster.store.get("Node", "", node)["spec"].get("unschedulable")
    assert [(line.stream, line.text) for line in running.lines] == _engine_lines(_twin(), options)
    assert running.lines[-1].text == f"node/{node} drained (dry run)"
    for key in held:
        assert cluster.store.get("Pod", "default", key.split("/")[1]) is not None


async def test_a_server_dry_run_sends_evictions_that_delete_nothing(served):
    # drain.go makeDeleteOptions: DryRun All in the Eviction's deleteOptions.
    cluster, _server, backend = served
    cluster.api.delete("PodDisruptionBudget", "default", "web")
    node, held = _node_with_web_pod(cluster)
    options = DrainOptions(node=node, ignore_daemonsets=True, dry_run="server")
    running = backend.start_drain(options)
    await running.wait()
    assert running.state == DRAINED
    assert f"evicting pod {held[0]} (server dry run)" in [line.text for line in running.lines]
    assert running.lines[-1].text == f"node/{node} drained (server dry run)"
    for key in held:
        assert cluster.store.get("Pod", "default", key.split("/")[1]) is not None
    twin = _twin()
    twin.api.delete("PodDisruptionBudget", "default", "web")
    assert sorted((line.stream, line.text) for line in running.lines) == sorted(
        _engine_lines(twin, options)
    )


async def test_disable_eviction_deletes_past_the_budget(served):
    # drain.go deletePods: DELETE without asking the PodDisruptionBudget, then waitForDelete;
    # each pod gone prints `pod/NAME deleted`.
    cluster, _server, backend = served
    node, held = _node_with_web_pod(cluster)
    options = DrainOptions(node=node, ignore_daemonsets=True, disable_eviction=True)
    async with clock_running(cluster):
        running = backend.start_drain(options)
        result = await running.wait()
    assert running.state == DRAINED, result.errors
    assert running.counts() == {POD_DELETED: len(held)}
    assert result.lines[-1] == f"node/{node} drained"
    for key in held:
        name = key.split("/")[1]
        assert f"pod/{name} deleted" in result.lines
        assert cluster.store.get("Pod", "default", name) is None
    assert sorted(result.lines) == sorted(
        text for stream, text in _engine_lines(_twin(), options) if stream == "stdout"
    )


async def test_a_drain_cancelled_before_it_began_still_answers(served):
    cluster, _server, backend = served
    node, _held = _node_with_web_pod(cluster)
    running = backend.start_drain(DrainOptions(node=node, ignore_daemonsets=True))
    running.cancel()
    result = await running.wait()
    assert running.state == CANCELLED
    assert result.errors == []
