"""`:hint` and `:reveal`: the lesson keys H and V on the command line.

They are console verbs only while a lesson runs (LessonApp registers `lesson_verbs` in the
session); in the plain console the same words say that there is no lesson.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.result import ActionResult

if TYPE_CHECKING:  # the command line imports this module: no cycle at run time
    from podtui.app.commandline.parsing import Console, Parsed
    from podtui.app.session import Session

LESSON_VERBS = ("hint", "reveal")


def no_lesson(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    return ActionResult(
        errors=[f'error: no lesson is running: ":{parsed.verb}" works in "podtui learn LESSON"']
    )


def lesson_verbs(
    hint: Callable[[], None], reveal: Callable[[], None]
) -> dict[str, Callable[[Parsed, Session, Console], ActionResult]]:
    """The verbs a lesson adds, calling the same actions as its keys."""

    def verb(action: Callable[[], None]) -> Callable[[Parsed, Session, Console], ActionResult]:
        def run(parsed: Parsed, session: Session, console: Console) -> ActionResult:
            if parsed.args or parsed.flags:
                return ActionResult(errors=[f'error: "{parsed.verb}" takes no arguments'])
            action()
            return ActionResult()

        return run

    return {"hint": verb(hint), "reveal": verb(reveal)}
