"""`podtui learn LESSON`: the console on the lesson's cluster, with the lesson beside it.

The reader's files (a lesson's `files/`) are copied to a workspace in the data folder,
`$XDG_DATA_HOME/podtui/lessons/LESSON/`, which becomes the working folder: `create -f
./psp.yaml` finds them as kubectl would, and the reader edits copies, never the package.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from engine.lessons import Lesson
from podtui.learn import progress


def workspace(lesson: Lesson) -> Path:
    """The reader's copy of the lesson's files (files already there are left as edited)."""
    target = progress.data_home() / "lessons" / lesson.name
    target.mkdir(parents=True, exist_ok=True)
    source = lesson.folder / "files"
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            copy = target / path.relative_to(source)
            if path.is_dir():
                copy.mkdir(exist_ok=True)
            elif not copy.exists():
                shutil.copyfile(path, copy)
    return target


def run_lesson_console(
    lesson: Lesson, *, lang: str, seed: int = 0, keymap: str | None = None
) -> int:
    from podtui.app import run_app
    from podtui.app.learn.app import LessonApp

    folder = workspace(lesson)
    # The keymap is named relative to where the reader typed the command, not the workspace.
    keymap = os.path.abspath(keymap) if keymap else None
    os.chdir(folder)
    # Always from step 1: the cluster is new, and later steps build on what earlier ones
    # made (and remembered). The progress file keeps the furthest step reached, for --list.
    done = 0

    def make_app(*args, **kwargs) -> LessonApp:
        return LessonApp(
            *args, lesson=lesson, lang=lang, done=done, on_progress=progress.record, **kwargs
        )

    return run_app(
        [str(lesson.manifests)],
        seed=seed,
        keymap=keymap,
        make_app=make_app,
        binding_ids=LessonApp.binding_ids(),
    )
