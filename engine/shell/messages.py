"""Error messages in the wording of the image's shell (ash, dash, bash) and tools (busybox, GNU)."""

from __future__ import annotations

import errno as _errno
from typing import TYPE_CHECKING

from engine.shell.fs import FsError
from engine.shell.parser import ShellSyntaxError

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


def shell_text(shell: Shell, text: str, command: str | None = None) -> str:
    if shell.dialect == "ash":
        # ash: "sh: exit: line 1: Illegal number: x"; outside a builtin no line number.
        if command is None:
            return f"{shell.argv0}: {text}"
        name = "" if command == shell.argv0 else f"{command}: "
        return f"{shell.argv0}: {name}line {shell.line}: {text}"
    if shell.dialect == "dash":
        name = f"{command}: " if command else ""
        return f"{shell.argv0}: {shell.line}: {name}{text}"
    name = f"{command}: " if command else ""
    return f"{shell.argv0}: line {shell.line}: {name}{text}"


def syntax_text(shell: Shell, err: ShellSyntaxError, command: str | None = None) -> str:
    """The whole line a shell prints for a syntax error; `command`: the builtin parsing (eval).

    ash's ash_vmsg names the builtin and the line only while one runs (commandname), so a
    `-c` script's error is just `sh: syntax error: ...`.
    """
    if shell.dialect == "ash":
        where = f"{command}: line {err.line}: " if command else ""
        return f"{shell.argv0}: {where}{err.ash_text()}"
    if shell.dialect == "dash":
        # unverified: dash's wording, from its synexpect()/synerror().
        if err.token in {"unterminated quoted string", "bad substitution"}:
            detail = "Unterminated quoted string" if "quoted" in err.token else "Bad substitution"
        else:
            detail = f"{err.token} unexpected"
            if err.expecting:
                detail += f" (expecting {err.expecting})"
        name = f"{command}: " if command else ""
        return f"{shell.argv0}: {err.line}: {name}Syntax error: {detail}"
    # unverified: bash prints a second line quoting the script text.
    where = f"{command}: " if command else "-c: "
    if err.token == "end of file":
        return f"{shell.argv0}: {where}line {err.line}: syntax error: unexpected end of file"
    token = err.token.strip('"')
    return f"{shell.argv0}: {where}line {err.line}: syntax error near unexpected token `{token}'"


def redirect_text(shell: Shell, target: str, err: FsError, create: bool) -> str:
    missing = err.errno in (_errno.ENOENT, _errno.ENOTDIR)
    if shell.dialect == "ash":
        verb = "create" if create else "open"
        detail = ("nonexistent directory" if create else "no such file") if missing else None
        return f"can't {verb} {target}: {detail or err.strerror}"
    if shell.dialect == "dash":
        verb = "create" if create else "open"
        detail = ("Directory nonexistent" if create else "No such file") if missing else None
        return f"cannot {verb} {target}: {detail or err.strerror}"
    return f"{target}: {err.strerror}"


TOOL_TEXT = {
    "busybox": {
        "cat_open": "cat: can't open '{path}': {err}",
        "cat_dir": "cat: read error: Is a directory",
        "touch": "touch: {path}: {err}",
        "rm": "rm: can't remove '{path}': {err}",
        "rm_dir": "rm: '{path}' is a directory",
        "mkdir": "mkdir: can't create directory '{path}': {err}",
        "rmdir": "rmdir: '{path}': {err}",
        "sleep_bad": "sleep: invalid number '{arg}'",
        "ls": "ls: {path}: {err}",
        "cp_stat": "{tool}: can't stat '{path}': {err}",
        "grep": "grep: {path}: {err}",
        "missing_operand": "{tool}: missing operand",
        "tee": "tee: {path}: {err}",
    },
    "gnu": {
        "cat_open": "cat: {path}: {err}",
        "cat_dir": "cat: {path}: Is a directory",
        "touch": "touch: cannot touch '{path}': {err}",
        "rm": "rm: cannot remove '{path}': {err}",
        "rm_dir": "rm: cannot remove '{path}': Is a directory",
        "mkdir": "mkdir: cannot create directory '{path}': {err}",
        "rmdir": "rmdir: failed to remove '{path}': {err}",
        "sleep_bad": "sleep: invalid time interval '{arg}'\nTry 'sleep --help' for more information.",
        "ls": "ls: cannot access '{path}': {err}",
        "cp_stat": "{tool}: cannot stat '{path}': {err}",
        "grep": "grep: {path}: {err}",
        "missing_operand": "{tool}: missing operand\nTry '{tool} --help' for more information.",
        "tee": "tee: {path}: {err}",
    },
}

# Builtins and tools register themselves in these tables (see the end of the module).
