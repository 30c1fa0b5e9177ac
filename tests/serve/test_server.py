"""The HTTP adapter over sockets: HTTPS on loopback, the token, streamed watches, the
private kubeconfig and the served clock."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import stat

import aiohttp
import pytest
import yaml

from engine.cluster import Cluster
from podtui.serve.clock import run_clock
from podtui.serve.command import start_server
from podtui.serve.kubeconfig import write_private
from podtui.serve.server import WATCH_WRITE_BYTES, APIServer, client_ssl, warning_header
from tests.engine.simulation import cluster_with

CONFIG_MAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "cm"},
    "data": {"a": "1"},
}


async def _poll(predicate, timeout: float = 10.0) -> None:
    """Wait until predicate() holds (the served clock and streams run on the loop)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


@pytest.fixture
async def served(tmp_path):
    cluster = Cluster()
    cluster.boot()
    path = tmp_path / "kubeconfig"
    server = await start_server(cluster, 0, path)
    token = yaml.safe_load(path.read_text())["users"][0]["user"]["token"]
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=client_ssl(server))
    ) as session:
        yield cluster, server, session, token, path
    await server.stop()


async def test_serves_https_on_loopback_only(served):
    _cluster, server, session, _token, _path = served
    assert server.url.startswith("https://127.0.0.1:")
    async with session.get(server.url + "/version") as response:
        assert response.status == 200
        assert (await response.json())["gitVersion"].startswith("v1.32.")


async def test_a_request_without_the_token_is_a_401_status(served):
    _cluster, server, session, token, _path = served
    async with session.get(server.url + "/api/v1/pods") as response:
        assert response.status == 401
        assert (await response.json())["reason"] == "Unauthorized"
    headers = {"Authorization": "Bearer nope"}
    async with session.get(server.url + "/api/v1/pods", headers=headers) as response:
        assert response.status == 401
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(server.url + "/api/v1/pods", headers=headers) as response:
        assert response.status == 200


async def test_warnings_are_299_headers(served):
    _cluster, server, session, token, _path = served
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(
        server.url + "/apis/policy/v1beta1/podsecuritypolicies", headers=headers
    ) as response:
        assert response.headers.getall("Warning") == [
            '299 - "policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+"'
        ]


def test_warning_header_escapes_quotes():
    assert warning_header('say "hi"') == '299 - "say \\"hi\\""'


async def test_a_watch_streams_each_change_as_a_chunked_line(served):
    cluster, server, session, token, _path = served
    headers = {"Authorization": f"Bearer {token}"}
    url = server.url + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=30"
    async with session.get(url, headers=headers) as response:
        assert response.status == 200
        assert response.headers.get("Transfer-Encoding") == "chunked"
        first = json.loads(await asyncio.wait_for(response.content.readline(), 10))
        assert (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "kube-root-ca.crt")
        cluster.api.create(dict(CONFIG_MAP))
        event = json.loads(await asyncio.wait_for(response.content.readline(), 10))
        assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "cm")


async def test_a_watch_ends_at_its_timeout(served):
    _cluster, server, session, token, _path = served
    headers = {"Authorization": f"Bearer {token}"}
    url = server.url + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1"
    async with session.get(url, headers=headers) as response:
        body = await asyncio.wait_for(response.read(), 10)  # the server ends the stream
        assert [json.loads(line)["type"] for line in body.splitlines()] == ["ADDED"]


async def test_stopping_the_server_ends_its_open_watches_at_once(served):
    # The API server closes its watches when it shuts down (a watch ends when its
    # request's context is done: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go),
    # rather than leaving the stop to wait for the next bookmark or the watch's timeout.
    _cluster, server, session, token, _path = served
    headers = {"Authorization": f"Bearer {token}"}
    url = server.url + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=300"
    async with session.get(url, headers=headers) as response:
        await asyncio.wait_for(response.content.readline(), 10)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(server.stop(), 10)
        assert loop.time() - started < 5  # the bookmark interval is 30 s


async def test_the_kubeconfig_points_at_the_server_with_its_ca(served):
    _cluster, server, _session, _token, path = served
    config = yaml.safe_load(path.read_text())
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"] == server.url
    assert cluster["certificate-authority-data"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_kubeconfig_is_created_0600_never_chmodded(tmp_path, monkeypatch):
    # The token must never be readable by others, not even between create and chmod.
    calls = []
    real_open = os.open

    def recording_open(path, flags, mode=0o777, *args, **kwargs):
        calls.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    target = tmp_path / "config"
    target.write_text("old")
    target.chmod(0o644)
    monkeypatch.setattr(os, "open", recording_open)
    monkeypatch.setattr(os, "chmod", lambda *a, **k: pytest.fail("chmod called"))
    old = os.umask(0)
    try:
        write_private(target, "secret")
    finally:
        os.umask(old)
    assert calls == [0o600]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == "secret"


async def test_the_served_clock_advances_at_its_speed():
    cluster = cluster_with("")
    task = asyncio.create_task(run_clock(cluster, 200.0))
    try:
        await _poll(lambda: cluster.now >= 5)
    finally:
        task.cancel()
    assert cluster.now >= 5


async def test_the_served_clock_yields_to_the_loop_after_each_tick():
    # A tick at 150,000 pods takes tens of milliseconds: ticks run back to back while the
    # clock catches up would keep requests and watch writes waiting for seconds.
    cluster = cluster_with("")
    seen: list[float] = []

    async def observe() -> None:
        while True:
            seen.append(cluster.now)
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(run_clock(cluster, 1000.0)), asyncio.create_task(observe())]
    try:
        await _poll(lambda: cluster.now >= 30)
    finally:
        for task in tasks:
            task.cancel()
    assert max(b - a for a, b in itertools.pairwise(seen)) <= cluster.clock.step


async def test_a_watch_backlog_is_written_in_pieces_of_whole_lines():
    # asyncio's SSL transport encrypts all it is handed at once, on the clock's loop: a
    # backlog goes out in pieces, each awaited until the client has read enough.
    written: list[bytes] = []

    class Out:
        async def write(self, data: bytes) -> None:
            written.append(data)

    lines = [b'{"type":"ADDED","object":{"n":%d,"pad":"%s"}}\n' % (i, b"x" * 2000) for i in range(600)]
    await APIServer._send(Out(), lines)  # type: ignore[arg-type]
    assert b"".join(written) == b"".join(lines)
    assert len(written) > 1
    assert all(piece.endswith(b"\n") and len(piece) <= WATCH_WRITE_BYTES for piece in written)


async def test_a_burst_larger_than_a_piece_reaches_the_watcher_whole_and_in_order(served):
    cluster, server, session, token, _path = served
    headers = {"Authorization": f"Bearer {token}"}
    url = server.url + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=30"
    async with session.get(url, headers=headers) as response:
        await asyncio.wait_for(response.content.readline(), 10)  # kube-root-ca.crt
        for index in range(300):
            cluster.api.create(
                {**CONFIG_MAP, "metadata": {"name": f"cm-{index}"}, "data": {"a": "x" * 2000}}
            )
        names = []
        for _ in range(300):
            event = json.loads(await asyncio.wait_for(response.content.readline(), 10))
            names.append(event["object"]["metadata"]["name"])
        assert names == [f"cm-{index}" for index in range(300)]
