"""Nothing important falls off the right edge: long cells are cut with a visible `…`,
the footer ends with `? Help` (after a `…` when keys were left out), the header drops its
least useful parts before cutting, dialogs fit the terminal. At 80x24, 140x42 and 200x50.
"""

from __future__ import annotations

import pytest

from podtui.app.widgets.column_fit import ELLIPSIS, fit_widths
from podtui.app.widgets.command_line import CommandLine
from podtui.app.widgets.key_footer import KeyFooter
from tests.tui.conftest import enter_command, make_app
from tests.tui.screen_text import screen_lines
from tests.tui.test_disruption import API_NODE, disruption_app
from tests.tui.test_security import security_app

NARROW = (80, 24)
WIDE = (200, 50)


class TestFitWidths:
    def test_columns_that_fit_keep_their_widths(self) -> None:
        assert fit_widths([4, 5, 30], [5, 6, 8], 60, 3) == [4, 5, 30]

    def test_the_widest_columns_give_way_first(self) -> None:
        # 9 + 7 + 26 + 35 + 100 cells and 4 gaps of 3 into 78: the short ones stay whole.
        widths = fit_widths([9, 7, 26, 35, 100], [10, 5, 7, 7, 8], 78, 3)
        assert widths[:2] == [9, 7]
        assert sum(widths) + 4 * 3 == 78
        assert max(widths[2:]) - min(widths[2:]) <= 1

    def test_never_below_a_headings_width(self) -> None:
        assert fit_widths([20, 20], [12, 12], 10, 3) == [12, 12]


def footer(app) -> str:
    return screen_lines(app)[-1].rstrip()


def rows_of(app) -> list[str]:
    """The table's lines inside the pane's border."""
    return [line for line in screen_lines(app) if line.startswith("│")]


class TestFooter:
    @pytest.mark.parametrize("size", [NARROW, (140, 42), WIDE])
    async def test_help_is_always_in_the_footer(self, size) -> None:
        app = make_app()
        async with app.run_test(size=size) as pilot:
            for pane in "123456":
                await pilot.press(pane)
                line = footer(app)
                assert "? Help" in line, (pane, line)
                assert "^p palette" in line, (pane, line)

    async def test_left_out_keys_are_marked_and_none_is_cut_in_half(self) -> None:
        app = make_app()
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            line = footer(app)
            assert f"{ELLIPSIS}  ? Help" in line, line
            assert "^d Del " not in line or "^d Delete" in line, line

    async def test_the_keys_follow_the_pane_and_are_laid_out_only_when_they_change(
        self, monkeypatch
    ) -> None:
        """Textual's Footer lays its keys out again at every change of focus; KeyFooter only
        when the keys (or the width) change, which was a third of a console test's CPU."""
        composed: list[str] = []
        compose = KeyFooter.compose

        def counting(self):
            composed.append(type(self.screen).__name__)
            return compose(self)

        monkeypatch.setattr(KeyFooter, "compose", counting)
        app = make_app()
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            assert "Scale" not in footer(app)
            await pilot.press("2")
            assert "s Scale" in footer(app)
            await pilot.press("1")
            assert "Scale" not in footer(app) and "l Logs" in footer(app)
            # the command line has its own keys
            app.main_screen.query_one(CommandLine).focus()
            await pilot.pause()
            assert "l Logs" not in footer(app)
            app.main_screen.table.focus()
            await pilot.pause()
            assert "l Logs" in footer(app)
            before = len(composed)
            # the screen says its bindings may have changed (as at every focus change) and
            # the cursor moves: the keys are the same, nothing is laid out again
            app.main_screen.refresh_bindings()
            await pilot.press("down")
            assert "l Logs" in footer(app)
            assert len(composed) == before, composed[before:]

    async def test_the_controllers_pane_at_140_columns_keeps_help(self) -> None:
        app = make_app()
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.press("2")
            assert "? Help" in footer(app)


class TestTables:
    async def test_the_events_message_is_cut_with_a_marker_at_80_columns(self) -> None:
        app = make_app()
        async with app.run_test(size=NARROW) as pilot:
            await pilot.press("6")
            rows = rows_of(app)
            assert "MESSAGE" in rows[0], rows[0]
            assert any(row.rstrip("│ ▁▂▃▄▅▆▇█▏").endswith(ELLIPSIS) for row in rows[1:]), rows
            for row in rows:
                assert row.rstrip().endswith("│"), row  # the border is on screen

    async def test_the_psp_volumes_are_whole_or_marked_at_140_columns(self) -> None:
        app = security_app()
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.press("4")
            rows = rows_of(app)
            assert "VOLUMES" in rows[0]
            store = app.session.cluster.store
            for policy in store.list("PodSecurityPolicy"):
                volumes = ",".join(policy["spec"].get("volumes") or [])
                name = policy["metadata"]["name"]
                (row,) = [r for r in rows if r.startswith(f"│{name} ")]
                text = row.rstrip("│ ").rstrip()
                assert text.endswith(volumes) or text.endswith(ELLIPSIS), row


class TestHeader:
    async def test_a_drain_note_does_not_push_psp_off_the_clock_line_at_140(self) -> None:
        app = security_app()
        async with app.run_test(size=(140, 42)) as pilot:
            app.main_screen.query_one("#clock-line").notes = (
                ("⇣ drain node-2 7/8 · pdb/checkout-pdb", "header--drain"),
            )
            await pilot.pause()
            line = screen_lines(app)[0].rstrip()
            assert line.endswith("PSP admission on"), line

    async def test_at_80_columns_every_count_is_on_screen(self) -> None:
        app = make_app()
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            counts = screen_lines(app)[1]
            for word in ("Pods", "Running", "Pending", "Failing", "Completed", "Terminating 0"):
                assert word in counts, counts
            clock = screen_lines(app)[0]
            assert "as kubernetes-admin" in clock, clock


class TestDialogs:
    async def test_help_has_its_right_border_at_80_columns(self) -> None:
        app = make_app()
        async with app.run_test(size=NARROW) as pilot:
            await pilot.press("question_mark")
            lines = screen_lines(app)
            top = next(line for line in lines if "Help" in line and "╭" in line)
            assert top.rstrip().endswith("╮"), top


class TestDrainPanel:
    async def test_why_is_cut_with_a_marker_not_at_the_edge(self) -> None:
        app = disruption_app()
        async with app.run_test(size=(110, 42)) as pilot:
            await enter_command(pilot, f"drain {API_NODE} --ignore-daemonsets")
            app.advance(6)
            await pilot.pause()
            (row,) = [line for line in screen_lines(app) if " blocked " in line]
            assert row.rstrip().endswith(ELLIPSIS), row


class TestSnapshots:
    def test_pods_at_80x24(self, snap_compare) -> None:
        """The Pods pane in an 80x24 terminal: the header's counts without sparklines, the
        footer ending in `…  ? Help`."""
        assert snap_compare(make_app(), terminal_size=NARROW)

    def test_events_at_80x24(self, snap_compare) -> None:
        """`6` at 80x24: MESSAGE (and the widest columns) cut with `…`."""
        assert snap_compare(make_app(), press=["6"], terminal_size=NARROW)

    def test_pods_at_200x50(self, snap_compare) -> None:
        """The Pods pane at 200x50: everything whole, the full footer."""
        assert snap_compare(make_app(), terminal_size=WIDE)

    def test_events_at_200x50(self, snap_compare) -> None:
        """`6` at 200x50: every message whole."""
        assert snap_compare(make_app(), press=["6"], terminal_size=WIDE)
