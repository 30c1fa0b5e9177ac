"""Shell builtins: special builtins (`exit`, `set`, `trap`, `exec`, ...) and regular ones
(`echo`, `test`, `cd`, `wait`, `kill`, `read`, ...)."""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from engine.shell.commands import exec_argv
from engine.shell.fs import FsError, normalize
from engine.shell.printf import printf_format, shell_quote, unescape
from engine.shell.registry import special, tool, write_err, write_out
from engine.shell.scheduler import (
    INTERRUPTED,
    SIGNAL_NAMES,
    SIGNALS,
    Break,
    Continue,
    ExitShell,
    Join,
    Return,
    Sleep,
)
from engine.shell.streams import IO
from engine.shell.testexpr import TestError, TestExpr

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell


# -- special builtins --------------------------------------------------------------------------


@special(":")
def _colon(shell: Shell, argv: list[str], io: IO) -> int:
    return 0


@special("exit")
def _exit(shell: Shell, argv: list[str], io: IO) -> int:
    if len(argv) < 2:
        raise ExitShell(shell.status)
    arg = argv[1]
    if shell.dialect == "bash":
        if not re.fullmatch(r"[-+]?\d+", arg):
            shell.error(io, f"{arg}: numeric argument required", "exit")
            raise ExitShell(2)
    elif not arg.isdigit():
        shell.error(io, f"Illegal number: {arg}", "exit")
        raise ExitShell(2)
    raise ExitShell(int(arg) & 255)


@special("return")
def _return(shell: Shell, argv: list[str], io: IO) -> int:
    raise Return(int(argv[1]) & 255 if len(argv) > 1 and argv[1].isdigit() else shell.status)


@special("break", "continue")
def _break(shell: Shell, argv: list[str], io: IO) -> int:
    if shell.loop_depth == 0:
        return 0
    levels = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    levels = min(max(levels, 1), shell.loop_depth)
    raise (Break(levels) if argv[0] == "break" else Continue(levels))


@special("eval", blocking=True)
def _eval(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    return (yield from shell.eval_text(" ".join(argv[1:]), io, "eval"))


@special(".", "source", blocking=True)
def _source(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    if len(argv) < 2:
        return 0
    try:
        text = shell.fs.read(normalize(argv[1], shell.cwd))
    except FsError as err:
        shell.error(io, f"can't open '{argv[1]}': {err.strerror}", argv[0])
        raise ExitShell(2) from None
    return (yield from shell.eval_text(text, io, argv[0]))


@special("exec", blocking=True)
def _exec(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    # Caught signal handlers do not survive exec; ignored signals stay ignored.
    shell.traps = {name: action for name, action in shell.traps.items() if action == ""}
    status = yield from exec_argv(shell, argv[1:], io, {}, main=True)
    raise ExitShell(status)


@special("export", "readonly", "local")
def _export(shell: Shell, argv: list[str], io: IO) -> int:
    args = [a for a in argv[1:] if a not in {"-p", "-n"}]
    if not args and argv[0] == "export":
        for name in sorted(shell.exported):
            if name in shell.vars:
                write_out(io, f"export {name}={shell_quote(shell.vars[name])}\n")
        return 0
    for arg in args:
        name, eq, value = arg.partition("=")
        if eq:
            shell.set_var(name, value)
        if argv[0] == "export":
            shell.export(name)
    return 0


@special("unset")
def _unset(shell: Shell, argv: list[str], io: IO) -> int:
    functions = "-f" in argv[1:]
    for name in (a for a in argv[1:] if not a.startswith("-")):
        if functions:
            shell.funcs.pop(name, None)
        else:
            shell.unset_var(name)
    return 0


@special("set")
def _set(shell: Shell, argv: list[str], io: IO) -> int:
    args = argv[1:]
    if not args:
        for name in sorted(shell.vars):
            write_out(io, f"{name}={shell_quote(shell.vars[name])}\n")
        return 0
    while args:
        arg = args.pop(0)
        if arg == "--":
            shell.positional = args
            return 0
        if arg in {"-o", "+o"}:
            if args:
                option = args.pop(0)
                flag = {"errexit": "e", "xtrace": "x", "nounset": "u"}.get(option)
                if flag and arg == "-o":
                    shell.options = shell.options | {flag}
                elif flag:
                    shell.options = shell.options - {flag}
            continue
        if arg[:1] in {"-", "+"} and len(arg) > 1:
            for flag in arg[1:]:
                if arg[0] == "-":
                    shell.options = shell.options | {flag}
                else:
                    shell.options = shell.options - {flag}
            continue
        shell.positional = [arg, *args]
        return 0
    return 0


@special("shift")
def _shift(shell: Shell, argv: list[str], io: IO) -> int:
    count = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    if count > len(shell.positional):
        return 1
    shell.positional = shell.positional[count:]
    return 0


@special("trap")
def _trap(shell: Shell, argv: list[str], io: IO) -> int:
    args = argv[1:]
    if not args or args == ["-p"]:
        for name, action in shell.traps.items():
            write_out(io, f"trap -- {shell_quote(action)} {name}\n")
        return 0
    if len(args) == 1 or (_signal_name(args[0]) is not None and args[0].isdigit()):
        action, signals = "-", args
    else:
        action, signals = args[0], args[1:]
    status = 0
    for raw in signals:
        name = _signal_name(raw)
        if name is None:
            shell.error(io, f"{raw}: invalid signal specification", "trap")
            status = 1
        elif action == "-":
            shell.traps.pop(name, None)
        else:
            shell.traps[name] = action
    return status


def _signal_name(raw: str) -> str | None:
    if raw.isdigit():
        return SIGNAL_NAMES.get(int(raw))
    name = raw.upper().removeprefix("SIG")
    return name if name in SIGNALS else None


# -- regular builtins ------------------------------------------------------------------------


@tool("true")
def _true(shell: Shell, argv: list[str], io: IO) -> int:
    return 0


@tool("false")
def _false(shell: Shell, argv: list[str], io: IO) -> int:
    return 1


@tool("echo")
def _echo(shell: Shell, argv: list[str], io: IO) -> int:
    args = argv[1:]
    newline = True
    # dash's echo always interprets backslash escapes; ash's, bash's and GNU's need -e.
    escapes = shell.dialect == "dash"
    if shell.dialect == "dash":
        if args[:1] == ["-n"]:
            newline, args = False, args[1:]
    else:
        while args and re.fullmatch(r"-[neE]+", args[0]):
            for flag in args.pop(0)[1:]:
                if flag == "n":
                    newline = False
                else:
                    escapes = flag == "e"
    text = " ".join(args)
    if escapes:
        text, stop = unescape(text, echo=True)
        newline = newline and not stop
    write_out(io, text + ("\n" if newline else ""))
    return 0


@tool("printf")
def _printf_tool(shell: Shell, argv: list[str], io: IO) -> int:
    if len(argv) < 2:
        write_err(io, "printf: usage: printf format [arguments]")
        return 2
    write_out(io, printf_format(argv[1], argv[2:]))
    return 0


@tool("test", "[")
def _test_tool(shell: Shell, argv: list[str], io: IO) -> int:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            if shell.dialect == "ash":
                write_err(io, f"{posixpath.basename(shell.argv0)}: missing ]")
            else:
                shell.error(io, "missing ]" if shell.dialect == "dash" else "missing `]'", "[")
            return 2
        args = args[:-1]
    try:
        return 0 if TestExpr(shell, args).evaluate() else 1
    except TestError as err:
        if shell.dialect == "ash":
            write_err(io, f"{posixpath.basename(shell.argv0)}: {err}")
        else:
            shell.error(io, str(err), argv[0])
        return 2


@tool("cd")
def _cd(shell: Shell, argv: list[str], io: IO) -> int:
    target = argv[1] if len(argv) > 1 else shell.vars.get("HOME", "/")
    if target == "-":
        target = shell.vars.get("OLDPWD", shell.cwd)
    path = normalize(target, shell.cwd)
    if not shell.fs.is_dir(path):
        if shell.dialect == "bash":
            shell.error(io, f"{target}: No such file or directory", "cd")
            return 1
        detail = f"can't cd to {target}"
        if shell.dialect == "ash":
            detail += ": No such file or directory"
        shell.error(io, detail, "cd")
        return 2
    shell.set_var("OLDPWD", shell.cwd)
    shell.cwd = path
    shell.set_var("PWD", path)
    return 0


@tool("pwd")
def _pwd(shell: Shell, argv: list[str], io: IO) -> int:
    write_out(io, shell.cwd + "\n")
    return 0


@tool("wait", blocking=True)
def _wait(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    pids = tuple(int(a) for a in argv[1:] if a.isdigit())
    if not pids and not shell.sched.jobs:
        return 0
    result = yield Join(pids or None)
    if result is INTERRUPTED:
        return 128 + SIGNALS["TERM"]
    return int(result or 0)


@tool("kill")
def _kill(shell: Shell, argv: list[str], io: IO) -> int:
    args = argv[1:]
    signal = "TERM"
    if args and args[0] == "-s" and len(args) > 1:
        signal, args = _signal_name(args[1]) or "TERM", args[2:]
    elif args and args[0].startswith("-") and args[0] != "-0":
        signal, args = _signal_name(args[0][1:]) or "TERM", args[1:]
    probe = bool(args) and args[0] == "-0"
    if probe:
        args = args[1:]
    status = 0
    for raw in args:
        pid = int(raw) if raw.lstrip("-").isdigit() else -1
        job = shell.sched.jobs.get(pid)
        if probe:
            status = 0 if (job and not job.done) or pid in {1, shell.pid} else 1
            continue
        if job is not None and not job.done:
            job.gen.close()
            job.done, job.block, job.status = True, None, 128 + SIGNALS.get(signal, 15)
        elif pid in {shell.pid, 1} and shell.pid1:
            if shell.traps.get(signal):
                shell.pending.append(signal)
        elif pid in {shell.pid, 1}:
            if shell.traps.get(signal):
                shell.pending.append(signal)
            elif signal not in shell.traps:
                raise ExitShell(128 + SIGNALS.get(signal, 15))
        else:
            write_err(io, f"kill: can't kill pid {raw}: No such process")
            status = 1
    return status


@tool("read", blocking=True)
def _read(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
    args = argv[1:]
    names: list[str] = []
    timeout = None
    while args:
        arg = args.pop(0)
        if arg in {"-p", "-t", "-u", "-d", "-n"} and args:
            value = args.pop(0)
            if arg == "-t":
                timeout = float(value)
        elif not arg.startswith("-"):
            names.append(arg)
    if io.stdin is None:
        yield Sleep(shell.sched.now + (timeout if timeout is not None else math.inf))
        return 1
    if not io.stdin:
        return 1
    line, newline, rest = io.stdin.partition("\n")
    io.stdin = rest
    names = names or ["REPLY"]
    fields = line.split(None, len(names) - 1) if line.strip() else []
    for index, name in enumerate(names):
        shell.set_var(name, fields[index] if index < len(fields) else "")
    return 0 if newline else 1
