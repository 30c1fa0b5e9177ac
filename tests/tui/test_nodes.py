"""The Nodes pane: cordon, taints and conditions in kubectl's words, under the table.

Pilot tests over tests/tui/disruption, paused 30 s in; the engine's state is asserted after
each key, and the panel is read for kubectl describe node's strings.
"""

from __future__ import annotations

from pathlib import Path

from podtui.app.app import PodtuiApp
from podtui.app.rows import FAILING, PENDING
from tests.tui.conftest import TERMINAL, enter_command, make_session

DISRUPTION = Path(__file__).parent / "disruption"


def nodes_app(*, readonly: bool = False) -> PodtuiApp:
    return PodtuiApp(make_session([DISRUPTION], ticks=30, readonly=readonly), paused=True)


async def nodes_pane(app: PodtuiApp, pilot, node: str) -> None:
    await pilot.press("3")
    assert app.main_screen.table.move_cursor_to_key(node)
    await pilot.pause()


def panel(app: PodtuiApp) -> str:
    return str(app.main_screen.disruption_panel.render())


class TestNodePanel:
    async def test_cordon_shows_unschedulable_and_its_taint(self) -> None:
        app = nodes_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await nodes_pane(app, pilot, "node-1")
            assert "Unschedulable:  false" in panel(app)
            assert "Taints:         <none>" in panel(app)
            await pilot.press("c")
            app.advance(1)
            await pilot.pause()
            node = app.session.cluster.store.get("Node", "", "node-1")
            assert node["spec"]["unschedulable"] is True
            assert "Unschedulable:  true" in panel(app)
            assert "Taints:         node.kubernetes.io/unschedulable:NoSchedule" in panel(app)
            assert app.main_screen.table.get_row("node-1").state == PENDING
            await pilot.press("u")
            app.advance(1)
            await pilot.pause()
            assert "Taints:         <none>" in panel(app)

    async def test_conditions_read_as_kubectl_describe_node_writes_them(self) -> None:
        app = nodes_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await nodes_pane(app, pilot, "node-2")
            lines = [line.rstrip() for line in panel(app).splitlines()]
            assert lines[2].split() == ["Conditions:", "Type", "Status", "Reason", "Message"]
            assert lines[6].split()[:3] == ["Ready", "True", "KubeletReady"]

    async def test_a_lost_node_goes_unknown_tainted_and_its_pods_get_a_deadline(self) -> None:
        app = nodes_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await nodes_pane(app, pilot, "node-3")
            await pilot.press("i")
            await pilot.press("enter")  # the node's fault menu: node down
            assert not app.session.cluster.kubelets["node-3"].running
            app.advance(60)
            await pilot.pause()
            text = panel(app)
            assert (
                "Taints:         node.kubernetes.io/unreachable:NoSchedule, "
                "node.kubernetes.io/unreachable:NoExecute" in text
            )
            assert "NodeStatusUnknown" in text
            assert "taint eviction: default/api-" in text and text.endswith(" in 5m")
            assert app.main_screen.table.get_row("node-3").state == FAILING

    async def test_the_panel_follows_a_drain_on_its_node(self) -> None:
        app = nodes_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await enter_command(pilot, "drain node-2 --ignore-daemonsets")
            await pilot.pause()
            await pilot.press("escape")
            await nodes_pane(app, pilot, "node-2")
            app.advance(3)
            await pilot.pause()
            assert "Drain:          running, 1 pod(s) held by pdb/api" in panel(app)

    async def test_the_panel_is_only_on_the_nodes_and_pdbs_panes(self) -> None:
        app = nodes_app()
        async with app.run_test(size=TERMINAL) as pilot:
            assert not app.main_screen.disruption_panel.display
            await pilot.press("3")
            assert app.main_screen.disruption_panel.display
            await pilot.press("5")
            assert app.main_screen.disruption_panel.display
            await pilot.press("6")
            assert not app.main_screen.disruption_panel.display


class TestNodeKeys:
    async def test_read_only_has_no_cordon_or_drain(self) -> None:
        app = nodes_app(readonly=True)
        async with app.run_test(size=TERMINAL) as pilot:
            await nodes_pane(app, pilot, "node-1")
            await pilot.press("c", "r")
            assert app.screen is app.main_screen
            assert not app.session.cluster.store.get("Node", "", "node-1")["spec"].get(
                "unschedulable"
            )


class TestSnapshots:
    """120x34, seed 0, 30 s in, paused."""

    def test_nodes_with_a_cordoned_node(self, snap_compare) -> None:
        """`3` `c`: node-1 cordoned; the panel says Unschedulable and its taint."""

        async def run_before(pilot) -> None:
            await pilot.press("3", "c")
            pilot.app.advance(1)
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

        assert snap_compare(nodes_app(), run_before=run_before, terminal_size=TERMINAL)

    def test_a_lost_node(self, snap_compare) -> None:
        """`3` on node-3, node down, 60 s: NotReady, unreachable taints, Unknown conditions,
        and the pod the taint eviction controller deletes at 390 s."""

        async def run_before(pilot) -> None:
            await pilot.press("3", "j", "j", "i", "enter")
            pilot.app.advance(60)
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

        assert snap_compare(nodes_app(), run_before=run_before, terminal_size=TERMINAL)
