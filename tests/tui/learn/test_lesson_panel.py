"""The lesson panel watches the cluster: a step is done when its check holds, the hint
comes after a while or on H, the reveal on V, and progress is recorded."""

from __future__ import annotations

from rich.console import Console

from podtui.app.learn.panel import LessonPanel
from tests.tui.learn.helpers import lesson_app


def panel_text(app, width: int = 60) -> str:
    panel = app.main_screen.query_one(LessonPanel)
    console = Console(width=width, record=True, color_system=None)
    console.print(panel.render_lesson())
    return console.export_text()


class TestTheLessonPanel:
    async def test_a_step_is_done_when_its_check_holds(self) -> None:
        recorded: list[tuple[str, int]] = []
        app = lesson_app("pause-container", on_progress=lambda n, d: recorded.append((n, d)))
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            assert "Step 1/2 · One pod, one IP" in panel_text(app)
            app.advance(10)
            await pilot.pause()
            text = panel_text(app)
            assert "Step 2/2 · Kill the sandbox" in text
            assert "✓ One pod, one IP" in text
            assert recorded == [("pause-container", 1)]

    async def test_h_shows_the_hint_and_v_the_reveal(self) -> None:
        app = lesson_app("init-containers")
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            assert "Hint:" not in panel_text(app)
            await pilot.press("H")
            assert "Hint: Press \":\" for the command line" in panel_text(app)
            assert "One way to do it" not in panel_text(app)
            await pilot.press("V")
            assert "One way to do it: :create -f myapp-pod.yaml" in panel_text(app)

    async def test_the_hint_shows_by_itself_after_hint_after(self) -> None:
        app = lesson_app("init-containers")
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            app.advance(59)
            await pilot.pause()
            assert "Hint:" not in panel_text(app)
            app.advance(1)
            await pilot.pause()
            assert "Hint:" in panel_text(app)

    async def test_an_action_in_the_console_is_checked_at_once(self) -> None:
        from tests.tui.conftest import enter_command

        app = lesson_app("psp", lang="zh")
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            app.session.base_dir = app.lesson.folder / "files"
            await enter_command(pilot, "create -f psp.yaml")
            await pilot.pause()
            assert "第 2/5 步 · 没有授权，Pod 被拒绝" in panel_text(app)

    async def test_chinese_text_wraps_inside_the_panel(self) -> None:
        app = lesson_app("init-containers", lang="zh")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for line in panel_text(app, width=28).splitlines():
                assert Console().measure(line).maximum <= 28
