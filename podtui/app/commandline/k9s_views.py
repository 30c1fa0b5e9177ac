"""k9s' own views on the `:` line: `aliases` (also ctrl+a), `ctx`, and `ns` alone (the
Namespaces view, where enter picks one)."""

from __future__ import annotations

from engine.actions import ActionResult
from podtui.app.commandline.parsing import Console, Parsed
from podtui.app.session import Session


def aliases(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    console.show_aliases()  # type: ignore[attr-defined]
    return ActionResult()


def contexts(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    if parsed.args and parsed.args[0] != "podtui":
        return ActionResult(errors=[f'error: no context exists with the name: "{parsed.args[0]}"'])
    console.show_contexts()  # type: ignore[attr-defined]
    return ActionResult()
