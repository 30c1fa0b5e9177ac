"""What the console looks like: every pane, dialog, detail view and the help screen.

Each snapshot is taken at 120x34 over the test cluster with seed 0, the clock paused
30 s in (or as the test says). Refresh after an intended change with
`pytest tests/tui --snapshot-update` and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from podtui.app import resources
from podtui.app.screens.dialogs import ScaleDialog
from tests.tui.conftest import TERMINAL, make_app

PSP_FILE = "../psp/restricted.yaml"
"""Relative to the test cluster's folder (tests/tui/manifests), as `create -f` resolves it."""
CONTROLLER_KINDS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"}


def hide_kinds(monkeypatch: pytest.MonkeyPatch, kinds: set[str]) -> None:
    """Pretend no engine package simulates these kinds (so the snapshot does not depend on
    which feature packages this build has)."""
    registered = resources.registered
    monkeypatch.setattr(
        resources, "registered", lambda kind: None if kind in kinds else registered(kind)
    )


def select(key: str):
    async def run_before(pilot) -> None:
        pilot.app.main_screen.table.move_cursor_to_key(key)
        await pilot.pause()

    return run_before


class TestPanes:
    def test_pods(self, snap_compare) -> None:
        """The Pods pane: kubectl's columns, rows coloured by status, the cursor on the first pod."""
        assert snap_compare(make_app(), terminal_size=TERMINAL)

    def test_pods_in_every_namespace(self, snap_compare) -> None:
        """`0`: every namespace, with kubectl's NAMESPACE column first."""
        assert snap_compare(make_app(), press=["0"], terminal_size=TERMINAL)

    def test_pods_wide(self, snap_compare) -> None:
        """ctrl+w: `-o wide` columns (IP, NODE...)."""
        assert snap_compare(make_app(), press=["ctrl+w"], terminal_size=TERMINAL)

    def test_pods_filtered(self, snap_compare) -> None:
        """`/web` + enter: only matching rows; the border says how many of how many."""
        assert snap_compare(
            make_app(), press=["slash", "w", "e", "b", "enter"], terminal_size=TERMINAL
        )

    def test_pods_sorted_by_restarts_after_a_crash_loop(self, snap_compare) -> None:
        """90 s in, `O` three times (NAME → READY → STATUS → RESTARTS), then `O`'s column
        again by clicking its heading would flip it; here RESTARTS ascending."""
        assert snap_compare(make_app(ticks=90), press=["O", "O", "O"], terminal_size=TERMINAL)

    def test_controllers_before_the_engine_simulates_them(self, snap_compare, monkeypatch) -> None:
        """`2`: an honest empty state while no engine package registers controller kinds."""
        hide_kinds(monkeypatch, CONTROLLER_KINDS)
        assert snap_compare(make_app(), press=["2"], terminal_size=TERMINAL)

    def test_deployments(self, snap_compare) -> None:
        """`2`: Deployments (READY, UP-TO-DATE, AVAILABLE), the kinds of the pane above."""
        assert snap_compare(make_app(), press=["2"], terminal_size=TERMINAL)

    def test_nodes(self, snap_compare) -> None:
        """`3`: the default three nodes, one of them cordoned (c)."""
        assert snap_compare(make_app(), press=["3", "c"], terminal_size=TERMINAL)

    def test_psps_when_not_simulated(self, snap_compare, monkeypatch) -> None:
        """`4`: PodSecurityPolicies, with the empty state that says why it is empty."""
        hide_kinds(monkeypatch, {"PodSecurityPolicy"})
        assert snap_compare(make_app(), press=["4"], terminal_size=TERMINAL)

    def test_psps(self, snap_compare) -> None:
        """`4` after `:create -f` of a PSP: kubectl's PSP columns (and the deprecation warning)."""
        line = f"create -f {PSP_FILE}"
        assert snap_compare(make_app(), press=[":", *line, "enter", "4"], terminal_size=TERMINAL)

    def test_pdbs(self, snap_compare, monkeypatch) -> None:
        """`5`: PodDisruptionBudgets; api's allows no disruption, in the warning colour."""
        assert snap_compare(make_app(), press=["5"], terminal_size=TERMINAL)

    def test_events(self, snap_compare) -> None:
        """`6`: events, youngest first, warnings in the warning colour, MESSAGE shown."""
        assert snap_compare(make_app(), press=["6"], terminal_size=TERMINAL)

    def test_config_maps_through_the_command_line(self, snap_compare) -> None:
        """`:cm`: a kind without a pane of its own gets one, with its kubectl columns."""
        assert snap_compare(make_app(), press=[":", "c", "m", "enter"], terminal_size=TERMINAL)

    def test_read_only(self, snap_compare) -> None:
        """--readonly: the header says so and destructive keys leave the footer."""
        assert snap_compare(make_app(readonly=True), terminal_size=TERMINAL)


class TestCommandLine:
    def test_typing_a_command(self, snap_compare) -> None:
        """`:` opens the command line at the bottom; typing suggests completions."""
        assert snap_compare(
            make_app(), press=[":", "g", "e", "t", " ", "n", "o"], terminal_size=TERMINAL
        )

    def test_an_error_in_kubectls_words(self, snap_compare) -> None:
        """A refused command: the error toast reads as kubectl's stderr."""
        assert snap_compare(
            make_app(), press=[":", *"get widgets", "enter"], terminal_size=TERMINAL
        )


class TestDialogs:
    def test_confirm_delete(self, snap_compare) -> None:
        """ctrl+d on web: Cancel is focused."""
        assert snap_compare(
            make_app(), press=["ctrl+d"], run_before=select("default/web"), terminal_size=TERMINAL
        )

    def test_inject_menu_for_a_two_container_pod(self, snap_compare) -> None:
        """`i` on chatty: the container picker and the faults."""
        assert snap_compare(
            make_app(), press=["i"], run_before=select("default/chatty"), terminal_size=TERMINAL
        )

    def test_inject_menu_for_a_node(self, snap_compare) -> None:
        """`i` in the Nodes pane: node down / node up."""
        assert snap_compare(make_app(), press=["3", "i"], terminal_size=TERMINAL)

    def test_drain(self, snap_compare) -> None:
        """`r` in the Nodes pane: kubectl drain's flags."""
        assert snap_compare(make_app(), press=["3", "r"], terminal_size=TERMINAL)

    def test_scale(self, snap_compare) -> None:
        """The scale dialog, reached as a user reaches it: `2` (Controllers), the cursor on
        deployment/api, `s`."""

        async def run_before(pilot) -> None:
            await pilot.press("2")
            pilot.app.main_screen.table.move_cursor_to_key("default/api")
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(pilot.app.screen, ScaleDialog)

        assert snap_compare(make_app(), run_before=run_before, terminal_size=TERMINAL)

    def test_namespace_picker(self, snap_compare) -> None:
        """`n`: the namespaces, and all of them."""
        assert snap_compare(make_app(), press=["n"], terminal_size=TERMINAL)

    def test_help(self, snap_compare) -> None:
        """`?`: every key in effect, grouped, with its binding id for keymaps."""
        assert snap_compare(make_app(), press=["question_mark"], terminal_size=TERMINAL)

    def test_help_after_a_keymap(self, snap_compare) -> None:
        """Help shows remapped keys, not the defaults."""
        app = make_app(keymap={"action.delete": "x", "clock.pause": "p"})
        assert snap_compare(app, press=["question_mark", "end"], terminal_size=TERMINAL)


class TestDetail:
    def test_describe(self, snap_compare) -> None:
        """Enter on crasher: kubectl describe, with its events."""
        assert snap_compare(
            make_app(ticks=60),
            press=["enter"],
            run_before=select("default/crasher"),
            terminal_size=TERMINAL,
        )

    def test_yaml(self, snap_compare) -> None:
        """`y` on web: the live object as `kubectl get -o yaml`, highlighted."""
        assert snap_compare(
            make_app(), press=["y"], run_before=select("default/web"), terminal_size=TERMINAL
        )

    def test_logs(self, snap_compare) -> None:
        """`l` on chatty: what its first container echoed."""
        assert snap_compare(
            make_app(ticks=40),
            press=["l"],
            run_before=select("default/chatty"),
            terminal_size=TERMINAL,
        )

    def test_timeline_of_a_crash_loop(self, snap_compare) -> None:
        """`t` on crasher, 2 minutes in: runs, restarts and back-off along the time axis."""
        assert snap_compare(
            make_app(ticks=120),
            press=["t"],
            run_before=select("default/crasher"),
            terminal_size=TERMINAL,
        )

    def test_edit(self, snap_compare) -> None:
        """`e` on web: kubectl edit's header over the live object."""
        assert snap_compare(
            make_app(), press=["e"], run_before=select("default/web"), terminal_size=TERMINAL
        )

    def test_describe_node(self, snap_compare) -> None:
        """describe node-1: conditions, capacity, its pods' requests."""
        assert snap_compare(
            make_app(), press=[":", *"describe node node-1", "enter"], terminal_size=TERMINAL
        )
