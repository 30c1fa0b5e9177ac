"""k9s' own views on the `:` line: `aliases` (also ctrl+a), `ctx`, and `ns` alone (the
Namespaces view, where enter picks one)."""

from __future__ import annotations

from engine.result import ActionResult
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


def exec_(parsed: Parsed, session: Session, console: Console) -> ActionResult:
    """`exec [-it] POD [-c CONTAINER] [-n NS] -- sh`: the shell screen (`s` on a pod)."""
    from podtui.app.commandline.parsing import CommandError, namespace_of

    words = [a for a in parsed.args if a not in ("-it", "-ti", "-i", "-t", "--")]
    if not words:
        raise CommandError("error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] -- sh'.")
    pod = words[0].removeprefix("pod/").removeprefix("pods/")
    shell = words[1:] or ["sh"]
    if shell[0] not in ("sh", "/bin/sh", "bash", "/bin/bash", "ash"):
        return ActionResult(
            errors=["error: podtui's exec opens an interactive shell: exec POD -- sh"]
        )
    container = parsed.flags.get("-c")
    return console.open_shell(  # type: ignore[attr-defined]
        namespace_of(parsed, console), pod, container if isinstance(container, str) else None
    )
