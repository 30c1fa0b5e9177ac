"""The Logs tab shows exactly one log: switching the previous run (`p`) or the container
(`c`) replaces what is shown, as `kubectl logs [-p] [-c C]` prints one log at a time."""

from __future__ import annotations

from podtui.app.screens.detail import DetailScreen
from tests.tui.conftest import TERMINAL, enter_command, make_app


def shown(app) -> list[str]:
    """The lines on screen in the Logs tab (a RichLog: one Strip per line)."""
    return [strip.text.rstrip() for strip in app.screen.query_one("#logs-view").lines]


async def open_logs(app, pilot, line: str) -> DetailScreen:
    await enter_command(pilot, line)
    assert isinstance(app.screen, DetailScreen)
    return app.screen


class TestOneLogAtATime:
    async def test_p_twice_shows_the_current_run_once(self) -> None:
        app = make_app(ticks=60)  # crasher has restarted: a current and a previous run
        async with app.run_test(size=TERMINAL) as pilot:
            await open_logs(app, pilot, "logs crasher")
            logs = app.session.cluster.logs
            current = logs("default", "crasher", "app", previous=False)
            previous = logs("default", "crasher", "app", previous=True)
            assert current and previous
            assert shown(app) == current
            await pilot.press("p")
            await pilot.pause()
            assert shown(app) == previous
            await pilot.press("p")
            await pilot.pause()
            assert shown(app) == current

    async def test_c_replaces_one_containers_log_with_the_others(self) -> None:
        app = make_app(ticks=30)
        async with app.run_test(size=TERMINAL) as pilot:
            await open_logs(app, pilot, "logs chatty -c talker")
            logs = app.session.cluster.logs
            talker = logs("default", "chatty", "talker", previous=False)
            listener = logs("default", "chatty", "listener", previous=False)
            assert shown(app) == talker
            await pilot.press("c")
            await pilot.pause()
            assert shown(app) == listener
