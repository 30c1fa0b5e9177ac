"""`:reloads`: open the reload log (no Textual here, like the rest of the command line)."""

from __future__ import annotations

from engine.result import ActionResult
from podtui.app.commandline.parsing import Console, Parsed
from podtui.app.session import Session


def reloads(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    app = getattr(console, "app", None)
    if app is None or getattr(app, "hot_reload", None) is None:
        return ActionResult(
            errors=["error: no manifest files are watched (podtui watches the PATHs it opens)"]
        )
    app.action_reloads()
    return ActionResult()
