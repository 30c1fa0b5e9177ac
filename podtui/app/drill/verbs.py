"""`:drill [NAME]...`: run the drills (all, or those named) and open their report.

No Textual here, like the rest of the command line: the verb checks the names and loads
the console's PATHs, the console (MainScreen, via DrillKeys) opens the report pane, which
runs the drills in a worker.
"""

from __future__ import annotations

from pathlib import Path

from engine.drill.runner import DRILLS
from engine.result import ActionResult
from engine.sim import Inputs, load_inputs
from podtui.app.commandline.parsing import CommandError, Console, Parsed
from podtui.app.session import Session

USAGE = f"error: drill [NAME]... (drills: {', '.join(DRILLS)})"


def drill_paths(session: Session, console: Console) -> list[str]:
    """The console's PATHs: those the hot reload watches, else the files applied at start."""
    app = getattr(console, "app", None)
    hot_reload = getattr(app, "hot_reload", None)
    if hot_reload is not None and hot_reload.reloader.paths:
        return [str(p) for p in hot_reload.reloader.paths]
    return [name for name in session.manifest_files if name and Path(name).exists()]


def drill(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    names = list(dict.fromkeys(parsed.args))
    unknown = [name for name in names if name not in DRILLS]
    if unknown or parsed.flags:
        raise CommandError(
            f'error: unknown drill "{unknown[0]}" ({USAGE.removeprefix("error: ")})'
            if unknown
            else USAGE
        )
    paths = drill_paths(session, console)
    if not paths:
        raise CommandError("error: no manifest files to drill (podtui was started without PATHs)")
    inputs: Inputs = load_inputs(paths)
    if inputs.problems:
        # The files as they are now, checked as `podtui drill` checks them: nothing runs.
        raise CommandError("\n".join(str(p) for p in inputs.problems))
    open_drill = getattr(console, "open_drill", None)
    if open_drill is None:
        raise CommandError("error: the drill report is not available here")
    open_drill(inputs, names)
    return ActionResult()
