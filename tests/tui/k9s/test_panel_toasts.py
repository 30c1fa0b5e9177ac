"""No toast repeats what a visible panel shows: while the drain panel is up, the drain's
late lines (already in its output) and chaos kills (added to it) are not notified; the
transcript keeps them all; back on the main screen they are notified again."""

from __future__ import annotations

from podtui.app.disruption.drain_screen import DrainScreen
from tests.tui.conftest import TERMINAL
from tests.tui.test_disruption import API_NODE, disruption_app, run


def toasts(app) -> list[str]:
    return [n.message for n in app._notifications]


class TestTheDrainPanel:
    async def test_drain_and_chaos_lines_are_not_toasted_over_the_drain_panel(self) -> None:
        app = disruption_app()
        async with app.run_test(size=TERMINAL) as pilot:
            await run(pilot, "chaos start --interval=5s")
            await run(pilot, f"drain {API_NODE} --ignore-daemonsets")
            assert isinstance(app.screen, DrainScreen)
            await pilot.pause()
            app.clear_notifications()
            app.advance(40)
            await pilot.pause()
            late = [line for line in app.transcript if "evicted" in line or "chaos:" in line]
            assert any("evicted" in line for line in late)
            assert any("chaos:" in line for line in late)
            assert not [t for t in toasts(app) if "evicted" in t or "chaos:" in t]
            output = "\n".join(strip.text for strip in app.screen.query_one("#drain-output").lines)
            assert "chaos: " in output  # the kill is on the panel instead

            await pilot.press("escape")  # the panel is gone: kills are notified again
            app.clear_notifications()
            app.advance(40)
            await pilot.pause()
            assert [t for t in toasts(app) if "chaos:" in t]
