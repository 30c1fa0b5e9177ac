"""Lesson files are data a teacher writes: every mistake is a FILE:LINE message."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lessons import load_lesson

GOOD_STEP = """\
- title: {zh: 标题, en: Title}
  text: {zh: 正文, en: Text}
  task: {zh: 任务, en: Task}
  check: "pods[?metadata.name=='web']"
  hint: {zh: 提示, en: Hint}
  reveal: {zh: 答案, en: Reveal}
"""


def _lesson(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "lesson"
    (folder / "manifests").mkdir(parents=True)
    (folder / "lesson.yaml").write_text(text, encoding="utf-8")
    return folder


def _head(steps: str = GOOD_STEP) -> str:
    return 'section: "4.1"\ntitle: {zh: Pod, en: Pods}\nsteps:\n' + steps


class TestLessonFiles:
    def test_a_sound_lesson_loads_with_both_languages(self, tmp_path: Path) -> None:
        lesson, problems = load_lesson(_lesson(tmp_path, _head()))
        assert problems == []
        assert lesson is not None
        assert lesson.steps[0].title.get("zh") == "标题"
        assert lesson.steps[0].title.get("en") == "Title"
        assert lesson.heading("en") == "4.1 Pods"

    def test_a_check_that_does_not_parse_names_its_line(self, tmp_path: Path) -> None:
        folder = _lesson(tmp_path, _head(GOOD_STEP.replace("=='web']", "=='web'")))
        lesson, problems = load_lesson(folder)
        assert lesson is None
        assert len(problems) == 1
        assert str(problems[0]).startswith(f"{folder / 'lesson.yaml'}:7: check: ")

    def test_a_missing_translation_is_an_error(self, tmp_path: Path) -> None:
        folder = _lesson(tmp_path, _head(GOOD_STEP.replace("{zh: 提示, en: Hint}", "{en: Hint}")))
        _, problems = load_lesson(folder)
        assert [str(p) for p in problems] == [
            f"{folder / 'lesson.yaml'}:8: hint: zh: missing or empty"
        ]

    def test_unknown_fields_and_missing_parts_are_each_reported(self, tmp_path: Path) -> None:
        text = _head(GOOD_STEP.replace("  reveal:", "  revael:")) + "colour: red\n"
        folder = _lesson(tmp_path, text)
        _, problems = load_lesson(folder)
        messages = [str(p).split(": ", 1)[1] for p in problems]
        assert (
            'unknown field "colour" in a lesson (known: section, order, title, intro, manifests, solution, until, steps)'
            in messages
        )
        assert any(m.startswith('unknown field "revael" in a step') for m in messages)
        assert "step has no reveal:" in messages

    def test_a_solution_that_does_not_exist_is_an_error(self, tmp_path: Path) -> None:
        folder = _lesson(tmp_path, "solution: nowhere.yaml\n" + _head())
        _, problems = load_lesson(folder)
        assert [p.line for p in problems] == [1]
        assert "nowhere.yaml does not exist" in problems[0].message

    def test_broken_yaml_is_reported_not_raised(self, tmp_path: Path) -> None:
        folder = _lesson(tmp_path, _head() + "  hint: {zh: a: b}\n")
        lesson, problems = load_lesson(folder)
        assert lesson is None and problems
        assert problems[0].file == str(folder / "lesson.yaml")

    @pytest.mark.parametrize("bad", ["__import__('os')", "pods[?", ""])
    def test_nothing_in_a_check_runs_as_python(self, tmp_path: Path, bad: str) -> None:
        folder = _lesson(
            tmp_path, _head(GOOD_STEP.replace("\"pods[?metadata.name=='web']\"", repr(bad)))
        )
        lesson, problems = load_lesson(folder)
        assert lesson is None
        assert problems[0].message.startswith("check: ")
