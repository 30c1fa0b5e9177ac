"""k9s' pod keys: `s` a shell into the container (a picker when there are several), `a`
the live log, `shift+f` port-forward says it is not simulated; `:exec` as kubectl."""

from __future__ import annotations

from podtui.app.screens.detail import DetailScreen
from podtui.app.screens.listing import ListingScreen
from podtui.app.screens.shell import ShellScreen
from tests.tui.conftest import enter_command
from tests.tui.k9s.conftest import sample_app

SIZE = (140, 42)


async def on_pod(app, pilot, name: str) -> None:
    await pilot.press("1")
    assert app.main_screen.table.move_cursor_to_key(f"default/{name}")
    await pilot.pause()


def shell_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen.query_one("#shell-output").lines)


class TestShell:
    async def test_s_opens_a_shell_where_lines_run_and_exit_leaves(self) -> None:
        app = sample_app(ticks=30)
        async with app.run_test(size=SIZE) as pilot:
            await on_pod(app, pilot, "web")
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, ShellScreen)
            await pilot.press(*"echo hi > /tmp/x; cat /tmp/x", "enter")
            await pilot.pause()
            assert shell_text(app).endswith("# echo hi > /tmp/x; cat /tmp/x\nhi")
            await pilot.press(*"exit", "enter")
            await pilot.pause()
            assert app.screen is app.main_screen

    async def test_s_on_a_pod_with_a_sidecar_picks_the_container_first(self) -> None:
        app = sample_app(ticks=30)
        async with app.run_test(size=SIZE) as pilot:
            await on_pod(app, pilot, "app-with-sidecar")
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, ListingScreen)
            await pilot.press("down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ShellScreen)
            assert app.screen.shell.container == "log-shipper"
            await pilot.press("ctrl+d")
            await pilot.pause()
            assert app.screen is app.main_screen

    async def test_colon_exec_takes_kubectls_words(self) -> None:
        app = sample_app(ticks=30)
        async with app.run_test(size=SIZE) as pilot:
            await enter_command(pilot, "exec -it app-with-sidecar -c app -- sh")
            assert isinstance(app.screen, ShellScreen) and app.screen.shell.container == "app"
            await pilot.press("escape")
            await enter_command(pilot, "exec hello -- sh")
            assert app.screen is app.main_screen
            assert (
                "error: cannot exec into a container in a completed pod; current phase is Succeeded"
            ) in app.transcript

    async def test_readonly_has_no_shell(self) -> None:
        app = sample_app(ticks=30)
        app.session.readonly = True
        async with app.run_test(size=SIZE) as pilot:
            await on_pod(app, pilot, "web")
            await pilot.press("s")
            await pilot.pause()
            assert app.screen is app.main_screen


class TestAttachAndPortForward:
    async def test_a_shows_the_live_log(self) -> None:
        app = sample_app(ticks=30)
        async with app.run_test(size=SIZE) as pilot:
            await on_pod(app, pilot, "web")
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.query_one("#detail-tabs").active == "logs"

    async def test_shift_f_says_port_forward_is_not_simulated(self) -> None:
        app = sample_app(ticks=30)
        async with app.run_test(size=SIZE) as pilot:
            await on_pod(app, pilot, "web")
            await pilot.press("F")
            await pilot.pause()
            assert any(
                n.message.startswith("port-forward is not simulated") for n in app._notifications
            )
