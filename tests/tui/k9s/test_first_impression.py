"""The first screen over the bundled sample: calm about the refusals the sample makes on
purpose, loud (but dismissible) about broken files, and `q` quits as in k9s."""

from __future__ import annotations

from pathlib import Path

import pytest

from podtui.app import run_app
from podtui.app.app import PodtuiApp
from podtui.app.reload_ui.banner import AdmissionNote, ConsoleReloadBanner
from podtui.app.screens.dialogs import ConfirmDialog
from podtui.bundled import sample_manifests
from tests.reload.conftest import config_map, until, write

SAMPLE_MANIFESTS = sample_manifests()

SIZE = (140, 42)


def console(paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> PodtuiApp:
    """The app `podtui PATH...` builds, ready for `run_test` instead of `run`."""
    built: list[PodtuiApp] = []
    monkeypatch.setattr(PodtuiApp, "run", lambda self, *a, **k: built.append(self))
    assert run_app([str(p) for p in paths]) == 0
    built[0].paused = True
    return built[0]


def note_text(app: PodtuiApp) -> str:
    return str(app.main_screen.query_one(AdmissionNote).render())


def banner(app: PodtuiApp) -> ConsoleReloadBanner:
    return app.main_screen.query_one(ConsoleReloadBanner)


class TestTheSampleOpensCalmly:
    async def test_admission_refusals_are_one_calm_line_not_a_banner_or_a_toast(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.chdir(tmp_path)  # started from anywhere: the sample's absolute path
        app = console([SAMPLE_MANIFESTS], monkeypatch)
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: app.hot_reload.reloads_shown >= 1)
            await pilot.pause()
            assert not banner(app).has_class("-problems")
            assert note_text(app) == (
                "ⓘ 3 pods refused by admission — R to see why (host-path, host-port, privileged)"
            )
            assert not [n for n in app._notifications]  # nothing covers the table
            await pilot.press("R")  # the key the line names shows the refusals in full
            await pilot.pause()
            assert type(app.screen).__name__ == "ReloadLogScreen"


class TestTheBannerOfBrokenFiles:
    async def test_paths_are_relative_to_the_folder_passed_and_clipping_says_how_many_more(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        folder = tmp_path / "deep" / "manifests"
        for index in range(6):
            write(folder / f"cm{index}.yaml", config_map(f"cm{index}"))
        monkeypatch.chdir(tmp_path / "deep")
        app = console([folder.absolute()], monkeypatch)
        async with app.run_test(size=SIZE) as pilot:
            await until(app.hot_reload.reloader.ready.is_set)
            for index in range(6):
                (folder / f"cm{index}.yaml").write_text("kind: [\n")
            await until(lambda: len(banner(app).problems) == 6)
            await pilot.pause()
            text = str(banner(app).render())
            lines = text.splitlines()
            assert lines[0].startswith("cm0.yaml:2: error parsing YAML")
            assert str(folder) not in text
            assert lines[4] == "… and 2 more (see the reload log)"
            assert lines[5] == "esc or click hides this · R or :reloads — the reload log"
            assert banner(app).region.height == 6  # nothing clipped

    async def test_esc_dismisses_the_banner_until_the_problems_change(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        folder = tmp_path / "manifests"
        write(folder / "a.yaml", config_map("a"))
        write(folder / "b.yaml", config_map("b"))
        monkeypatch.chdir(tmp_path)
        app = console([folder], monkeypatch)
        async with app.run_test(size=SIZE) as pilot:
            await until(app.hot_reload.reloader.ready.is_set)
            (folder / "a.yaml").write_text("kind: [\n")
            await until(lambda: banner(app).has_class("-problems"))
            await pilot.press("escape")
            assert not banner(app).has_class("-problems")
            (folder / "b.yaml").write_text("kind: [\n")  # a new problem brings it back
            await until(lambda: banner(app).has_class("-problems"))


class TestQuit:
    async def test_q_asks_then_quits_through_the_apps_quit_action(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from tests.tui.conftest import make_app

        app = make_app()
        quits: list[str] = []
        original = PodtuiApp.action_quit

        def counted(self: PodtuiApp):
            quits.append("quit")
            return original(self)

        monkeypatch.setattr(PodtuiApp, "action_quit", counted)
        async with app.run_test(size=SIZE) as pilot:
            footer_keys = [
                b.binding.key for b in app.screen.active_bindings.values() if b.binding.show
            ]
            assert "q" in footer_keys
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("escape")  # Cancel: still running
            await pilot.pause()
            assert not quits and not isinstance(app.screen, ConfirmDialog)
            await pilot.press("q", "y")
            await pilot.pause()
            assert quits == ["quit"]

    async def test_with_live_edits_q_asks_once_the_checkpoint_question(self) -> None:
        from podtui.app.checkpoint.quit import SaveCheckpointDialog
        from tests.tui.conftest import make_app

        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(":", *"delete pod web", "enter")  # a live edit
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, SaveCheckpointDialog)  # no second question
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.main_screen and app.is_running
