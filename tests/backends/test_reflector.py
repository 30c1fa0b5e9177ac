"""The kube backend's reflectors against `podtui serve` on a loopback port.

The behaviours are client-go's Reflector (staging/src/k8s.io/client-go/tools/cache/
reflector.go): list then watch, resume from the last resourceVersion, relist on 410 Gone,
back off and retry on a lost connection.
"""

from __future__ import annotations

from engine.api.admission import ADMIN
from podtui.backends.base import ConnectionState
from tests.backends.conftest import poll


def _names(objects: list[dict]) -> list[tuple[str, str, str]]:
    return [
        (
            o["metadata"].get("namespace", ""),
            o["metadata"]["name"],
            o["metadata"]["resourceVersion"],
        )
        for o in objects
    ]


def _config_map(name: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default"},
    }


async def test_the_reflector_sees_the_same_objects_as_the_engine(served):
    cluster, _server, backend = served
    reflectors = backend.reflect(["Pod", "Node"])
    for reflector in reflectors:
        await poll(reflector.synced.is_set)
    assert _names(backend.objects("Pod")) == _names(cluster.store.list("Pod"))
    assert _names(backend.objects("Node")) == _names(cluster.store.list("Node"))
    assert backend.connection.state == ConnectionState.CONNECTED
    # Changes after the list arrive through the watch, in the engine's shape.
    cluster.run_until(cluster.now + 5)
    cluster.api.update(
        {**cluster.store.get("Node", "", "node-1"), "spec": {"unschedulable": True}}, user=ADMIN
    )
    await poll(lambda: _names(backend.objects("Node")) == _names(cluster.store.list("Node")))
    assert backend.get("Node", "", "node-1")["spec"]["unschedulable"] is True
    assert backend.get("Node", "", "node-1")["kind"] == "Node"


async def test_a_watch_resumes_from_the_last_resource_version_after_the_server_ends_it(served):
    # reflector.go watchHandler returns when the server closes the stream; ListAndWatch
    # then watches again from the last resourceVersion without listing.
    cluster, server, backend = served
    (reflector,) = backend.reflect(["ConfigMap"])
    await poll(reflector.synced.is_set)
    await poll(lambda: server.facade.hub.watchers() == 1)
    seen = []
    backend.watch(
        lambda change: seen.append((change.type, change.obj["metadata"]["name"])), ["ConfigMap"]
    )
    for stream in server.facade.hub.streams():
        stream.close()  # the server ends the watch, as at its timeoutSeconds
    cluster.api.create(_config_map("after-drop"), user=ADMIN)
    await poll(lambda: ("ADDED", "after-drop") in seen)
    assert reflector.lists == 1
    assert reflector.watches == 2
    assert seen == [("ADDED", "after-drop")]


async def test_a_410_gone_makes_the_reflector_relist(served):
    # reflector.go: isExpiredError(err) -> relist (the history no longer reaches back).
    cluster, server, backend = served
    server.facade.hub.capacity = 3
    (reflector,) = backend.reflect(["ConfigMap"])
    await poll(reflector.synced.is_set)
    await poll(lambda: server.facade.hub.watchers() == 1)
    await backend.proxy.stop()  # the reflector loses its watch and retries
    await poll(lambda: backend.connection.state == ConnectionState.DISCONNECTED)
    for i in range(6):  # more changes than the server's history keeps
        cluster.api.create(_config_map(f"cm-{i}"), user=ADMIN)
    await backend.proxy.start()
    await poll(lambda: backend.get("ConfigMap", "default", "cm-5") is not None)
    assert reflector.lists == 2
    assert _names(backend.objects("ConfigMap")) == _names(cluster.store.list("ConfigMap"))
    assert backend.connection.state == ConnectionState.CONNECTED


async def test_a_lost_connection_is_reported_and_recovers_without_a_relist(served):
    cluster, _server, backend = served
    states = []
    backend.on_connection(lambda connection: states.append(connection.state))
    (reflector,) = backend.reflect(["ConfigMap"])
    await poll(reflector.synced.is_set)
    await backend.proxy.stop()
    await poll(lambda: backend.connection.state == ConnectionState.DISCONNECTED)
    assert backend.connection.message  # the error, for the header
    cluster.api.create(_config_map("while-away"), user=ADMIN)
    await backend.proxy.start()
    await poll(lambda: backend.get("ConfigMap", "default", "while-away") is not None)
    assert backend.connection.state == ConnectionState.CONNECTED
    assert states[-1] == ConnectionState.CONNECTED
    assert ConnectionState.DISCONNECTED in states
    assert reflector.lists == 1  # the history still reached back: resumed, not relisted


async def test_a_bookmark_moves_the_resource_version_without_a_change(served):
    # reflector.go watchHandler: a BOOKMARK only sets the last synced resourceVersion, so the
    # next watch resumes close to now even when the kind itself has not changed.
    cluster, server, backend = served
    server.options.bookmark_interval = 0.05
    (reflector,) = backend.reflect(["ConfigMap"])
    await poll(reflector.synced.is_set)
    seen = []
    backend.watch(seen.append, ["ConfigMap"])
    listed = int(reflector.resource_version)
    cluster.run_until(cluster.now + 10)  # other kinds change; ConfigMaps do not
    newest = cluster.store.resource_version
    assert newest > listed
    await poll(lambda: int(reflector.resource_version) >= newest)
    assert seen == []
