"""`podtui --serve`: the API server on the console's own event loop, over the same cluster."""

from __future__ import annotations

import aiohttp
import yaml

from podtui.serve.command import start_server
from podtui.serve.server import client_ssl
from tests.tui.conftest import make_app


async def test_kubectl_requests_are_served_while_the_console_runs_and_reach_its_cluster(tmp_path):
    app = make_app(ticks=30)
    path = tmp_path / "kubeconfig"
    async with app.run_test() as pilot:
        server = await start_server(app.session.cluster, 0, path, lock=app.session.lock)
        token = yaml.safe_load(path.read_text())["users"][0]["user"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=client_ssl(server))
            ) as http:
                url = server.url + "/api/v1/namespaces/default/pods"
                async with http.get(url, headers=headers) as response:
                    names = [p["metadata"]["name"] for p in (await response.json())["items"]]
                assert names == [
                    p["metadata"]["name"] for p in app.session.cluster.store.list("Pod", "default")
                ]
                victim = names[0]
                async with http.delete(
                    f"{url}/{victim}?gracePeriodSeconds=0", headers=headers
                ) as response:
                    assert response.status == 200
                await pilot.pause()
                assert app.session.cluster.store.get("Pod", "default", victim) is None
        finally:
            await server.stop()


def test_console_parser_takes_serve_port_and_kubeconfig():
    from podtui.cli import tui_parser

    args = tui_parser().parse_args(["--serve", "--port", "8443", "--kubeconfig", "k.yaml", "x"])
    assert (args.serve, args.port, args.kubeconfig, args.paths) == (True, 8443, "k.yaml", ["x"])
