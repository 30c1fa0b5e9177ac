"""How a command runs: function, builtin, tool, nested shell, host program, or assumed.

Like ash, dash and bash, the last simple command of a `-c` script replaces the shell (no
fork) unless a trap is set; this decides who receives SIGTERM.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from engine.shell.fs import FsError, normalize
from engine.shell.host import Program
from engine.shell.registry import COMMANDS, SPECIAL_BUILTINS
from engine.shell.scheduler import Body, ExitShell, Return, Sleep, finished
from engine.shell.streams import IO

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell

SHELLS = frozenset({"sh", "ash", "dash", "bash"})
BIN_DIRS = frozenset(
    {"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}
)


def run_command(
    shell: Shell,
    argv: list[str],
    io: IO,
    assigns: dict[str, str],
    *,
    replacing: bool = False,
    main: bool = False,
) -> Body:
    """Run one command: function, builtin, tool, nested shell, program or assumed.

    Returns the running command (iterate it at once); see Shell._drive on why it is not
    a generator itself.
    """
    name = argv[0]
    base = command_name(name)
    if "/" not in name and name in shell.funcs:
        return _call_function(shell, name, argv[1:], io)
    if "/" not in name and name in SPECIAL_BUILTINS:
        for var, value in assigns.items():
            shell.set_var(var, value)
        return SPECIAL_BUILTINS[name](shell, argv, io)
    if base in WRAPPERS and len(argv) > 1:
        rest = strip_wrapper(base, argv)
        if not rest:
            return finished(0)
        return run_command(shell, rest, io, assigns, replacing=replacing, main=main)
    if base is not None and base in COMMANDS:
        if assigns:
            return _with_assigns(shell, assigns, COMMANDS[base](shell, argv, io))
        return COMMANDS[base](shell, argv, io)
    if base is not None and base in SHELLS:
        env = _child_env(shell, assigns)
        return _invoke_shell(shell, argv, io, env, replacing or main)
    if "/" in name and shell.fs.is_file(normalize(name, shell.cwd)):
        env = _child_env(shell, assigns)
        return _invoke_shell(shell, ["sh", name, *argv[1:]], io, env, False)
    result = shell.host.tool(argv, shell.cwd)
    if result is not None:
        io.out.write(result.stdout)
        io.err.write(result.stderr)
        return finished(result.exit_code)
    program = shell.host.resolve(argv, main)
    if program is None:
        shell.host.note_assumed(posixpath.basename(name))
        return finished(0)
    if replacing or main:
        shell.host.exec_program(program)
    return _start_program(shell, program)


def _with_assigns(shell: Shell, assigns: dict[str, str], body: Body) -> Body:
    """`VAR=value tool`: the assignments hold while the tool runs."""
    saved = _push_assigns(shell, assigns)
    try:
        return (yield from body)
    finally:
        _pop_assigns(shell, saved)


def exec_argv(shell: Shell, argv: list[str], io: IO, assigns: dict[str, str], main: bool) -> Body:
    """Become argv: a shell invocation turns this process into that shell."""
    if not argv:
        return finished(0)
    base = command_name(argv[0])
    if base in WRAPPERS and len(argv) > 1:
        return exec_argv(shell, strip_wrapper(base, argv), io, assigns, main)
    if base is not None and base in SHELLS:
        shell.argv0 = argv[0]
        for name, value in assigns.items():
            shell.set_var(name, value)
        return become_shell(shell, argv, io)
    return run_command(shell, argv, io, assigns, replacing=True, main=main)


def _start_program(shell: Shell, program: Program) -> Body:
    if program.daemonizes:
        shell.sched.spawn(_pump(shell, program.run()))
        return finished(0)
    return _pump(shell, program.run())


def _pump(shell: Shell, gen: Generator[float, None, int]) -> Generator[Any, Any, int]:
    """Turn a program's relative sleeps into scheduler waits."""
    try:
        seconds = next(gen)
        while True:
            yield Sleep(shell.sched.now + seconds)
            seconds = gen.send(None)
    except StopIteration as stop:
        return stop.value or 0
    finally:
        gen.close()


def _call_function(shell: Shell, name: str, args: list[str], io: IO) -> Generator[Any, Any, int]:
    saved = shell.positional
    shell.positional = list(args)
    try:
        return (yield from shell.command(shell.funcs[name], io, False))
    except Return as ret:
        return ret.status
    finally:
        shell.positional = saved


# -- nested shells -----------------------------------------------------------------------
def _shell_args(shell: Shell, argv: list[str]) -> tuple[str, str | None, list[str], bool]:
    """Split `sh [-exc] [script | -c text [name [args]]]` into its pieces."""
    options = ""
    command_mode = False
    index = 1
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            index += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        for flag in arg[1:]:
            if flag == "c":
                command_mode = True
            elif flag in "eux":
                options += flag
        index += 1
    rest = argv[index:]
    return options, (rest[0] if rest else None), rest[1:], command_mode


def become_shell(shell: Shell, argv: list[str], io: IO) -> Body:
    """This shell process is now `sh [options] [-c script | file]`: run what it is given."""
    options, first, rest, command_mode = _shell_args(shell, argv)
    if options:
        shell.options |= set(options)
    if command_mode:
        if first is None:
            shell.error(io, f"{argv[0]}: -c requires an argument", raw=True)
            return finished(2)
        if rest:
            shell.argv0 = rest[0]
        shell.positional = rest[1:]
        return shell.script_body(first, tail=True)
    if first is not None:
        shell.positional = rest
        script = _read_script(shell, first, io)
        if script is None:
            return finished(127 if shell.dialect == "bash" else 2)
        # Only `-c` strings exec their last command (ash: evalstring(minusc, EV_EXIT)).
        return shell.script_body(script, tail=False)
    if io.stdin is None:
        return _read_forever(shell)
    return shell.script_body(io.stdin or "", tail=False)


def _read_forever(shell: Shell) -> Body:
    """An interactive shell whose stdin never ends (`stdin: true`, `tty: true`) waits."""
    yield Sleep(math.inf)
    return (yield from shell.script_body("", tail=False))


def _invoke_shell(
    shell: Shell, argv: list[str], io: IO, env: dict[str, str], replacing: bool
) -> Body:
    if replacing:
        shell.traps = {k: v for k, v in shell.traps.items() if v == ""}
        shell.replace_environment(env)
        shell.argv0 = argv[0]
        return become_shell(shell, argv, io)
    return _child_shell(shell, argv, io, env)


def _child_shell(shell: Shell, argv: list[str], io: IO, env: dict[str, str]) -> Body:
    child = type(shell)(
        shell.fs,
        env,
        shell.host,
        argv0=argv[0],
        flavor=shell.flavor,
        hostname=shell.hostname,
        scheduler=shell.sched,
        pid1_output=shell.pid1_output,
    )
    child.cwd = shell.cwd
    try:
        status = yield from child.top(lambda: become_shell(child, argv, io))
    except ExitShell as leave:
        status = leave.status
    return status


def _read_script(shell: Shell, path: str, io: IO) -> str | None:
    try:
        return shell.fs.read(normalize(path, shell.cwd))
    except FsError as err:
        if shell.dialect == "bash":
            shell.error(io, f"{shell.argv0}: {path}: {err.strerror}", raw=True)
        elif shell.dialect == "dash":
            shell.error(io, f"{shell.argv0}: 0: cannot open {path}: No such file", raw=True)
        else:
            shell.error(io, f"{shell.argv0}: can't open '{path}': {err.strerror}", raw=True)
        return None


def _child_env(shell: Shell, assigns: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in shell.vars.items() if k in shell.exported}
    env.update(assigns)
    return env


def _push_assigns(shell: Shell, assigns: dict[str, str]) -> dict[str, tuple[str | None, bool]]:
    saved = {k: (shell.vars.get(k), k in shell.exported) for k in assigns}
    for name, value in assigns.items():
        shell.set_var(name, value)
        shell.export(name)
    return saved


def _pop_assigns(shell: Shell, saved: dict[str, tuple[str | None, bool]]) -> None:
    for name, (value, was_exported) in saved.items():
        if value is None:
            shell.unset_var(name, unexport=False)
        else:
            shell.set_var(name, value)
        if not was_exported:
            shell.unexport(name)


def command_name(name: str) -> str | None:
    """The tool a command names: `/bin/sleep` is sleep; `/app/sleep` is not ours."""
    if "/" not in name:
        return name
    directory, base = posixpath.split(name)
    return base if posixpath.normpath(directory) in BIN_DIRS else None


WRAPPERS = frozenset({"nohup", "tini", "dumb-init", "gosu", "su-exec"})


def strip_wrapper(base: str, argv: list[str]) -> list[str]:
    """The command a transparent wrapper (`tini --`, `gosu user`, `nohup`) runs."""
    rest = argv[1:]
    while rest and rest[0].startswith("-") and base in {"tini", "dumb-init"}:
        flag = rest.pop(0)
        if flag == "--":
            break
    if base in {"gosu", "su-exec"} and rest:
        rest = rest[1:]
    return rest
