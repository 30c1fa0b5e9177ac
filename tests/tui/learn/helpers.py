"""A lesson's console for tests: the bundled lesson's cluster, paused, the panel beside it."""

from __future__ import annotations

from engine.lessons import Lesson, load_lesson
from engine.sim import load_inputs
from podtui.app.learn.app import LessonApp
from podtui.app.session import Session
from podtui.bundled import lessons


def bundled(name: str) -> Lesson:
    lesson, problems = load_lesson(lessons() / name)
    assert lesson is not None, [str(p) for p in problems]
    return lesson


def lesson_app(name: str, *, lang: str = "en", ticks: int = 0, **kwargs) -> LessonApp:
    lesson = bundled(name)
    inputs = load_inputs([str(lesson.manifests)])
    assert not inputs.problems
    session, outcome = Session.boot(inputs.manifests, seed=0, base_dir=lesson.manifests)
    assert not outcome.errors
    session.advance(ticks)
    return LessonApp(session, paused=True, lesson=lesson, lang=lang, **kwargs)
