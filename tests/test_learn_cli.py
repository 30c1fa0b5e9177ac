"""`podtui learn` headless: every bundled lesson passes with its solution and fails without,
progress lives in the XDG data folder, and the verdicts print one line per step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.lessons import check_lesson, load_lessons
from podtui.bundled import lessons as bundled_lessons
from podtui.cli import main

LESSONS, PROBLEMS = load_lessons(bundled_lessons())
SECTIONS = [
    ("4.1", "pods"),
    ("4.1", "controllers"),
    ("4.2", "init-containers"),
    ("4.3", "pause-container"),
    ("4.4", "psp"),
    ("4.5", "phases"),
    ("4.5", "probes"),
    ("4.5", "restart-policy"),
    ("4.6", "podpreset"),
    ("4.7", "pdb"),
]


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    # English unless --lang says otherwise, whatever the machine's locale.
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return tmp_path / "data"


def test_the_bundled_lessons_load_and_follow_the_chapter() -> None:
    assert PROBLEMS == []
    assert [(lesson.section, lesson.name) for lesson in LESSONS] == SECTIONS


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
class TestEachLesson:
    def test_its_solution_passes_every_step(self, lesson) -> None:
        report = check_lesson(lesson, lesson.solution)
        assert report.passed, report.render("en")

    def test_the_unsolved_lesson_does_not_pass(self, lesson) -> None:
        report = check_lesson(lesson, None)
        assert not report.passed
        assert not report.verdicts[-1].done

    def test_every_step_speaks_both_languages(self, lesson) -> None:
        for step in lesson.steps:
            for text in (step.title, step.text, step.task, step.hint, step.reveal):
                assert text.zh and text.en
                assert text.zh != text.en or text.en.startswith(":") or text.en == step.title.en


class TestTheLanguage:
    @pytest.mark.parametrize(
        ("variables", "lang"),
        [
            ({"LANG": "zh_CN.UTF-8"}, "zh"),
            ({"LANG": "zh_TW.UTF-8"}, "zh"),
            ({"LANG": "en_US.UTF-8"}, "en"),
            ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
        ],
    )
    def test_the_locale_chooses_without_lang(self, monkeypatch, variables, lang) -> None:
        from podtui.learn.command import default_lang

        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        assert default_lang() == lang


class TestTheCommand:
    def test_check_prints_each_steps_verdict(self, capsys) -> None:
        solution = str(bundled_lessons() / "init-containers" / "solution.yaml")
        assert main(["learn", "--check", "init-containers", "--scenario", solution]) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[0] == "lesson init-containers: 4.2 Init containers"
        assert "  ok    2. One after the other (at 14s)" in out
        assert out.endswith("4/4 steps done\n")

    def test_check_without_a_solution_fails_and_says_which_check(self, capsys) -> None:
        assert main(["learn", "--check", "init-containers", "--lang", "zh"]) == 1
        out = capsys.readouterr().out
        assert "FAIL  1. 第一个 Init 容器: not done by 180s" in out

    def test_check_all_passes_for_the_bundled_lessons(self, capsys) -> None:
        assert main(["learn", "--check-all"]) == 0
        assert capsys.readouterr().out.endswith("10/10 lessons check\n")

    def test_an_unknown_lesson_is_an_error(self, capsys) -> None:
        assert main(["learn", "--check", "nothing"]) == 1
        assert capsys.readouterr().err.startswith('error: no lesson "nothing" (lessons: pods, ')

    def test_list_shows_progress_kept_in_the_xdg_data_folder(self, capsys, data_home) -> None:
        from podtui.learn import progress

        progress.record("pods", 4)
        progress.record("phases", 1)
        assert json.loads((data_home / "podtui" / "learn-progress.json").read_text()) == {
            "lessons": {"phases": 1, "pods": 4}
        }
        assert main(["learn", "--list", "--lang", "en"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].split() == ["pods", "done", "4.1", "Pods"]
        assert lines[5].split()[:2] == ["phases", "1/5"]
        assert main(["learn", "--reset", "pods"]) == 0
        assert progress.read_progress() == {"phases": 1}
        assert main(["learn", "--reset"]) == 0
        assert progress.read_progress() == {}

    def test_without_xdg_data_home_progress_goes_under_local_share(self, monkeypatch) -> None:
        from podtui.learn import progress

        monkeypatch.delenv("XDG_DATA_HOME")
        monkeypatch.setenv("HOME", "/home/reader")
        assert progress.progress_file() == Path(
            "/home/reader/.local/share/podtui/learn-progress.json"
        )


class TestATeachersOwnLessons:
    def test_a_folder_of_lessons_is_checked_with_file_line_errors(self, tmp_path, capsys) -> None:
        import shutil

        shutil.copytree(bundled_lessons() / "pods", tmp_path / "mine" / "pods")
        lesson = tmp_path / "mine" / "pods" / "lesson.yaml"
        lesson.write_text(lesson.read_text().replace("ready(pods", "readyy(pods"))
        assert main(["learn", "--lessons", str(tmp_path / "mine"), "--check-all"]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"{lesson}:")
        assert 'check: unknown function "readyy()"' in err

    def test_a_sound_folder_passes_check_all(self, tmp_path, capsys) -> None:
        import shutil

        shutil.copytree(bundled_lessons() / "pods", tmp_path / "mine" / "pods")
        assert main(["learn", "--lessons", str(tmp_path / "mine"), "--check-all"]) == 0
        assert capsys.readouterr().out.endswith("1/1 lessons check\n")
