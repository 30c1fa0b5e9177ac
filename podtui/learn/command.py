"""`podtui learn`: open a lesson in the console, or check lessons headless."""

from __future__ import annotations

import argparse
import locale
import os
import sys
from pathlib import Path

from engine.lessons import Lesson, check_lesson, load_lessons
from podtui.bundled import lessons as bundled_lessons
from podtui.learn import progress


def learn_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podtui learn",
        description="The chapter 'Pod状态和生命周期管理' as lessons that check themselves: each "
        "opens the console on its own cluster with the lesson beside the panes.",
    )
    parser.add_argument("lesson", nargs="?", metavar="LESSON", help="a lesson's name (--list)")
    parser.add_argument("--lang", choices=["zh", "en"], default=None, help="zh or en (the locale)")
    parser.add_argument("--list", action="store_true", help="list the lessons and your progress")
    parser.add_argument(
        "--check", metavar="LESSON", help="run LESSON headless and print each step's verdict"
    )
    parser.add_argument(
        "--scenario", metavar="FILE", help="with --check: the scenario that plays the reader"
    )
    parser.add_argument(
        "--check-all",
        action="store_true",
        help="every lesson passes with its solution and not without (exit 1 otherwise)",
    )
    parser.add_argument(
        "--reset", action="store_true", help="forget your progress (LESSON's, or every lesson's)"
    )
    parser.add_argument(
        "--lessons",
        metavar="DIR",
        default=None,
        help="a folder of lesson folders to use instead of the bundled lessons",
    )
    parser.add_argument(
        "--keymap",
        metavar="FILE",
        default=None,
        help="key remapping file, as podtui's (lesson.hint, lesson.reveal and the console's ids)",
    )
    parser.add_argument("--seed", type=int, default=0)
    return parser


def default_lang() -> str:
    """zh when the locale is Chinese, else en."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    code = locale.getlocale()[0] or ""
    return "zh" if code.lower().startswith("zh") else "en"


def _lessons(folder: str | None = None) -> list[Lesson] | None:
    root = Path(folder) if folder else bundled_lessons()
    if not root.is_dir():
        print(f'error: the path "{folder}" does not exist', file=sys.stderr)
        return None
    lessons, problems = load_lessons(root)
    for problem in problems:
        print(str(problem), file=sys.stderr)
    return None if problems else lessons


def _find(lessons: list[Lesson], name: str) -> Lesson | None:
    for lesson in lessons:
        if lesson.name == name:
            return lesson
    names = ", ".join(lesson.name for lesson in lessons)
    print(f'error: no lesson "{name}" (lessons: {names})', file=sys.stderr)
    return None


def run_learn(argv: list[str]) -> int:
    args = learn_parser().parse_args(argv)
    lang = args.lang or default_lang()
    lessons = _lessons(args.lessons)
    if lessons is None:
        return 1
    if args.reset:
        if args.lesson is not None and _find(lessons, args.lesson) is None:
            return 1
        progress.reset(args.lesson)
        print(f"progress reset: {args.lesson or 'every lesson'}")
        return 0
    if args.list:
        done = progress.read_progress()
        for lesson in lessons:
            steps = len(lesson.steps)
            mark = (
                "done"
                if done.get(lesson.name, 0) >= steps
                else f"{done.get(lesson.name, 0)}/{steps}"
            )
            print(f"{lesson.name:<18} {mark:<5} {lesson.heading(lang)}")
        return 0
    if args.check_all:
        return _check_all(lessons, lang, args.seed)
    if args.check is not None:
        lesson = _find(lessons, args.check)
        if lesson is None:
            return 1
        scenario = args.scenario
        report = check_lesson(lesson, scenario, seed=args.seed)
        for problem in report.problems:
            print(str(problem), file=sys.stderr)
        if report.problems:
            return 1
        sys.stdout.write(report.render(lang))
        return 0 if report.passed else 1
    if args.scenario is not None:
        print("error: --scenario goes with --check LESSON", file=sys.stderr)
        return 1
    name = args.lesson or _first_unfinished(lessons)
    lesson = _find(lessons, name)
    if lesson is None:
        return 1
    from podtui.learn.console import run_lesson_console

    return run_lesson_console(lesson, lang=lang, seed=args.seed, keymap=args.keymap)


def _first_unfinished(lessons: list[Lesson]) -> str:
    done = progress.read_progress()
    for lesson in lessons:
        if done.get(lesson.name, 0) < len(lesson.steps):
            return lesson.name
    return lessons[0].name


def _check_all(lessons: list[Lesson], lang: str, seed: int) -> int:
    """Each lesson with its solution passes; without (the reader does nothing) it does not."""
    failures = 0
    for lesson in lessons:
        if lesson.solution is None:
            print(f"FAIL  {lesson.name}: no solution scenario")
            failures += 1
            continue
        solved = check_lesson(lesson, lesson.solution, seed=seed)
        unsolved = check_lesson(lesson, None, seed=seed)
        for problem in solved.problems:
            print(str(problem), file=sys.stderr)
        done = sum(v.done for v in solved.verdicts)
        idle = sum(v.done for v in unsolved.verdicts)
        ok = solved.passed and not unsolved.passed
        failures += not ok
        verdict = "ok  " if ok else "FAIL"
        print(
            f"{verdict}  {lesson.name:<18} solution {done}/{len(lesson.steps)} steps, "
            f"unsolved {idle}/{len(lesson.steps)}"
        )
        if not solved.passed:
            sys.stdout.write(solved.render(lang))
    print(f"{len(lessons) - failures}/{len(lessons)} lessons check")
    return 1 if failures else 0
