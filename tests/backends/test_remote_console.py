"""`podtui --kubeconfig FILE`: the full console over the kube backend, against a served
cluster (podtui serve in process, as the other backend tests)."""

from __future__ import annotations

from rich.console import Console
from textual.widgets._footer import FooterKey

from engine.describe import describe
from podtui.app.app import PodtuiApp
from podtui.app.disruption.drain_screen import DrainScreen
from podtui.app.remote import remote_app
from podtui.app.session import Session
from podtui.app.widgets.text_views import DescribeView
from podtui.backends.base import SIMULATOR_ONLY, ConnectionState
from tests.backends.conftest import poll
from tests.tui.conftest import enter_command

SIZE = (140, 42)


def rows(app) -> dict[str, tuple[str, ...]]:
    table = app.main_screen.table
    return {key: table.get_row(key).cells for key in table.visible_keys()}


async def rows_of_each_pane(app, pilot, panes: str) -> dict[str, dict]:
    found = {}
    for pane in panes:
        await pilot.press(pane)
        await pilot.pause()
        found[pane] = rows(app)
    return found


async def test_the_console_over_the_network_shows_the_rows_the_engine_console_shows(served):
    cluster, _server, backend = served
    app = remote_app(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("0")  # all namespaces
        pods = {f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in cluster.store.list("Pod")}
        await poll(lambda: set(app.main_screen.table.visible_keys()) == pods)
        for pane in "236":  # controllers, nodes, events: their reflectors start on demand
            await pilot.press(pane)
            await poll(lambda: app.main_screen.table.row_count > 0)
        remote = await rows_of_each_pane(app, pilot, "1236")
    local = PodtuiApp(Session.simulating(cluster), paused=True)
    async with local.run_test(size=SIZE) as pilot:
        await pilot.press("0")
        await pilot.pause()
        engine = await rows_of_each_pane(local, pilot, "1236")
    assert remote == engine
    assert remote["1"] and remote["3"]


async def test_cordon_over_the_network_reaches_the_served_cluster(served):
    cluster, _server, backend = served
    node = cluster.store.list("Node")[0]["metadata"]["name"]
    app = remote_app(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await poll(lambda: node in app.main_screen.table.visible_keys())
        assert app.main_screen.table.move_cursor_to_key(node)
        await pilot.press("c")
        await poll(lambda: f"node/{node} cordoned" in app.transcript)
        assert cluster.store.get("Node", "", node)["spec"]["unschedulable"] is True
        # The served change comes back through the watch into the row.
        await poll(lambda: "SchedulingDisabled" in " ".join(rows(app)[node]))
        await enter_command(pilot, f"uncordon {node}")
        await poll(lambda: f"node/{node} uncordoned" in app.transcript)
        assert not cluster.store.get("Node", "", node)["spec"].get("unschedulable")


async def test_scale_and_delete_over_the_network(served):
    cluster, _server, backend = served
    app = remote_app(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        await enter_command(pilot, "scale deployment/web --replicas=3")
        await poll(lambda: "deployment.apps/web scaled" in app.transcript)
        assert cluster.store.get("Deployment", "default", "web")["spec"]["replicas"] == 3
        await enter_command(pilot, "delete pod talker --grace-period=0 --force")
        await poll(lambda: 'pod "talker" force deleted' in app.transcript)


async def test_describe_over_the_network_is_the_engine_describer(served):
    cluster, _server, backend = served
    app = remote_app(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        await poll(lambda: "default/talker" in app.main_screen.table.visible_keys())
        assert app.main_screen.table.move_cursor_to_key("default/talker")
        await pilot.press("d")
        view = app.screen.query_one(DescribeView)
        await poll(lambda: view._source.startswith("Name:"))
        # The served cluster does not tick here: the engine's text at the same moment.
        assert view._source == describe(cluster, cluster.store.get("Pod", "default", "talker"))
        await pilot.press("l")
        await poll(lambda: "two" in app.screen._log_lines)
        assert app.screen._log_lines == ["one", "two"]


async def test_simulator_only_keys_stay_dimmed_with_their_reason(served):
    _cluster, _server, backend = served
    app = remote_app(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = {k.action.rpartition(".")[2]: k for k in app.screen.query(FooterKey)}
        inject = keys["inject"]
        assert inject.has_class("-disabled")
        assert SIMULATOR_ONLY["faults"] in str(inject.tooltip)
        # Killing a pod is a forced delete, which a real cluster does: not dimmed.
        assert not keys["kill"].has_class("-disabled")
        assert not keys["delete"].has_class("-disabled")
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(width=200, record=True)
        console.print(app.screen._keys())
        help_text = console.export_text()
        assert SIMULATOR_ONLY["clock"] in help_text  # space (pause) listed, with why
        await pilot.press("escape")
        await enter_command(pilot, "inject podKill pod/talker")
        assert any(SIMULATOR_ONLY["faults"] in line for line in app.transcript)
        await enter_command(pilot, "pause")
        assert any(SIMULATOR_ONLY["clock"] in line for line in app.transcript)


async def test_the_header_says_when_the_connection_is_lost(served):
    _cluster, _server, backend = served
    app = remote_app(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        await poll(lambda: backend.connection.state == ConnectionState.CONNECTED)
        await pilot.pause()
        clock = app.main_screen.query_one("#clock-line")
        assert "connected" in str(clock.render())
        await backend.proxy.stop()
        await poll(lambda: backend.connection.state == ConnectionState.DISCONNECTED)
        await poll(lambda: "DISCONNECTED, retrying" in str(clock.render()))
        await backend.proxy.start()
        await poll(lambda: backend.connection.state == ConnectionState.CONNECTED)


async def test_drain_over_the_network_cordons_and_reports_its_lines(served):
    cluster, _server, backend = served
    node = cluster.store.list("Node")[-1]["metadata"]["name"]
    app = remote_app(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        await enter_command(pilot, f"drain {node} --ignore-daemonsets --force --timeout=1s")
        await poll(lambda: cluster.store.get("Node", "", node)["spec"].get("unschedulable"))
        await poll(lambda: any(f"node/{node} cordoned" in line for line in app.transcript))


async def test_the_drain_form_drains_over_the_network(served):
    cluster, _server, backend = served
    node = cluster.store.list("Node")[-1]["metadata"]["name"]
    app = remote_app(backend, "podtui", "https://127.0.0.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await poll(lambda: node in app.main_screen.table.visible_keys())
        assert app.main_screen.table.move_cursor_to_key(node)
        await pilot.press("r")
        await pilot.pause()
        await pilot.click("#drain")  # the form's Drain button (Cancel has the focus)
        await poll(lambda: cluster.store.get("Node", "", node)["spec"].get("unschedulable"))
        # The drain panel follows the KubeDrain, as it follows the engine's Drain: here
        # kubectl's refusal of the unmanaged pod without --force ends it.
        await poll(lambda: isinstance(app.screen, DrainScreen))
        drain = app.screen.drain
        assert drain is backend.drains()[-1]
        await poll(lambda: drain.done)
        assert any("cannot delete" in line.text for line in drain.lines)
        await pilot.press("escape")
