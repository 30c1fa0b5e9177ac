"""Process and environment tools: sleep, timeout, date, hostname, env, printenv, command."""

from __future__ import annotations

import math
import re
from collections.abc import Generator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.shell.commands import run_command
from engine.shell.registry import COMMANDS, SPECIAL_BUILTINS, tool, write_err, write_out
from engine.shell.scheduler import Sleep
from engine.shell.streams import IO

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


@tool("sleep", blocking=True)
def _sleep(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    args = [a for a in argv[1:] if a != "--"]
    if not args:
        write_err(io, shell.tool_text("missing_operand", tool="sleep"))
        return 1
    total = 0.0
    for arg in args:
        seconds = _sleep_seconds(arg)
        if seconds is None:
            write_err(io, shell.tool_text("sleep_bad", arg=arg))
            return 1
        total += seconds
    yield Sleep(shell.sched.now + total)
    return 0


def _sleep_seconds(arg: str) -> float | None:
    """busybox/GNU sleep: a number with an optional s/m/h/d suffix, or inf[inity]."""
    if arg.lower().startswith("inf"):
        return math.inf
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", arg)
    if not match:
        return None
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


@tool("date")
def _date(shell: Shell, argv: list[str], io: IO) -> int:
    moment = shell.host.now()
    if moment is None:
        shell.host.note_assumed("date")
        return 0
    fmt = next((a[1:] for a in argv[1:] if a.startswith("+")), None)
    if any(a in {"-I", "-Iseconds", "--iso-8601=seconds"} for a in argv[1:]):
        fmt = "%Y-%m-%dT%H:%M:%S+00:00"
    write_out(io, format_date(moment, fmt) + "\n")
    return 0


@tool("hostname")
def _hostname(shell: Shell, argv: list[str], io: IO) -> int:
    if len(argv) > 1:
        shell.host.note_assumed("hostname")
        return 0
    write_out(io, shell.hostname + "\n")
    return 0


@tool("env", blocking=True)
def _env(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    args = argv[1:]
    assigns: dict[str, str] = {}
    clear = False
    while args and (args[0] in {"-i", "-", "--"} or "=" in args[0]):
        arg = args.pop(0)
        if arg in {"-i", "-"}:
            clear = True
        elif arg != "--":
            name, _, value = arg.partition("=")
            assigns[name] = value
    if not args:
        env = {} if clear else {k: v for k, v in shell.vars.items() if k in shell.exported}
        env.update(assigns)
        write_out(io, "".join(f"{k}={v}\n" for k, v in env.items()))
        return 0
    return (yield from run_command(shell, args, io, assigns))


@tool("printenv")
def _printenv(shell: Shell, argv: list[str], io: IO) -> int:
    env = {k: v for k, v in shell.vars.items() if k in shell.exported}
    if len(argv) == 1:
        write_out(io, "".join(f"{k}={v}\n" for k, v in env.items()))
        return 0
    missing = [name for name in argv[1:] if name not in env]
    write_out(io, "".join(env[name] + "\n" for name in argv[1:] if name in env))
    return 1 if missing else 0


@tool("command", "which", "type", blocking=True)
def _command_tool(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    args = [a for a in argv[1:] if a not in {"-p", "-v", "-V", "-a"}]
    if argv[0] == "command" and "-v" not in argv and "-V" not in argv:
        return (yield from run_command(shell, args, io, {})) if args else 0
    # Commands the shell does not model are assumed to exist, as it assumes they succeed.
    for name in args:
        if name in SPECIAL_BUILTINS or (name in COMMANDS and argv[0] != "which"):
            write_out(io, (f"{name} is a shell builtin" if argv[0] == "type" else name) + "\n")
        else:
            path = name if "/" in name else f"/usr/bin/{name}"
            write_out(io, (f"{name} is {path}" if argv[0] == "type" else path) + "\n")
    return 0 if args else 1


@tool("timeout", blocking=True)
def _timeout(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    args = [a for a in argv[1:] if not a.startswith("-")]
    limit = _sleep_seconds(args[0]) if args else None
    if limit is None or len(args) < 2:
        write_err(io, "timeout: invalid time interval")
        return 125
    deadline = shell.sched.now + limit
    inner = run_command(shell, args[1:], io, {})
    value: object = None
    try:
        while True:
            request = inner.send(value)
            if isinstance(request, Sleep) and request.until > deadline:
                yield Sleep(deadline)
                inner.close()
                return 124
            value = yield request
    except StopIteration as stop:
        return int(stop.value or 0)


def format_date(moment: datetime, fmt: str | None = None, utc: bool = True) -> str:
    """`date` output: busybox and GNU both default to `%a %b %e %H:%M:%S %Z %Y`."""
    moment = moment.astimezone(UTC)
    pattern = fmt if fmt is not None else "%a %b %e %H:%M:%S %Z %Y"
    pattern = pattern.replace("%s", str(int(moment.timestamp()))).replace("%N", "000000000")
    pattern = pattern.replace("%e", f"{moment.day:2d}")
    return moment.strftime(pattern)
