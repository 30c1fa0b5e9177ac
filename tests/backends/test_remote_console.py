"""`podtui --kubeconfig FILE`: the read-only console over the kube backend."""

from __future__ import annotations

from podtui.app.remote import RemoteApp
from podtui.app.widgets.resource_table import ResourceTable
from podtui.backends.base import ConnectionState
from tests.backends.conftest import poll


async def test_the_remote_console_shows_the_served_pods_and_nodes(served):
    cluster, _server, backend = served
    app = RemoteApp(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=(140, 42)) as pilot:
        table = app.query_one(ResourceTable)
        pods = sorted(
            f"{p['metadata']['namespace']}/{p['metadata']['name']}"
            for p in cluster.store.list("Pod")
        )
        await poll(lambda: sorted(table.visible_keys()) == pods)
        await pilot.press("2")
        nodes = sorted(n["metadata"]["name"] for n in cluster.store.list("Node"))
        await poll(lambda: sorted(table.visible_keys()) == nodes)
        await backend.proxy.stop()
        await poll(lambda: backend.connection.state == ConnectionState.DISCONNECTED)
        await pilot.pause()
        header = str(app.query_one("#remote-header").render())
        assert "DISCONNECTED, retrying" in header
        disabled = str(app.query_one("#remote-disabled").render())
        assert "clock: a real cluster's clock cannot be paused or sped up" in disabled
        await backend.proxy.start()
        await poll(lambda: backend.connection.state == ConnectionState.CONNECTED)
