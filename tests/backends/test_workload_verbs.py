"""Workload verbs over the network: kubectl's patches reach the served cluster."""

from __future__ import annotations

import asyncio
import copy

from engine.workloads.actions import RESTARTED_AT
from tests.backends.conftest import poll
from tests.backends.test_verbs import clock_running


async def test_set_image_and_rollout_undo_go_back_to_the_previous_template(served):
    cluster, _server, backend = served
    result = await backend.set_image("deployment/web", "nginx:1.28", container="web")
    assert result.lines == ["deployment.apps/web image updated"]
    template = cluster.store.get("Deployment", "default", "web")["spec"]["template"]
    assert template["spec"]["containers"][0]["image"] == "nginx:1.28"
    cluster.run_until(cluster.now + 30)  # the controller makes the new ReplicaSet
    undone = await backend.rollout_undo("deployment/web")
    assert undone.lines == ["deployment.apps/web rolled back"], undone.errors
    template = cluster.store.get("Deployment", "default", "web")["spec"]["template"]
    assert template["spec"]["containers"][0]["image"] == "nginx:1.27"
    missing = await backend.set_image("deployment/web", "x", container="nope")
    assert missing.errors == ['error: unable to find container named "nope"']


async def test_rollout_restart_stamps_the_template(served):
    cluster, _server, backend = served
    result = await backend.rollout_restart("deployment/web")
    assert result.lines == ["deployment.apps/web restarted"]
    annotations = cluster.store.get("Deployment", "default", "web")["spec"]["template"]["metadata"][
        "annotations"
    ]
    assert annotations[RESTARTED_AT] == cluster.now_datetime().strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_an_edit_from_a_stale_resource_version_is_a_conflict(served):
    # The API server's optimistic concurrency: an update must carry the current resourceVersion.
    cluster, _server, backend = served
    stale = copy.deepcopy(cluster.store.get("Deployment", "default", "web"))
    stale["spec"]["replicas"] = 4
    assert (await backend.replace(stale)).lines == ["deployment.apps/web edited"]
    stale["spec"]["replicas"] = 5
    conflict = await backend.replace(stale)
    assert conflict.errors and conflict.errors[0].startswith("Error from server (Conflict):")
    assert cluster.store.get("Deployment", "default", "web")["spec"]["replicas"] == 4


async def test_logs_follow_streams_until_the_pod_ends(served):
    cluster, _server, backend = served
    assert cluster.logs("default", "talker") == ["one", "two"]
    assert [line async for line in backend.logs("default", "talker")] == ["one", "two"]
    lines: list[str] = []

    async def follow() -> None:
        async for line in backend.logs("default", "talker", follow=True):
            lines.append(line)

    task = asyncio.get_running_loop().create_task(follow())
    await poll(lambda: lines == ["one", "two"])  # the stream is open
    async with clock_running(cluster):
        await backend.delete("pod/talker", force=True)
        await asyncio.wait_for(task, 10)
    assert lines == ["one", "two"]
