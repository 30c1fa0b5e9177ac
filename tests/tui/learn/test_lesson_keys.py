"""The lesson's H and V are bindings like the console's others: a keymap remaps them by id
(lesson.hint, lesson.reveal), and `:hint` / `:reveal` do what the keys do."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cluster import Cluster
from podtui.app.app import PodtuiApp
from podtui.app.commandline import run_command
from podtui.app.keymap import KeymapError, load_keymap
from podtui.app.learn.app import LessonApp
from podtui.app.session import Session
from tests.tui.conftest import enter_command
from tests.tui.learn.helpers import lesson_app
from tests.tui.learn.test_lesson_panel import panel_text

KEYMAP = '[keymap]\n"lesson.hint" = "f6"\n"lesson.reveal" = "f7"\n'


def _keymap_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.toml"
    path.write_text(KEYMAP, encoding="utf-8")
    return path


class TestTheLessonKeysHaveIds:
    def test_a_keymap_file_may_name_the_lesson_keys_in_a_lesson(self, tmp_path) -> None:
        path = _keymap_file(tmp_path)
        assert load_keymap(path, LessonApp.binding_ids()) == {
            "lesson.hint": "f6",
            "lesson.reveal": "f7",
        }
        # The lesson adds its ids to the console's: every console id is still known.
        assert set(PodtuiApp.binding_ids()) < set(LessonApp.binding_ids())
        # The plain console has no lesson keys to remap.
        with pytest.raises(KeymapError, match=r'unknown binding id "lesson\.hint"'):
            load_keymap(path, PodtuiApp.binding_ids())

    async def test_a_keymap_remaps_hint_and_reveal(self, tmp_path) -> None:
        keymap = load_keymap(_keymap_file(tmp_path), LessonApp.binding_ids())
        app = lesson_app("init-containers", keymap=keymap)
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            assert "f6 hint · f7 reveal" in panel_text(app)  # the panel names the keys in effect
            await pilot.press("H")  # remapped away
            assert "Hint:" not in panel_text(app)
            await pilot.press("f6")
            assert "Hint: Press \":\" for the command line" in panel_text(app)
            assert "One way to do it" not in panel_text(app)
            await pilot.press("f7")
            assert "One way to do it: :create -f myapp-pod.yaml" in panel_text(app)

    async def test_the_remapped_keys_stay_named_on_the_next_step(self, tmp_path) -> None:
        keymap = load_keymap(_keymap_file(tmp_path), LessonApp.binding_ids())
        app = lesson_app("pause-container", keymap=keymap)
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            app.advance(10)
            await pilot.pause()
            assert "Step 2/2" in panel_text(app)
            assert "f6 hint · f7 reveal" in panel_text(app)

    def test_podtui_learn_takes_a_keymap_and_checks_its_ids(
        self, tmp_path, monkeypatch, capsys
    ) -> None:
        from podtui.cli import main

        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        monkeypatch.chdir(tmp_path)  # the lesson console moves into its workspace
        (tmp_path / "bad.toml").write_text('[keymap]\n"lesson.hnit" = "f6"\n', encoding="utf-8")
        assert main(["learn", "init-containers", "--keymap", "bad.toml"]) == 1
        err = capsys.readouterr().err
        assert 'unknown binding id "lesson.hnit"' in err
        assert "lesson.hint" in err  # among the known ids


class TestHintAndRevealOnTheCommandLine:
    def test_the_lesson_console_imports_first(self) -> None:
        # `podtui learn` imports the lesson app before the command line: no import cycle.
        import subprocess
        import sys

        code = "import podtui.app.learn.app"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    async def test_hint_and_reveal_verbs_do_what_the_keys_do(self) -> None:
        app = lesson_app("init-containers")
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            await enter_command(pilot, "hint")
            await pilot.pause()
            assert "Hint: Press \":\" for the command line" in panel_text(app)
            assert "One way to do it" not in panel_text(app)
            await enter_command(pilot, "reveal")
            await pilot.pause()
            assert "One way to do it: :create -f myapp-pod.yaml" in panel_text(app)

    def test_without_a_lesson_the_verbs_say_there_is_none(self) -> None:
        session = Session.simulating(Cluster(seed=0))
        for verb in ("hint", "reveal"):
            result = run_command(verb, session, console=None)
            assert result.errors == [
                f'error: no lesson is running: ":{verb}" works in "podtui learn LESSON"'
            ]

    async def test_hint_takes_no_arguments(self) -> None:
        app = lesson_app("init-containers")
        async with app.run_test(size=(140, 42)) as pilot:
            await pilot.pause()
            result = run_command("hint now", app.session, app.main_screen)
            assert result.errors == ['error: "hint" takes no arguments']
            assert "Hint:" not in panel_text(app)
