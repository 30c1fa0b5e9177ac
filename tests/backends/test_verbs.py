"""The kube backend's verbs reach the served cluster and answer in kubectl's words; the
engine backend answers the same words in process."""

from __future__ import annotations

import asyncio
import contextlib

from engine.describe import describe
from engine.disruption.drain_progress import DrainOptions
from podtui.backends.base import CLOCK, FAULTS, RECORDING
from podtui.backends.engine import EngineBackend


@contextlib.asynccontextmanager
async def clock_running(cluster):
    """Advance the served cluster's simulated clock while the test awaits the network."""

    async def tick() -> None:
        while True:
            cluster.tick()
            await asyncio.sleep(0.005)

    task = asyncio.get_running_loop().create_task(tick())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _web_pods(cluster) -> list[dict]:
    return [
        p for p in cluster.store.list("Pod", "default") if p["metadata"]["name"].startswith("web-")
    ]


async def test_cordon_patches_the_node_and_reports_already_cordoned(served):
    # kubectl/pkg/drain/cordon.go: PatchOrReplace only when spec.unschedulable must change.
    cluster, _server, backend = served
    result = await backend.cordon("node-1")
    assert (result.lines, result.errors) == (["node/node-1 cordoned"], [])
    assert cluster.store.get("Node", "", "node-1")["spec"]["unschedulable"] is True
    assert (await backend.cordon("node-1")).lines == ["node/node-1 already cordoned"]
    assert (await backend.uncordon("node-1")).lines == ["node/node-1 uncordoned"]
    assert not cluster.store.get("Node", "", "node-1")["spec"].get("unschedulable")


async def test_scale_patches_the_scale_subresource(served):
    cluster, _server, backend = served
    result = await backend.scale("deployment/web", 3)
    assert result.lines == ["deployment.apps/web scaled"]
    assert cluster.store.get("Deployment", "default", "web")["spec"]["replicas"] == 3


async def test_delete_and_force_delete_say_what_kubectl_says(served):
    cluster, _server, backend = served
    first, second = (p["metadata"]["name"] for p in _web_pods(cluster))
    result = await backend.delete(f"pod/{first}")
    assert result.lines == [f'pod "{first}" deleted']
    assert cluster.store.get("Pod", "default", first)["metadata"].get("deletionTimestamp")
    forced = await backend.delete(f"pod/{second}", force=True)
    assert forced.lines[1] == f'pod "{second}" force deleted'
    assert forced.lines[0].startswith("Warning: Immediate deletion does not wait")
    assert cluster.store.get("Pod", "default", second) is None
    missing = await backend.delete("pod/nope")
    assert missing.errors == ['Error from server (NotFound): pods "nope" not found']


async def test_an_eviction_refused_by_a_disruption_budget_is_a_429(served):
    # pkg/registry/core/pod/storage/eviction.go: 429 TooManyRequests with the budget cause.
    cluster, _server, backend = served
    name = _web_pods(cluster)[0]["metadata"]["name"]
    result = await backend.evict(f"pod/{name}")
    assert result.errors == [
        f'error when evicting pods/"{name}" -n "default": '
        "Cannot evict pod as it would violate the pod's disruption budget."
    ]
    assert cluster.store.get("Pod", "default", name) is not None


async def test_drain_retries_a_budget_refusal_until_its_timeout(served):
    # kubectl/pkg/drain/drain.go evictPods: a 429 is retried every 5 s until the global timeout.
    cluster, _server, backend = served
    node = _web_pods(cluster)[0]["spec"]["nodeName"]
    result = await backend.drain(DrainOptions(node=node, ignore_daemonsets=True, timeout=0.3))
    assert result.lines[0] == f"node/{node} cordoned"
    assert any("(will retry after 5s): Cannot evict pod" in line for line in result.errors)
    # drain.go evictPods: the pod's goroutine checks the deadline before its next attempt.
    blocked = [p["metadata"]["name"] for p in _web_pods(cluster) if p["spec"]["nodeName"] == node]
    timed_out = (
        f'error when evicting pods/"{blocked[0]}" -n "default": global timeout reached: 300ms'
    )
    assert (
        f'error: unable to drain node "{node}" due to error: {timed_out}, continuing command...'
        in result.errors
    )
    assert f'There are pending pods in node "{node}" when an error occurred: {timed_out}' in (
        result.errors
    )
    assert cluster.store.get("Node", "", node)["spec"]["unschedulable"] is True


async def test_drain_evicts_and_waits_for_the_pods_to_go(served):
    cluster, _server, backend = served
    cluster.api.delete("PodDisruptionBudget", "default", "web")
    node = _web_pods(cluster)[0]["spec"]["nodeName"]
    on_node = [p["metadata"]["name"] for p in _web_pods(cluster) if p["spec"]["nodeName"] == node]
    async with clock_running(cluster):
        result = await backend.drain(DrainOptions(node=node, ignore_daemonsets=True))
    assert result.errors == []
    assert result.lines[-1] == f"node/{node} drained"
    for name in on_node:
        assert f"pod/{name} evicted" in result.lines
        assert cluster.store.get("Pod", "default", name) is None


async def test_describe_over_fetched_objects_is_the_engines_text(served):
    cluster, _server, backend = served
    pod = _web_pods(cluster)[0]
    node = cluster.store.get("Node", "", pod["spec"]["nodeName"])
    assert await backend.describe("Pod", "default", pod["metadata"]["name"]) == describe(
        cluster, pod
    )
    assert await backend.describe("Node", "", node["metadata"]["name"]) == describe(cluster, node)


async def test_a_real_cluster_declares_the_simulator_only_capabilities_unavailable(served):
    _cluster, _server, backend = served
    for name in (CLOCK, FAULTS, RECORDING):
        capability = backend.capability(name)
        assert not capability.available
        assert capability.reason
    assert EngineBackend(_cluster).capability(CLOCK).available


async def test_the_engine_backend_answers_in_the_same_words(served):
    cluster, _server, backend = served
    engine = EngineBackend(cluster)
    assert (await engine.cordon("node-2")).lines == ["node/node-2 cordoned"]
    assert (await backend.cordon("node-2")).lines == ["node/node-2 already cordoned"]
    name = _web_pods(cluster)[0]["metadata"]["name"]
    assert (await engine.evict(f"pod/{name}")).errors == (await backend.evict(f"pod/{name}")).errors
    assert (await engine.scale("deployment/web", 1)).lines == (
        await backend.scale("deployment/web", 1)
    ).lines
    seen = []
    engine.watch(lambda change: seen.append(change.type), ["Node"])
    await engine.uncordon("node-2")
    assert seen == ["MODIFIED"]


async def test_workload_describers_run_over_fetched_objects(served):
    # The Deployment and ReplicaSet describers read the engine's owner index; over the
    # network it is built from the ReplicaSets and Pods fetched for the describe.
    cluster, _server, backend = served
    deployment = cluster.store.get("Deployment", "default", "web")
    assert await backend.describe("Deployment", "default", "web") == describe(cluster, deployment)
    replica_set = cluster.store.list("ReplicaSet", "default")[0]
    name = replica_set["metadata"]["name"]
    assert await backend.describe("ReplicaSet", "default", name) == describe(cluster, replica_set)


async def test_the_engine_backend_drain_waits_for_the_simulated_drain(served):
    # The engine's drain runs on the simulated clock; the backend awaits its end.
    cluster, _server, _backend = served
    cluster.api.delete("PodDisruptionBudget", "default", "web")
    engine = EngineBackend(cluster)
    node = _web_pods(cluster)[0]["spec"]["nodeName"]
    seen: list[str] = []
    async with clock_running(cluster):
        result = await engine.drain(DrainOptions(node=node, ignore_daemonsets=True), seen.append)
    assert result.lines[0] == f"node/{node} cordoned"
    assert result.lines[-1] == f"node/{node} drained"
    assert seen[-1] == f"node/{node} drained"
    assert sorted(seen) == sorted(result.lines + result.errors)
