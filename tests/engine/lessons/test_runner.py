"""A lesson followed over a cluster: steps in order, done for good once their check holds."""

from __future__ import annotations

from pathlib import Path

from engine.lessons import check_lesson, load_lesson

LESSON = """\
section: "9.9"
title: {zh: 测试, en: Test}
until: 60s
solution: solution.yaml
steps:
- title: {zh: 一, en: One}
  text: {zh: 一, en: One}
  task: {zh: 一, en: One}
  check: "pods[?metadata.name=='web' && status.phase=='Running']"
  remember: {uid: "pods[?metadata.name=='web'] | [0].metadata.uid"}
  hint: {zh: 一, en: One}
  reveal: {zh: 一, en: One}
- title: {zh: 二, en: Two}
  text: {zh: 二, en: Two}
  task: {zh: 二, en: Two}
  check: "length(pods[?metadata.name=='web']) == `0`"
  hint: {zh: 二, en: Two}
  reveal: {zh: 二, en: Two}
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
"""


def _lesson(tmp_path: Path, solution: str):
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "web.yaml").write_text(POD)
    (tmp_path / "lesson.yaml").write_text(LESSON)
    (tmp_path / "solution.yaml").write_text(solution)
    lesson, problems = load_lesson(tmp_path)
    assert problems == []
    return lesson


class TestFollowingALesson:
    def test_steps_pass_in_order_at_the_simulated_time_they_hold(self, tmp_path: Path) -> None:
        lesson = _lesson(tmp_path, "- at: 20s\n  delete: pod/web\n  gracePeriod: 0\n")
        report = check_lesson(lesson, lesson.solution)
        assert report.passed
        first, second = report.verdicts
        assert first.done_at is not None and first.done_at < 20
        assert second.done_at is not None and second.done_at >= 20

    def test_a_later_steps_state_does_not_count_before_its_turn(self, tmp_path: Path) -> None:
        # Without the solution the pod is never deleted: step two never holds, and the
        # report says which check is still false.
        lesson = _lesson(tmp_path, "[]\n")
        report = check_lesson(lesson, None)
        assert not report.passed
        assert report.verdicts[0].done
        assert report.verdicts[1].failing == "length(pods[?metadata.name=='web']) == `0`"
        assert "FAIL  2. Two: not done by 60s" in report.render("en")

    def test_a_scenario_with_errors_is_reported_not_run(self, tmp_path: Path) -> None:
        lesson = _lesson(tmp_path, "- at: 5s\n  explode: pod/web\n")
        report = check_lesson(lesson, lesson.solution)
        assert not report.passed
        assert str(report.problems[0]).startswith(f"{tmp_path / 'solution.yaml'}:2: ")


def test_a_check_that_fails_as_it_runs_is_reported_once(tmp_path: Path) -> None:
    lesson = _lesson(tmp_path, "[]\n")
    # JMESPath orders only numbers: comparing a phase with a number is an error at run time.
    (tmp_path / "lesson.yaml").write_text(
        LESSON.replace("length(pods[?metadata.name=='web']) == `0`", "pods[0].status.phase > `1`")
    )
    from engine.lessons import load_lesson

    lesson, _ = load_lesson(tmp_path)
    report = check_lesson(lesson, None)
    assert not report.passed
    text = report.render("en")
    assert text.count("error in a check: ") == 1
