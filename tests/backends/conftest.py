"""A served cluster on a loopback port and a KubeBackend attached to it over HTTPS."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from engine.cluster import Cluster
from podtui.backends.kube import KubeBackend, KubeClient
from podtui.backends.kube.reflector import Backoff
from podtui.serve.command import start_server

WORKLOADS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  containers:
  - name: talker
    image: busybox:1.36
    command: ["sh", "-c", "echo one; echo two; sleep 3600"]
"""


async def poll(predicate, timeout: float = 10.0) -> None:
    """Wait until predicate() holds: the server and the reflectors run on this loop."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


class Proxy:
    """A TCP relay in front of the server, so a test can cut the connection and restore it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()
        self.server = None

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers.update({writer, up_writer})

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@contextlib.asynccontextmanager
async def backend_for(cluster: Cluster, tmp_path):
    """(server, backend) for a cluster: the backend talks to the server through a Proxy."""
    path = tmp_path / "kubeconfig"
    server = await start_server(cluster, 0, path)
    proxy = Proxy(server.port)
    await proxy.start()
    path.write_text(path.read_text().replace(f":{server.port}", f":{proxy.port}"))
    client = await KubeClient.from_kubeconfig(str(path))
    backend = KubeBackend(
        client,
        now=cluster.now_datetime,
        backoff=lambda: Backoff(initial=0.05, cap=0.2),
    )
    backend.proxy = proxy  # type: ignore[attr-defined]
    backend.drain_retry_delay = 0.05
    backend.drain_poll_interval = 0.02
    try:
        yield server, backend
    finally:
        await backend.close()
        if proxy.server is not None:
            await proxy.stop()
        await server.stop()


@pytest.fixture
async def served(tmp_path):
    """(cluster, server, backend): the backend talks to the server through a Proxy."""
    from tests.engine.simulation import cluster_with

    cluster: Cluster = cluster_with(WORKLOADS)
    cluster.run_until(30)
    async with backend_for(cluster, tmp_path) as (server, backend):
        yield cluster, server, backend
