"""The Logs tab's toggles, as k9s' log view has them (internal/view/log.go bindKeys):
`t` timestamps (kubectl logs --timestamps), `w` wrap, `s` autoscroll, `0`-`6` the
since-window (tail, head, 1m, 5m, 15m, 30m, 1h: kubectl logs --since), `/` search."""

from __future__ import annotations

from podtui.app.screens.detail import DetailScreen
from podtui.app.widgets.log_view import LogView
from tests.tui.conftest import enter_command
from tests.tui.k9s.conftest import sample_app

SIZE = (140, 42)
POD, CONTAINER = "app-with-sidecar", "log-shipper"  # `echo shipping logs` every 10 s


async def logs_of(app, pilot) -> LogView:
    await enter_command(pilot, f"logs {POD} -c {CONTAINER}")
    assert isinstance(app.screen, DetailScreen)
    return app.screen.query_one(LogView)


def title(app) -> str:
    return str(app.screen.query_one("#logs-title").render())


class TestLogToggles:
    async def test_t_shows_kubectls_timestamps_and_T_is_the_timeline(self) -> None:
        app = sample_app(ticks=35)
        async with app.run_test(size=SIZE) as pilot:
            view = await logs_of(app, pilot)
            plain = list(view.shown)
            await pilot.press("t")
            await pilot.pause()
            assert view.shown == app.session.cluster.logs(
                "default", POD, CONTAINER, timestamps=True
            )
            assert view.shown[0].endswith("Z " + plain[0])
            assert "[timestamps]" in title(app)
            await pilot.press("T")
            await pilot.pause()
            assert app.screen.query_one("#detail-tabs").active == "timeline"

    async def test_the_since_window_keeps_the_last_minute(self) -> None:
        app = sample_app(ticks=300)
        async with app.run_test(size=SIZE) as pilot:
            view = await logs_of(app, pilot)
            everything = len(view.shown)
            await pilot.press("2")  # 1m
            await pilot.pause()
            assert view.shown == app.session.cluster.logs("default", POD, CONTAINER, since=60)
            assert 5 <= len(view.shown) <= 7 < everything
            await pilot.press("0")  # tail: everything again
            await pilot.pause()
            assert len(view.shown) == everything

    async def test_search_keeps_matching_lines_and_esc_clears_it(self) -> None:
        app = sample_app(ticks=35)
        async with app.run_test(size=SIZE) as pilot:
            view = await logs_of(app, pilot)
            await pilot.press("t", "/", *"00:00:1", "enter")
            await pilot.pause()
            assert view.shown and all("00:00:1" in line for line in view.shown)
            assert "/00:00:1" in title(app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)  # esc cleared the search first
            assert len(view.shown) > 1 and "/00:00:1" not in title(app)

    async def test_wrap_and_autoscroll_toggle(self) -> None:
        app = sample_app(ticks=35)
        async with app.run_test(size=SIZE) as pilot:
            view = await logs_of(app, pilot)
            assert (view.wrap, view.auto_scroll) == (False, True)
            await pilot.press("w", "s")
            await pilot.pause()
            assert (view.wrap, view.auto_scroll) == (True, False)
            assert "[wrap · autoscroll off]" in title(app)
