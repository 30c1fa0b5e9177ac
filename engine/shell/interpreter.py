"""Run shell scripts and commands the way a container's /bin/sh would, in simulated time.

Execution is a generator: it yields `Wait(seconds)` while the script sleeps or blocks
(`math.inf`: until a signal) and returns the exit status. The caller resumes it once
the simulated time has passed; nothing here reads the wall clock.

Which shell the image has matters for error texts, so a `Flavor` says whether /bin/sh is
busybox ash (busybox, alpine) or dash (Debian, Ubuntu), and whether the tools are
busybox applets or GNU coreutils. `bash -c` always speaks bash.

What the shell cannot model it delegates to its `ShellHost`: a command that is a
long-running program (`nginx`, `python -m http.server`) is resolved by the host into a
`Program`; any other unknown command (`wget`, `apt-get`) is assumed to succeed at once
and the host is told so. Choices made here (documented for users in the container docs):

- `$(date)` / `date` prints the simulated time when the host knows it; otherwise it is an
  assumed command with no output.
- A loop that never sleeps is throttled to 100 iterations per simulated second, so a
  busy `until [ -f /x ]; do :; done` still sees files written later.
- Like ash, dash and bash, the last simple command of a `-c` script replaces the shell
  (no fork) unless a trap is set; this decides who receives SIGTERM.
"""

from __future__ import annotations

import contextlib
import errno as _errno
import fnmatch
import itertools
import math
import posixpath
import re
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from engine.shell.fs import Filesystem, FsError, normalize
from engine.shell.parser import (
    AndOr,
    Arith,
    Case,
    CmdSub,
    Command,
    For,
    FuncDef,
    HereDocRedir,
    If,
    Lit,
    Loop,
    Param,
    Pipeline,
    Redir,
    Sequence,
    ShellSyntaxError,
    SimpleCommand,
    Word,
    parse,
)

# -- public types ----------------------------------------------------------------------


@dataclass(frozen=True)
class Wait:
    """Blocked for `seconds` of simulated time (`math.inf`: until a signal arrives)."""

    seconds: float


@dataclass(frozen=True)
class ExecResult:
    """The outcome of a one-shot exec (an exec probe); exit_code is -1 when timed_out."""

    exit_code: int
    output: str
    timed_out: bool
    elapsed: float = 0.0  # simulated seconds the command took (the timeout when it timed out)


@dataclass(frozen=True)
class Flavor:
    """The userland an image ships: what /bin/sh is and whose coreutils."""

    shell: str = "ash"  # "ash" (busybox), "dash" (Debian/Ubuntu /bin/sh) or "bash"
    tools: str = "busybox"  # "busybox" or "gnu"


BUSYBOX = Flavor("ash", "busybox")
DEBIAN = Flavor("dash", "gnu")


@dataclass(frozen=True)
class ToolResult:
    """A host-modelled one-shot command's outcome (curl against this container, ...)."""

    exit_code: int
    stdout: str = ""
    stderr: str = ""


class Program(Protocol):
    """A long-running (or host-modelled) program the shell starts but does not interpret."""

    daemonizes: bool

    def run(self) -> Generator[float, None, int]:
        """Yield seconds to sleep (math.inf: forever); return the exit status."""
        ...


class ShellHost(Protocol):
    def output(self, stream: str, text: str) -> None: ...

    def note_assumed(self, command: str) -> None: ...

    def tool(self, argv: list[str]) -> ToolResult | None:
        """Run argv at once if the host models it (probe tools), else None."""
        ...

    def resolve(self, argv: list[str], main: bool) -> Program | None:
        """A program for argv, or None to assume it succeeds; `main`: PID 1 or `exec`."""
        ...

    def exec_program(self, program: Program) -> None:
        """The shell has replaced itself with program (it now receives signals)."""
        ...

    def now(self) -> datetime | None: ...


class BaseHost:
    """A ShellHost that models no programs; subclass and override what you need."""

    def output(self, stream: str, text: str) -> None:
        pass

    def note_assumed(self, command: str) -> None:
        pass

    def tool(self, argv: list[str]) -> ToolResult | None:
        return None

    def resolve(self, argv: list[str], main: bool) -> Program | None:
        return None

    def exec_program(self, program: Program) -> None:
        pass

    def now(self) -> datetime | None:
        return None


SHELLS = frozenset({"sh", "ash", "dash", "bash"})
BIN_DIRS = frozenset(
    {"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}
)
SIGNALS = {"EXIT": 0, "HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12}
SIGNALS |= {"TERM": 15, "CHLD": 17}
_SIGNAL_NAMES = {num: name for name, num in SIGNALS.items()}
_BUSY_LOOP_LIMIT = 100

# -- control flow ------------------------------------------------------------------------


class _ExitShell(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class _Return(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class _Break(Exception):
    def __init__(self, levels: int) -> None:
        self.levels = levels


class _Continue(_Break):
    pass


class _Blocked:
    """Base of what a running shell task yields to the scheduler."""


@dataclass
class _Sleep(_Blocked):
    until: float


@dataclass
class _Join(_Blocked):
    pids: tuple[int, ...] | None  # None: every background job


_INTERRUPTED = object()

# -- output plumbing ---------------------------------------------------------------------


class _Sink:
    def write(self, text: str) -> None:
        raise NotImplementedError


class _HostSink(_Sink):
    def __init__(self, host: ShellHost, stream: str) -> None:
        self.host = host
        self.stream = stream

    def write(self, text: str) -> None:
        if text:
            self.host.output(self.stream, text)


class _CallbackSink(_Sink):
    def __init__(self, write: Callable[[str, str], None], stream: str) -> None:
        self._write = write
        self.stream = stream

    def write(self, text: str) -> None:
        if text:
            self._write(self.stream, text)


class _NullSink(_Sink):
    def write(self, text: str) -> None:
        pass


class _FileSink(_Sink):
    def __init__(self, fs: Filesystem, path: str) -> None:
        self.fs = fs
        self.path = path

    def write(self, text: str) -> None:
        # If the file vanished after it was opened, the bytes go nowhere.
        with contextlib.suppress(FsError):
            self.fs.write(self.path, text, append=True)


class _Capture(_Sink):
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _IO:
    stdin: str | None  # None: an open stdin that never delivers input (readers block)
    out: _Sink
    err: _Sink


# -- the scheduler -----------------------------------------------------------------------


class _Task:
    def __init__(self, pid: int, gen: Generator[Any, Any, int]) -> None:
        self.pid = pid
        self.gen = gen
        self.block: _Blocked | None = None
        self.done = False
        self.status = 0
        self.interrupted = False


class _Scheduler:
    """Runs a shell's foreground task and its background jobs against one local clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.jobs: dict[int, _Task] = {}
        self._pids = itertools.count(8)

    def spawn(self, gen: Generator[Any, Any, int]) -> _Task:
        task = _Task(next(self._pids), gen)
        self.jobs[task.pid] = task
        self.advance(task)
        return task

    def advance(self, task: _Task, value: object = None) -> None:
        while True:
            try:
                request = task.gen.send(value)
            except StopIteration as stop:
                task.done, task.block, task.status = True, None, stop.value or 0
                return
            except _ExitShell as leave:
                task.done, task.block, task.status = True, None, leave.status
                return
            value = None
            if isinstance(request, _Sleep) and request.until <= self.now:
                continue
            if isinstance(request, _Join) and self.joined(request):
                value = self.join_status(request)
                continue
            task.block = request
            return

    def joined(self, join: _Join) -> bool:
        pids = join.pids if join.pids is not None else tuple(self.jobs)
        return all(self.jobs[pid].done for pid in pids if pid in self.jobs)

    def join_status(self, join: _Join) -> int:
        pids = [pid for pid in (join.pids or ()) if pid in self.jobs]
        return self.jobs[pids[-1]].status if pids else 0

    def run_due(self, main: _Task) -> None:
        progressed = True
        while progressed:
            progressed = False
            for task in [*sorted(self.jobs.values(), key=lambda t: t.pid), main]:
                if task.done or task.block is None:
                    continue
                value: object = None
                if task.interrupted:
                    task.interrupted, value = False, _INTERRUPTED
                elif isinstance(task.block, _Sleep) and task.block.until <= self.now:
                    pass
                elif isinstance(task.block, _Join) and self.joined(task.block):
                    value = self.join_status(task.block)
                else:
                    continue
                task.block = None
                self.advance(task, value)
                progressed = True

    def next_wake(self, main: _Task) -> float:
        wakes = [
            task.block.until
            for task in [*self.jobs.values(), main]
            if not task.done and isinstance(task.block, _Sleep)
        ]
        return min(wakes, default=math.inf)

    def close(self) -> None:
        for task in self.jobs.values():
            task.gen.close()


# -- the shell ---------------------------------------------------------------------------


class Shell:
    """One shell process: variables, traps, functions, and the commands it runs."""

    def __init__(
        self,
        fs: Filesystem,
        env: dict[str, str],
        host: ShellHost,
        *,
        argv0: str = "sh",
        flavor: Flavor = BUSYBOX,
        pid1: bool = False,
        stdin: str | None = "",
        hostname: str = "localhost",
        scheduler: _Scheduler | None = None,
        pid1_output: Callable[[str, str], None] | None = None,
    ) -> None:
        self.fs = fs
        # Where `> /proc/1/fd/1` goes: the container's log even from an exec.
        self.pid1_output = pid1_output or host.output
        self.host = host
        self.flavor = flavor
        self.pid1 = pid1
        self.hostname = hostname
        self.vars: dict[str, str] = dict(env)
        self.exported: set[str] = set(env)
        self.positional: list[str] = []
        self.funcs: dict[str, Command] = {}
        self.traps: dict[str, str] = {}
        self.options: set[str] = set()
        self.status = 0
        self.cwd = "/"
        self.sched = scheduler or _Scheduler()
        self.pid = 1 if pid1 else 7
        self.last_job: int | None = None
        self.pending: list[str] = []
        self.line = 1
        self.loop_depth = 0
        self._argv0 = argv0
        self._cond_depth = 0
        self._func_depth = 0
        self._busy = 0
        self._busy_at = -1.0
        self._main: _Task | None = None
        self._cmdsub_status: int | None = None
        self.io = _IO(stdin, _HostSink(host, "stdout"), _HostSink(host, "stderr"))

    # -- identity -------------------------------------------------------------------------
    @property
    def argv0(self) -> str:
        return self._argv0

    @property
    def dialect(self) -> str:
        return "bash" if posixpath.basename(self._argv0) == "bash" else self.flavor.shell

    # -- entry points -----------------------------------------------------------------------
    def run_script(self, script: str) -> Generator[Wait, float | None, int]:
        """Run a `-c` script; yields Waits, returns the exit status."""
        return self._drive(self._script_body(script, tail=True))

    def run_argv(self, argv: list[str], main: bool = True) -> Generator[Wait, float | None, int]:
        """Run argv as the process itself (PID 1 when `main`, or an exec probe)."""
        return self._drive(self._exec_argv(argv, self.io, {}, main=main))

    def deliver_term(self) -> str:
        """SIGTERM to this shell: 'ignored', 'deferred', 'interrupt' (now runnable) or 'killed'."""
        action = self.traps.get("TERM")
        if action == "":
            return "ignored"
        if action is None:
            # PID 1 gets no default signal action from the kernel; anyone else dies.
            return "ignored" if self.pid1 else "killed"
        self.pending.append("TERM")
        main = self._main
        if main is not None and isinstance(main.block, _Join):
            main.interrupted = True
            return "interrupt"
        # POSIX: a trap waits until the foreground command in progress has finished.
        return "deferred"

    # -- driving --------------------------------------------------------------------------
    def _drive(self, body: Generator[Any, Any, int]) -> Generator[Wait, float | None, int]:
        main = _Task(self.pid, self._top(body))
        self._main = main
        self.sched.advance(main)
        try:
            while True:
                self.sched.run_due(main)
                if main.done:
                    return main.status
                wake = self.sched.next_wake(main)
                elapsed = yield Wait(wake - self.sched.now if wake < math.inf else math.inf)
                if elapsed is not None:
                    self.sched.now += elapsed
                elif wake < math.inf:
                    self.sched.now = wake
        finally:
            if not main.done:
                main.gen.close()
            self.sched.close()

    def _top(self, body: Generator[Any, Any, int]) -> Generator[Any, Any, int]:
        try:
            status = yield from body
        except _ExitShell as leave:
            status = leave.status
        except _Return as ret:
            status = ret.status
        except _Break:
            status = 0
        action = self.traps.pop("EXIT", None)
        if action:
            self.status = status
            try:
                yield from self._eval_text(action, self.io)
            except _ExitShell as leave:
                status = leave.status
        return status

    def _script_body(self, script: str, tail: bool) -> Generator[Any, Any, int]:
        try:
            tree = parse(script)
        except ShellSyntaxError as err:
            self.line = err.line
            self._error(self.io, self._syntax_text(err))
            return 2
        return (yield from self._sequence(tree, self.io, tail=tail))

    # -- lists and compound commands -------------------------------------------------------
    def _sequence(self, seq: Sequence, io: _IO, tail: bool = False) -> Generator[Any, Any, int]:
        status = 0
        for index, (and_or, background) in enumerate(seq.items):
            last = index == len(seq.items) - 1
            if background:
                job = self.sched.spawn(self._job(and_or, io))
                self.last_job = job.pid
                status = 0
                continue
            status = yield from self._and_or(and_or, io, tail and last)
        return status

    def _job(self, and_or: AndOr, io: _IO) -> Generator[Any, Any, int]:
        # POSIX: a non-interactive shell's background jobs read /dev/null.
        job_io = replace(io, stdin="")
        try:
            return (yield from self._and_or(and_or, job_io, False))
        except (_ExitShell, _Return) as leave:
            return leave.status
        except _Break:
            return 0

    def _and_or(self, node: AndOr, io: _IO, tail: bool) -> Generator[Any, Any, int]:
        if not node.rest:
            return (yield from self._pipeline(node.first, io, tail))
        self._cond_depth += 1
        try:
            status = yield from self._pipeline(node.first, io, False)
        finally:
            self._cond_depth -= 1
        for index, (op, pipeline) in enumerate(node.rest):
            if (op == "&&") != (status == 0):
                continue
            last = index == len(node.rest) - 1
            if last:
                status = yield from self._pipeline(pipeline, io, tail)
            else:
                self._cond_depth += 1
                try:
                    status = yield from self._pipeline(pipeline, io, False)
                finally:
                    self._cond_depth -= 1
        return status

    def _pipeline(self, node: Pipeline, io: _IO, tail: bool) -> Generator[Any, Any, int]:
        if node.negate:
            self._cond_depth += 1
        try:
            stdin = io.stdin
            status = 0
            single = len(node.commands) == 1
            for index, command in enumerate(node.commands):
                last = index == len(node.commands) - 1
                capture = None if last else _Capture()
                # A lone command shares the caller's streams, so `read` consumes its input.
                stage_io = io if single else replace(io, stdin=stdin, out=capture or io.out)
                exec_tail = tail and single and not node.negate
                status = yield from self._command(command, stage_io, exec_tail)
                if capture is not None:
                    stdin = capture.text()
        finally:
            if node.negate:
                self._cond_depth -= 1
        if node.negate:
            status = 0 if status else 1
        self.status = status
        if status and "e" in self.options and self._cond_depth == 0:
            raise _ExitShell(status)
        return status

    def _command(self, node: Command, io: _IO, tail: bool) -> Generator[Any, Any, int]:
        if isinstance(node, SimpleCommand):
            return (yield from self._simple(node, io, tail))
        if isinstance(node, FuncDef):
            self.funcs[node.name] = node.body
            return 0
        redirected = yield from self._redirect(node.redirs, io)
        if redirected is None:
            return 1 if self.dialect == "bash" else 2
        if isinstance(node, If):
            return (yield from self._if(node, redirected, tail))
        if isinstance(node, Loop):
            return (yield from self._loop(node, redirected))
        if isinstance(node, For):
            return (yield from self._for(node, redirected))
        if isinstance(node, Case):
            return (yield from self._case(node, redirected, tail))
        if node.subshell:
            return (yield from self._subshell(node.body, redirected))
        return (yield from self._sequence(node.body, redirected, tail))

    def _condition(self, seq: Sequence, io: _IO) -> Generator[Any, Any, int]:
        self._cond_depth += 1
        try:
            return (yield from self._sequence(seq, io))
        finally:
            self._cond_depth -= 1

    def _if(self, node: If, io: _IO, tail: bool) -> Generator[Any, Any, int]:
        for cond, body in node.branches:
            if (yield from self._condition(cond, io)) == 0:
                return (yield from self._sequence(body, io, tail))
        if node.else_body is not None:
            return (yield from self._sequence(node.else_body, io, tail))
        return 0

    def _loop(self, node: Loop, io: _IO) -> Generator[Any, Any, int]:
        status = 0
        self.loop_depth += 1
        try:
            while True:
                yield from self._throttle()
                if ((yield from self._condition(node.cond, io)) == 0) == node.until:
                    return status
                try:
                    status = yield from self._sequence(node.body, io)
                except _Continue as cont:
                    if cont.levels > 1:
                        raise _Continue(cont.levels - 1) from None
                except _Break as brk:
                    if brk.levels > 1:
                        raise _Break(brk.levels - 1) from None
                    return status
        finally:
            self.loop_depth -= 1

    def _for(self, node: For, io: _IO) -> Generator[Any, Any, int]:
        if node.items is None:
            items = list(self.positional)
        else:
            items = yield from self._expand_words(node.items, io)
        status = 0
        self.loop_depth += 1
        try:
            for item in items:
                self._set_var(node.var, item)
                try:
                    status = yield from self._sequence(node.body, io)
                except _Continue as cont:
                    if cont.levels > 1:
                        raise _Continue(cont.levels - 1) from None
                except _Break as brk:
                    if brk.levels > 1:
                        raise _Break(brk.levels - 1) from None
                    break
        finally:
            self.loop_depth -= 1
        return status

    def _case(self, node: Case, io: _IO, tail: bool) -> Generator[Any, Any, int]:
        subject = yield from self._expand_str(node.word, io)
        for patterns, body in node.arms:
            for pattern in patterns:
                glob = yield from self._expand_pattern(pattern, io)
                if fnmatch.fnmatchcase(subject, glob):
                    return (yield from self._sequence(body, io, tail))
        return 0

    def _subshell(self, body: Sequence, io: _IO) -> Generator[Any, Any, int]:
        saved = (dict(self.vars), set(self.exported), dict(self.funcs), self.cwd)
        saved_traps, saved_opts, saved_pos = dict(self.traps), set(self.options), self.positional
        try:
            return (yield from self._sequence(body, io))
        except _ExitShell as leave:
            return leave.status
        finally:
            self.vars, self.exported, self.funcs, self.cwd = saved
            self.traps, self.options, self.positional = saved_traps, saved_opts, saved_pos

    def _throttle(self) -> Generator[Any, Any, None]:
        """Let simulated time pass when a loop keeps spinning without ever blocking."""
        if self.sched.now != self._busy_at:
            self._busy_at, self._busy = self.sched.now, 0
        self._busy += 1
        if self._busy > _BUSY_LOOP_LIMIT:
            yield _Sleep(self.sched.now + 1.0)

    # -- simple commands --------------------------------------------------------------------
    def _simple(self, node: SimpleCommand, io: _IO, tail: bool) -> Generator[Any, Any, int]:
        self.line = node.line
        self._cmdsub_status = None
        argv = yield from self._expand_words(node.words, io)
        assigns: dict[str, str] = {}
        for name, word in node.assigns:
            assigns[name] = yield from self._expand_str(word, io)
        if not argv:
            for name, value in assigns.items():
                self._set_var(name, value)
            redirected = yield from self._redirect(node.redirs, io)
            status = 2 if redirected is None else (self._cmdsub_status or 0)
            return self._finish(status)
        if argv[0] == "exec" and len(argv) == 1:
            redirected = yield from self._redirect(node.redirs, io)
            if redirected is None:
                return self._finish(2)
            io.stdin, io.out, io.err = redirected.stdin, redirected.out, redirected.err
            return self._finish(0)
        redirected = yield from self._redirect(node.redirs, io)
        if redirected is None:
            return self._finish(1 if self.dialect == "bash" else 2)
        if "x" in self.options:
            redirected.err.write("+ " + " ".join(argv) + "\n")
        # ash, dash and bash exec the last command of a -c script instead of forking,
        # unless a trap needs the shell to stay around.
        replacing = tail and not any(self.traps.values())
        status = yield from self._run(argv, redirected, assigns, replacing=replacing)
        status = self._finish(status)
        yield from self._run_traps()
        return status

    def _finish(self, status: int) -> int:
        self.status = status
        return status

    def _run_traps(self) -> Generator[Any, Any, None]:
        while self.pending:
            signal = self.pending.pop(0)
            action = self.traps.get(signal)
            if action:
                saved = self.status
                yield from self._eval_text(action, self.io)
                self.status = saved

    def _run(
        self,
        argv: list[str],
        io: _IO,
        assigns: dict[str, str],
        *,
        replacing: bool = False,
        main: bool = False,
    ) -> Generator[Any, Any, int]:
        """Run one command: function, builtin, tool, nested shell, program or assumed."""
        name = argv[0]
        base = _command_name(name)
        if "/" not in name and name in self.funcs:
            return (yield from self._call_function(name, argv[1:], io))
        if "/" not in name and name in _SPECIAL_BUILTINS:
            for var, value in assigns.items():
                self._set_var(var, value)
            return (yield from _SPECIAL_BUILTINS[name](self, argv, io))
        if base in _WRAPPERS and len(argv) > 1:
            rest = _strip_wrapper(base, argv)
            if not rest:
                return 0
            return (yield from self._run(rest, io, assigns, replacing=replacing, main=main))
        if base is not None and base in _COMMANDS:
            saved = self._push_assigns(assigns)
            try:
                return (yield from _COMMANDS[base](self, argv, io))
            finally:
                self._pop_assigns(saved)
        if base is not None and base in SHELLS:
            env = self._child_env(assigns)
            return (yield from self._invoke_shell(argv, io, env, replacing or main))
        if "/" in name and self.fs.is_file(normalize(name, self.cwd)):
            env = self._child_env(assigns)
            return (yield from self._invoke_shell(["sh", name, *argv[1:]], io, env, False))
        result = self.host.tool(argv)
        if result is not None:
            io.out.write(result.stdout)
            io.err.write(result.stderr)
            return result.exit_code
        program = self.host.resolve(argv, main)
        if program is None:
            self.host.note_assumed(posixpath.basename(name))
            return 0
        if replacing or main:
            self.host.exec_program(program)
        return (yield from self._start_program(program))

    def _exec_argv(
        self, argv: list[str], io: _IO, assigns: dict[str, str], main: bool
    ) -> Generator[Any, Any, int]:
        """Become argv: a shell invocation turns this process into that shell."""
        if not argv:
            return 0
        base = _command_name(argv[0])
        if base in _WRAPPERS and len(argv) > 1:
            return (yield from self._exec_argv(_strip_wrapper(base, argv), io, assigns, main))
        if base is not None and base in SHELLS:
            self._argv0 = argv[0]
            self.vars.update(assigns)
            return (yield from self._become_shell(argv, io))
        return (yield from self._run(argv, io, assigns, replacing=True, main=main))

    def _start_program(self, program: Program) -> Generator[Any, Any, int]:
        if program.daemonizes:
            self.sched.spawn(self._pump(program.run()))
            return 0
        return (yield from self._pump(program.run()))

    def _pump(self, gen: Generator[float, None, int]) -> Generator[Any, Any, int]:
        """Turn a program's relative sleeps into scheduler waits."""
        try:
            seconds = next(gen)
            while True:
                yield _Sleep(self.sched.now + seconds)
                seconds = gen.send(None)
        except StopIteration as stop:
            return stop.value or 0
        finally:
            gen.close()

    def _call_function(self, name: str, args: list[str], io: _IO) -> Generator[Any, Any, int]:
        saved = self.positional
        self.positional = list(args)
        self._func_depth += 1
        try:
            return (yield from self._command(self.funcs[name], io, False))
        except _Return as ret:
            return ret.status
        finally:
            self._func_depth -= 1
            self.positional = saved

    # -- nested shells -----------------------------------------------------------------------
    def _shell_args(self, argv: list[str]) -> tuple[set[str], str | None, list[str], bool]:
        """Split `sh [-exc] [script | -c text [name [args]]]` into its pieces."""
        options: set[str] = set()
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
                    options.add(flag)
            index += 1
        rest = argv[index:]
        return options, (rest[0] if rest else None), rest[1:], command_mode

    def _become_shell(self, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
        options, first, rest, command_mode = self._shell_args(argv)
        self.options |= options
        if command_mode:
            if first is None:
                self._error(io, f"{argv[0]}: -c requires an argument", raw=True)
                return 2
            if rest:
                self._argv0 = rest[0]
            self.positional = rest[1:]
            return (yield from self._script_body(first, tail=True))
        if first is not None:
            self.positional = rest
            script = self._read_script(first, io)
            if script is None:
                return 127 if self.dialect == "bash" else 2
            # Only `-c` strings exec their last command (ash: evalstring(minusc, EV_EXIT)).
            return (yield from self._script_body(script, tail=False))
        if io.stdin is None:
            # An interactive shell with an open stdin (`stdin: true`) waits for input.
            yield _Sleep(math.inf)
        return (yield from self._script_body(io.stdin or "", tail=False))

    def _invoke_shell(
        self, argv: list[str], io: _IO, env: dict[str, str], replacing: bool
    ) -> Generator[Any, Any, int]:
        if replacing:
            self.traps = {k: v for k, v in self.traps.items() if v == ""}
            self.vars = dict(env)
            self.exported = set(env)
            self._argv0 = argv[0]
            return (yield from self._become_shell(argv, io))
        child = Shell(
            self.fs,
            env,
            self.host,
            argv0=argv[0],
            flavor=self.flavor,
            hostname=self.hostname,
            scheduler=self.sched,
            pid1_output=self.pid1_output,
        )
        child.cwd = self.cwd
        try:
            status = yield from child._top(child._become_shell(argv, io))
        except _ExitShell as leave:
            status = leave.status
        return status

    def _read_script(self, path: str, io: _IO) -> str | None:
        try:
            return self.fs.read(normalize(path, self.cwd))
        except FsError as err:
            if self.dialect == "bash":
                self._error(io, f"{self.argv0}: {path}: {err.strerror}", raw=True)
            elif self.dialect == "dash":
                self._error(io, f"{self.argv0}: 0: cannot open {path}: No such file", raw=True)
            else:
                self._error(io, f"{self.argv0}: can't open '{path}': {err.strerror}", raw=True)
            return None

    def _eval_text(self, text: str, io: _IO) -> Generator[Any, Any, int]:
        try:
            tree = parse(text)
        except ShellSyntaxError as err:
            self._error(io, self._syntax_text(err))
            return 2
        return (yield from self._sequence(tree, io))

    # -- variables --------------------------------------------------------------------------
    def _set_var(self, name: str, value: str) -> None:
        self.vars[name] = value

    def _child_env(self, assigns: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env.update(assigns)
        return env

    def _push_assigns(self, assigns: dict[str, str]) -> dict[str, tuple[str | None, bool]]:
        saved = {k: (self.vars.get(k), k in self.exported) for k in assigns}
        for name, value in assigns.items():
            self.vars[name] = value
            self.exported.add(name)
        return saved

    def _pop_assigns(self, saved: dict[str, tuple[str | None, bool]]) -> None:
        for name, (value, was_exported) in saved.items():
            if value is None:
                self.vars.pop(name, None)
            else:
                self.vars[name] = value
            if not was_exported:
                self.exported.discard(name)

    def _param(self, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(self.pid)
        if name == "!":
            return str(self.last_job) if self.last_job is not None else None
        if name == "#":
            return str(len(self.positional))
        if name in {"@", "*"}:
            return " ".join(self.positional)
        if name == "-":
            return "".join(sorted(self.options))
        if name == "0":
            return self.argv0
        if name.isdigit():
            index = int(name)
            return self.positional[index - 1] if index <= len(self.positional) else None
        return self.vars.get(name)

    # -- expansion ---------------------------------------------------------------------------
    def _expand_words(self, words: Iterable[Word], io: _IO) -> Generator[Any, Any, list[str]]:
        fields: list[str] = []
        for word in words:
            fields.extend((yield from self._expand_fields(word, io)))
        return fields

    def _expand_str(self, word: Word, io: _IO) -> Generator[Any, Any, str]:
        chunks = yield from self._chunks(word, io)
        return "".join(text for text, _ in chunks)

    def _expand_pattern(self, word: Word, io: _IO) -> Generator[Any, Any, str]:
        chunks = yield from self._chunks(word, io)
        return "".join(text if kind == "lit" else _glob_escape(text) for text, kind in chunks)

    def _expand_fields(self, word: Word, io: _IO) -> Generator[Any, Any, list[str]]:
        if len(word.parts) == 1 and isinstance(word.parts[0], Param):
            part = word.parts[0]
            if part.quoted and part.name == "@" and not part.op:
                return list(self.positional)
        chunks = yield from self._chunks(word, io)
        fields: list[tuple[str, str]] = []  # (text, glob pattern)
        text, pattern, started = [], [], False
        ifs = self.vars.get("IFS", " \t\n")
        for chunk, kind in chunks:
            if kind != "exp":
                text.append(chunk)
                pattern.append(chunk if kind == "lit" else _glob_escape(chunk))
                started = True
                continue
            for ch in chunk:
                if ch in ifs:
                    if started:
                        fields.append(("".join(text), "".join(pattern)))
                        text, pattern, started = [], [], False
                    continue
                text.append(ch)
                pattern.append(_glob_escape(ch))
                started = True
        if started:
            fields.append(("".join(text), "".join(pattern)))
        result: list[str] = []
        for value, glob in fields:
            matches = self._glob(glob) if _has_magic(glob) else []
            result.extend(matches or [value])
        return result

    def _chunks(self, word: Word, io: _IO) -> Generator[Any, Any, list[tuple[str, str]]]:
        """Expand a word's parts into (text, kind): 'lit', 'quoted' or 'exp' (splittable)."""
        chunks: list[tuple[str, str]] = []
        for index, part in enumerate(word.parts):
            if isinstance(part, Lit):
                value = part.text
                if index == 0 and not part.quoted and (value == "~" or value.startswith("~/")):
                    value = self.vars.get("HOME", "/root") + value[1:]
                chunks.append((value, "quoted" if part.quoted else "lit"))
                continue
            if isinstance(part, Param):
                value = yield from self._expand_param(part, io)
            elif isinstance(part, CmdSub):
                value = yield from self._command_substitution(part.body, io)
            else:
                value = yield from self._arith_expand(part, io)
            chunks.append((value, "quoted" if part.quoted else "exp"))
        return chunks

    def _expand_param(self, part: Param, io: _IO) -> Generator[Any, Any, str]:
        value = self._param(part.name)
        op = part.op
        if op == "#len":
            return str(len(value or ""))
        if not op:
            if value is None and "u" in self.options and part.name not in {"@", "*"}:
                self._error(io, f"{part.name}: parameter not set", command=None)
                raise _ExitShell(2)
            return value or ""
        unset = value is None or (op.startswith(":") and value == "")
        if op in {":-", "-"}:
            return (yield from self._arg(part, io)) if unset else (value or "")
        if op in {":=", "="}:
            if unset:
                value = yield from self._arg(part, io)
                self._set_var(part.name, value)
            return value or ""
        if op in {":+", "+"}:
            return "" if unset else (yield from self._arg(part, io))
        if op in {":?", "?"}:
            if unset:
                message = (yield from self._arg(part, io)) or "parameter not set"
                self._error(io, f"{part.name}: {message}")
                raise _ExitShell(2)
            return value or ""
        pattern = ""
        if part.arg is not None:
            pattern = yield from self._expand_pattern(part.arg, io)
        return _remove_affix(value or "", op, pattern)

    def _arg(self, part: Param, io: _IO) -> Generator[Any, Any, str]:
        if part.arg is None:
            return ""
        return (yield from self._expand_str(part.arg, io))

    def _command_substitution(self, body: Sequence, io: _IO) -> Generator[Any, Any, str]:
        capture = _Capture()
        sub_io = replace(io, out=capture)
        status = yield from self._subshell(body, sub_io)
        self._cmdsub_status = status
        self.status = status
        return capture.text().rstrip("\n")

    def _arith_expand(self, part: Arith, io: _IO) -> Generator[Any, Any, str]:
        text = yield from self._expand_str(part.expr, io)
        try:
            return str(_Arithmetic(text, self).evaluate())
        except ZeroDivisionError:
            self._error(io, "divide by zero")
        except ValueError:
            self._error(io, "arithmetic syntax error")
        raise _ExitShell(2)

    def _glob(self, pattern: str) -> list[str]:
        absolute = pattern.startswith("/")
        bases = ["/" if absolute else ""]
        for component in [c for c in pattern.split("/") if c]:
            found = []
            for base in bases:
                if not _has_magic(component):
                    candidate = posixpath.join(base, _glob_unescape(component))
                    if self.fs.exists(normalize(candidate, self.cwd)):
                        found.append(candidate)
                    continue
                try:
                    names = self.fs.listdir(normalize(base or ".", self.cwd))
                except FsError:
                    continue
                for entry in names:
                    if entry.startswith(".") and not component.startswith("."):
                        continue
                    if fnmatch.fnmatchcase(entry, component):
                        found.append(posixpath.join(base, entry))
            bases = found
        return sorted(bases)

    # -- redirections -----------------------------------------------------------------------
    def _redirect(self, redirs: tuple[Redir, ...], io: _IO) -> Generator[Any, Any, _IO | None]:
        if not redirs:
            return io
        result = replace(io)
        for redir in redirs:
            if isinstance(redir, HereDocRedir):
                result.stdin = yield from self._expand_str(redir.body, result)
                continue
            target = yield from self._expand_str(redir.target, result)
            if redir.op in {">&", "<&"}:
                if redir.fd in (1, 2) and target in {"1", "2", "-"}:
                    sink = {"1": result.out, "2": result.err, "-": _NullSink()}[target]
                    if redir.fd == 1:
                        result.out = sink
                    else:
                        result.err = sink
                elif redir.op == ">&" and not target.isdigit():
                    sink = self._open_sink(target, False, result)
                    if sink is None:
                        return None
                    result.out = result.err = sink
                continue
            if redir.op == "<":
                try:
                    result.stdin = self.fs.read(normalize(target, self.cwd))
                except FsError as err:
                    self._error(io, self._redirect_text(target, err, create=False))
                    return None
                continue
            sink = self._open_sink(target, redir.op == ">>", result)
            if sink is None:
                return None
            if redir.op == "&>":
                result.out = result.err = sink
            elif redir.fd == 1:
                result.out = sink
            elif redir.fd == 2:
                result.err = sink
        return result

    def _open_sink(self, target: str, append: bool, io: _IO) -> _Sink | None:
        special = {
            "/dev/null": _NullSink(),
            "/dev/stdout": io.out,
            "/dev/stderr": io.err,
            "/proc/1/fd/1": _CallbackSink(self.pid1_output, "stdout"),
            "/proc/1/fd/2": _CallbackSink(self.pid1_output, "stderr"),
            "/proc/self/fd/1": io.out,
            "/proc/self/fd/2": io.err,
        }
        path = normalize(target, self.cwd)
        if path in special:
            return special[path]
        try:
            if append:
                self.fs.write(path, "", append=True)
            else:
                self.fs.write(path, "")
        except FsError as err:
            self._error(io, self._redirect_text(target, err, create=True))
            return None
        return _FileSink(self.fs, path)

    # -- messages ---------------------------------------------------------------------------
    def _error(self, io: _IO, text: str, command: str | None = None, raw: bool = False) -> None:
        """Print a shell error the way this shell formats it."""
        if raw:
            io.err.write(text + "\n")
            return
        io.err.write(self._shell_text(text, command) + "\n")

    def _shell_text(self, text: str, command: str | None = None) -> str:
        if self.dialect == "ash":
            # ash: "sh: exit: line 1: Illegal number: x"; outside a builtin no line number.
            if command is None:
                return f"{self.argv0}: {text}"
            name = "" if command == self.argv0 else f"{command}: "
            return f"{self.argv0}: {name}line {self.line}: {text}"
        if self.dialect == "dash":
            name = f"{command}: " if command else ""
            return f"{self.argv0}: {self.line}: {name}{text}"
        name = f"{command}: " if command else ""
        return f"{self.argv0}: line {self.line}: {name}{text}"

    def _syntax_text(self, err: ShellSyntaxError) -> str:
        if self.dialect == "ash":
            return f"{self.argv0}: {err.ash_text()}"
        if self.dialect == "dash":
            # unverified: dash's wording, from its synexpect()/synerror().
            if err.token in {"unterminated quoted string", "bad substitution"}:
                detail = (
                    "Unterminated quoted string" if "quoted" in err.token else "Bad substitution"
                )
            else:
                detail = f"{err.token} unexpected"
                if err.expecting:
                    detail += f" (expecting {err.expecting})"
            return f"{self.argv0}: {err.line}: Syntax error: {detail}"
        # unverified: bash prints a second line quoting the script text.
        if err.token == "end of file":
            return f"{self.argv0}: -c: line {err.line}: syntax error: unexpected end of file"
        token = err.token.strip('"')
        return f"{self.argv0}: -c: line {err.line}: syntax error near unexpected token `{token}'"

    def _redirect_text(self, target: str, err: FsError, create: bool) -> str:
        missing = err.errno in (_errno.ENOENT, _errno.ENOTDIR)
        if self.dialect == "ash":
            verb = "create" if create else "open"
            detail = ("nonexistent directory" if create else "no such file") if missing else None
            return f"can't {verb} {target}: {detail or err.strerror}"
        if self.dialect == "dash":
            verb = "create" if create else "open"
            detail = ("Directory nonexistent" if create else "No such file") if missing else None
            return f"cannot {verb} {target}: {detail or err.strerror}"
        return f"{target}: {err.strerror}"

    def tool_text(self, key: str, **fields: str) -> str:
        """A coreutils error message in this image's wording (busybox or GNU)."""
        return _TOOL_TEXT[self.flavor.tools][key].format(**fields)


# -- arithmetic ------------------------------------------------------------------------------

_ARITH_TOKEN = re.compile(
    r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|"
    r"(\*\*|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%]=|[-+*/%()<>=!~&|^?:]))"
)
_BINARY = {
    "||": 1,
    "&&": 2,
    "|": 3,
    "^": 4,
    "&": 5,
    "==": 6,
    "!=": 6,
    "<": 7,
    ">": 7,
    "<=": 7,
    ">=": 7,
    "<<": 8,
    ">>": 8,
    "+": 9,
    "-": 9,
    "*": 10,
    "/": 10,
    "%": 10,
    "**": 11,
}


class _Arithmetic:
    """`$((...))`: C integer arithmetic over shell variables (unset variables are 0)."""

    def __init__(self, text: str, shell: Shell) -> None:
        self.shell = shell
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            match = _ARITH_TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise ValueError(text)
            pos = match.end()
            if match.group(1):
                self.tokens.append(("num", match.group(1)))
            elif match.group(2):
                self.tokens.append(("name", match.group(2)))
            else:
                self.tokens.append(("op", match.group(3)))
        self.index = 0

    def evaluate(self) -> int:
        if not self.tokens:
            return 0
        value = self._assignment()
        if self.index != len(self.tokens):
            raise ValueError("trailing tokens")
        return value

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end")
        self.index += 1
        return token

    def _assignment(self) -> int:
        token = self._peek()
        after = self.tokens[self.index + 1] if self.index + 1 < len(self.tokens) else None
        if (
            token
            and token[0] == "name"
            and after
            and after[1] in {"=", "+=", "-=", "*=", "/=", "%="}
        ):
            self.index += 2
            value = self._assignment()
            if after[1] != "=":
                value = _apply(after[1][0], self._variable(token[1]), value)
            self.shell._set_var(token[1], str(value))
            return value
        return self._ternary()

    def _ternary(self) -> int:
        cond = self._binary(1)
        if self._peek() == ("op", "?"):
            self._take()
            yes = self._assignment()
            if self._take() != ("op", ":"):
                raise ValueError("expected :")
            no = self._assignment()
            return yes if cond else no
        return cond

    def _binary(self, level: int) -> int:
        left = self._unary()
        while (token := self._peek()) and token[0] == "op" and _BINARY.get(token[1], 0) >= level:
            op = token[1]
            self._take()
            right = self._binary(_BINARY[op] + (0 if op == "**" else 1))
            left = _apply(op, left, right)
        return left

    def _unary(self) -> int:
        token = self._take()
        if token[0] == "op" and token[1] in {"-", "+", "!", "~"}:
            value = self._unary()
            return {"-": -value, "+": value, "!": int(not value), "~": ~value}[token[1]]
        if token == ("op", "("):
            value = self._assignment()
            if self._take() != ("op", ")"):
                raise ValueError("expected )")
            return value
        if token[0] == "num":
            return int(token[1], 16) if token[1][:2].lower() == "0x" else _c_int(token[1])
        if token[0] == "name":
            return self._variable(token[1])
        raise ValueError(token[1])

    def _variable(self, name: str) -> int:
        raw = (self.shell.vars.get(name) or "").strip()
        if not raw:
            return 0
        if re.fullmatch(r"-?\d+", raw):
            return int(raw)
        return _Arithmetic(raw, self.shell).evaluate()


def _c_int(text: str) -> int:
    return int(text, 8) if len(text) > 1 and text.startswith("0") else int(text)


def _apply(op: str, a: int, b: int) -> int:
    if op in {"/", "%"}:
        if b == 0:
            raise ZeroDivisionError
        quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)  # C truncation
        return quotient if op == "/" else a - b * quotient
    table = {
        "+": a + b,
        "-": a - b,
        "*": a * b,
        "**": a**b if b >= 0 else 0,
        "<<": a << b if b >= 0 else 0,
        ">>": a >> b if b >= 0 else 0,
        "<": int(a < b),
        ">": int(a > b),
        "<=": int(a <= b),
        ">=": int(a >= b),
        "==": int(a == b),
        "!=": int(a != b),
        "&": a & b,
        "^": a ^ b,
        "|": a | b,
        "&&": int(bool(a) and bool(b)),
        "||": int(bool(a) or bool(b)),
    }
    return table[op]


# -- helpers ---------------------------------------------------------------------------------


def _command_name(name: str) -> str | None:
    """The tool a command names: `/bin/sleep` is sleep; `/app/sleep` is not ours."""
    if "/" not in name:
        return name
    directory, base = posixpath.split(name)
    return base if posixpath.normpath(directory) in BIN_DIRS else None


_WRAPPERS = frozenset({"nohup", "tini", "dumb-init", "gosu", "su-exec"})


def _strip_wrapper(base: str, argv: list[str]) -> list[str]:
    """The command a transparent wrapper (`tini --`, `gosu user`, `nohup`) runs."""
    rest = argv[1:]
    while rest and rest[0].startswith("-") and base in {"tini", "dumb-init"}:
        flag = rest.pop(0)
        if flag == "--":
            break
    if base in {"gosu", "su-exec"} and rest:
        rest = rest[1:]
    return rest


def _has_magic(pattern: str) -> bool:
    return re.search(r"(?<!\[)[*?]|\[(?![*?\[]\])", pattern) is not None


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _glob_unescape(text: str) -> str:
    return re.sub(r"\[([*?\[])\]", r"\1", text)


def _remove_affix(value: str, op: str, pattern: str) -> str:
    """`${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`."""
    size = len(value)
    if op in {"#", "##"}:
        order = range(size + 1) if op == "#" else range(size, -1, -1)
        for cut in order:
            if fnmatch.fnmatchcase(value[:cut], pattern):
                return value[cut:]
        return value
    order = range(size, -1, -1) if op == "%" else range(size + 1)
    for cut in order:
        if fnmatch.fnmatchcase(value[cut:], pattern):
            return value[:cut]
    return value


_TOOL_TEXT = {
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
Handler = Any
_SPECIAL_BUILTINS: dict[str, Handler] = {}
_COMMANDS: dict[str, Handler] = {}


def run_exec(
    argv: list[str],
    fs: Filesystem,
    env: dict[str, str],
    timeout: float,
    *,
    flavor: Flavor = BUSYBOX,
    host: ShellHost | None = None,
    hostname: str = "localhost",
    pid1_output: Callable[[str, str], None] | None = None,
) -> ExecResult:
    """Run argv once, synchronously, the way an exec probe does; sleeps count toward timeout.

    The output is stdout and stderr interleaved, as the kubelet's exec probe collects it.
    A run that reaches `timeout` seconds of simulated time has timed out.
    """
    capture = _ExecHost(host or BaseHost())
    shell = Shell(fs, env, capture, flavor=flavor, hostname=hostname, pid1_output=pid1_output)
    run = shell.run_argv(list(argv), main=False)
    elapsed = 0.0
    try:
        wait = next(run)
        while True:
            if elapsed + wait.seconds >= timeout:
                run.close()
                return ExecResult(-1, capture.text(), True, timeout)
            elapsed += wait.seconds
            wait = run.send(None)
    except StopIteration as stop:
        return ExecResult(int(stop.value or 0), capture.text(), False, elapsed)


@dataclass
class _ExecHost:
    """Collects an exec's output; everything else goes to the inner host."""

    inner: ShellHost
    parts: list[str] = field(default_factory=list)

    def output(self, stream: str, text: str) -> None:
        self.parts.append(text)

    def note_assumed(self, command: str) -> None:
        self.inner.note_assumed(command)

    def tool(self, argv: list[str]) -> ToolResult | None:
        return self.inner.tool(argv)

    def resolve(self, argv: list[str], main: bool) -> Program | None:
        return self.inner.resolve(argv, main)

    def exec_program(self, program: Program) -> None:
        pass

    def now(self) -> datetime | None:
        return self.inner.now()

    def text(self) -> str:
        return "".join(self.parts)


def format_date(moment: datetime, fmt: str | None = None, utc: bool = True) -> str:
    """`date` output: busybox and GNU both default to `%a %b %e %H:%M:%S %Z %Y`."""
    moment = moment.astimezone(UTC)
    pattern = fmt if fmt is not None else "%a %b %e %H:%M:%S %Z %Y"
    pattern = pattern.replace("%s", str(int(moment.timestamp()))).replace("%N", "000000000")
    pattern = pattern.replace("%e", f"{moment.day:2d}")
    return moment.strftime(pattern)


# -- builtins and tools ------------------------------------------------------------------------
#
# Each handler takes (shell, argv, io) and is a generator returning the exit status, so a
# tool that blocks (`sleep`, `wait`, `tail -f`) can yield to the scheduler.


def _register(table: dict[str, Handler], *names: str, blocking: bool = False) -> Any:
    def decorate(fn: Any) -> Any:
        if blocking:
            handler = fn
        else:

            def handler(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
                return fn(shell, argv, io)
                yield  # makes this a generator; never reached

        for name in names:
            table[name] = handler
        return fn

    return decorate


def _special(*names: str, blocking: bool = False) -> Any:
    return _register(_SPECIAL_BUILTINS, *names, blocking=blocking)


def _tool(*names: str, blocking: bool = False) -> Any:
    return _register(_COMMANDS, *names, blocking=blocking)


def _out(io: _IO, text: str) -> None:
    io.out.write(text)


def _err(io: _IO, text: str) -> None:
    io.err.write(text + "\n")


# -- special builtins --------------------------------------------------------------------------


@_special(":")
def _colon(shell: Shell, argv: list[str], io: _IO) -> int:
    return 0


@_special("exit")
def _exit(shell: Shell, argv: list[str], io: _IO) -> int:
    if len(argv) < 2:
        raise _ExitShell(shell.status)
    arg = argv[1]
    if shell.dialect == "bash":
        if not re.fullmatch(r"[-+]?\d+", arg):
            shell._error(io, f"{arg}: numeric argument required", "exit")
            raise _ExitShell(2)
    elif not arg.isdigit():
        shell._error(io, f"Illegal number: {arg}", "exit")
        raise _ExitShell(2)
    raise _ExitShell(int(arg) & 255)


@_special("return")
def _return(shell: Shell, argv: list[str], io: _IO) -> int:
    raise _Return(int(argv[1]) & 255 if len(argv) > 1 and argv[1].isdigit() else shell.status)


@_special("break", "continue")
def _break(shell: Shell, argv: list[str], io: _IO) -> int:
    if shell.loop_depth == 0:
        return 0
    levels = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    levels = min(max(levels, 1), shell.loop_depth)
    raise (_Break(levels) if argv[0] == "break" else _Continue(levels))


@_special("eval", blocking=True)
def _eval(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    return (yield from shell._eval_text(" ".join(argv[1:]), io))


@_special(".", "source", blocking=True)
def _source(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    if len(argv) < 2:
        return 0
    try:
        text = shell.fs.read(normalize(argv[1], shell.cwd))
    except FsError as err:
        shell._error(io, f"can't open '{argv[1]}': {err.strerror}", argv[0])
        raise _ExitShell(2) from None
    return (yield from shell._eval_text(text, io))


@_special("exec", blocking=True)
def _exec(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    # Caught signal handlers do not survive exec; ignored signals stay ignored.
    shell.traps = {name: action for name, action in shell.traps.items() if action == ""}
    status = yield from shell._exec_argv(argv[1:], io, {}, main=True)
    raise _ExitShell(status)


@_special("export", "readonly", "local")
def _export(shell: Shell, argv: list[str], io: _IO) -> int:
    args = [a for a in argv[1:] if a not in {"-p", "-n"}]
    if not args and argv[0] == "export":
        for name in sorted(shell.exported):
            if name in shell.vars:
                _out(io, f"export {name}={_quote(shell.vars[name])}\n")
        return 0
    for arg in args:
        name, eq, value = arg.partition("=")
        if eq:
            shell._set_var(name, value)
        if argv[0] == "export":
            shell.exported.add(name)
    return 0


@_special("unset")
def _unset(shell: Shell, argv: list[str], io: _IO) -> int:
    functions = "-f" in argv[1:]
    for name in (a for a in argv[1:] if not a.startswith("-")):
        if functions:
            shell.funcs.pop(name, None)
        else:
            shell.vars.pop(name, None)
            shell.exported.discard(name)
    return 0


@_special("set")
def _set(shell: Shell, argv: list[str], io: _IO) -> int:
    args = argv[1:]
    if not args:
        for name in sorted(shell.vars):
            _out(io, f"{name}={_quote(shell.vars[name])}\n")
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
                    shell.options.add(flag)
                elif flag:
                    shell.options.discard(flag)
            continue
        if arg[:1] in {"-", "+"} and len(arg) > 1:
            for flag in arg[1:]:
                if arg[0] == "-":
                    shell.options.add(flag)
                else:
                    shell.options.discard(flag)
            continue
        shell.positional = [arg, *args]
        return 0
    return 0


@_special("shift")
def _shift(shell: Shell, argv: list[str], io: _IO) -> int:
    count = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    if count > len(shell.positional):
        return 1
    shell.positional = shell.positional[count:]
    return 0


@_special("trap")
def _trap(shell: Shell, argv: list[str], io: _IO) -> int:
    args = argv[1:]
    if not args or args == ["-p"]:
        for name, action in shell.traps.items():
            _out(io, f"trap -- {_quote(action)} {name}\n")
        return 0
    if len(args) == 1 or (_signal_name(args[0]) is not None and args[0].isdigit()):
        action, signals = "-", args
    else:
        action, signals = args[0], args[1:]
    status = 0
    for raw in signals:
        name = _signal_name(raw)
        if name is None:
            shell._error(io, f"{raw}: invalid signal specification", "trap")
            status = 1
        elif action == "-":
            shell.traps.pop(name, None)
        else:
            shell.traps[name] = action
    return status


def _signal_name(raw: str) -> str | None:
    if raw.isdigit():
        return _SIGNAL_NAMES.get(int(raw))
    name = raw.upper().removeprefix("SIG")
    return name if name in SIGNALS else None


# -- regular builtins ------------------------------------------------------------------------


@_tool("true")
def _true(shell: Shell, argv: list[str], io: _IO) -> int:
    return 0


@_tool("false")
def _false(shell: Shell, argv: list[str], io: _IO) -> int:
    return 1


@_tool("echo")
def _echo(shell: Shell, argv: list[str], io: _IO) -> int:
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
        text, stop = _unescape(text, echo=True)
        newline = newline and not stop
    _out(io, text + ("\n" if newline else ""))
    return 0


@_tool("printf")
def _printf_tool(shell: Shell, argv: list[str], io: _IO) -> int:
    if len(argv) < 2:
        _err(io, "printf: usage: printf format [arguments]")
        return 2
    _out(io, _printf(argv[1], argv[2:]))
    return 0


@_tool("test", "[")
def _test_tool(shell: Shell, argv: list[str], io: _IO) -> int:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            if shell.dialect == "ash":
                _err(io, f"{posixpath.basename(shell.argv0)}: missing ]")
            else:
                shell._error(io, "missing ]" if shell.dialect == "dash" else "missing `]'", "[")
            return 2
        args = args[:-1]
    try:
        return 0 if _TestExpr(shell, args).evaluate() else 1
    except _TestError as err:
        if shell.dialect == "ash":
            _err(io, f"{posixpath.basename(shell.argv0)}: {err}")
        else:
            shell._error(io, str(err), argv[0])
        return 2


@_tool("cd")
def _cd(shell: Shell, argv: list[str], io: _IO) -> int:
    target = argv[1] if len(argv) > 1 else shell.vars.get("HOME", "/")
    if target == "-":
        target = shell.vars.get("OLDPWD", shell.cwd)
    path = normalize(target, shell.cwd)
    if not shell.fs.is_dir(path):
        if shell.dialect == "bash":
            shell._error(io, f"{target}: No such file or directory", "cd")
            return 1
        detail = f"can't cd to {target}"
        if shell.dialect == "ash":
            detail += ": No such file or directory"
        shell._error(io, detail, "cd")
        return 2
    shell.vars["OLDPWD"], shell.cwd = shell.cwd, path
    shell.vars["PWD"] = path
    return 0


@_tool("pwd")
def _pwd(shell: Shell, argv: list[str], io: _IO) -> int:
    _out(io, shell.cwd + "\n")
    return 0


@_tool("wait", blocking=True)
def _wait(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    pids = tuple(int(a) for a in argv[1:] if a.isdigit())
    if not pids and not shell.sched.jobs:
        return 0
    result = yield _Join(pids or None)
    if result is _INTERRUPTED:
        return 128 + SIGNALS["TERM"]
    return int(result or 0)


@_tool("kill")
def _kill(shell: Shell, argv: list[str], io: _IO) -> int:
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
                raise _ExitShell(128 + SIGNALS.get(signal, 15))
        else:
            _err(io, f"kill: can't kill pid {raw}: No such process")
            status = 1
    return status


@_tool("read", blocking=True)
def _read(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
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
        yield _Sleep(shell.sched.now + (timeout if timeout is not None else math.inf))
        return 1
    if not io.stdin:
        return 1
    line, newline, rest = io.stdin.partition("\n")
    io.stdin = rest
    names = names or ["REPLY"]
    fields = line.split(None, len(names) - 1) if line.strip() else []
    for index, name in enumerate(names):
        shell._set_var(name, fields[index] if index < len(fields) else "")
    return 0 if newline else 1


@_tool("sleep", blocking=True)
def _sleep(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    args = [a for a in argv[1:] if a != "--"]
    if not args:
        _err(io, shell.tool_text("missing_operand", tool="sleep"))
        return 1
    total = 0.0
    for arg in args:
        seconds = _sleep_seconds(arg)
        if seconds is None:
            _err(io, shell.tool_text("sleep_bad", arg=arg))
            return 1
        total += seconds
    yield _Sleep(shell.sched.now + total)
    return 0


def _sleep_seconds(arg: str) -> float | None:
    """busybox/GNU sleep: a number with an optional s/m/h/d suffix, or inf[inity]."""
    if arg.lower().startswith("inf"):
        return math.inf
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", arg)
    if not match:
        return None
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


@_tool("cat", blocking=True)
def _cat(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    files = [a for a in argv[1:] if not (a.startswith("-") and a != "-")]
    if not files:
        files = ["-"]
    status = 0
    for name in files:
        if name == "-":
            if io.stdin is None:
                yield _Sleep(math.inf)
            _out(io, io.stdin or "")
            continue
        path = normalize(name, shell.cwd)
        try:
            _out(io, shell.fs.read(path))
        except FsError as err:
            key = "cat_dir" if err.errno == _errno.EISDIR else "cat_open"
            _err(io, shell.tool_text(key, path=name, err=err.strerror))
            status = 1
    return status


@_tool("touch")
def _touch(shell: Shell, argv: list[str], io: _IO) -> int:
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        try:
            shell.fs.touch(normalize(name, shell.cwd))
        except FsError as err:
            _err(io, shell.tool_text("touch", path=name, err=err.strerror))
            status = 1
    return status


@_tool("rm")
def _rm(shell: Shell, argv: list[str], io: _IO) -> int:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and a != "-")
    force, recursive = "f" in flags, bool({"r", "R"} & set(flags))
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-") or a == "-"):
        path = normalize(name, shell.cwd)
        try:
            if shell.fs.is_dir(path) and not recursive:
                _err(io, shell.tool_text("rm_dir", path=name))
                status = 1
                continue
            shell.fs.remove(path, recursive=recursive)
        except FsError as err:
            if not (force and err.errno == _errno.ENOENT):
                _err(io, shell.tool_text("rm", path=name, err=err.strerror))
                status = 1
    return status


@_tool("rmdir")
def _rmdir(shell: Shell, argv: list[str], io: _IO) -> int:
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        path = normalize(name, shell.cwd)
        try:
            if shell.fs.is_file(path):
                raise FsError(_errno.ENOTDIR, path)
            if shell.fs.listdir(path):
                raise FsError(_errno.ENOTEMPTY, path)
            shell.fs.remove(path, recursive=True)
        except FsError as err:
            _err(io, shell.tool_text("rmdir", path=name, err=err.strerror))
            status = 1
    return status


@_tool("mkdir")
def _mkdir(shell: Shell, argv: list[str], io: _IO) -> int:
    parents = any(a.startswith("-") and "p" in a for a in argv[1:])
    status = 0
    args = argv[1:]
    skip = False
    for index, name in enumerate(args):
        if skip or name.startswith("-"):
            skip = name == "-m" and index + 1 < len(args)
            continue
        try:
            shell.fs.mkdir(normalize(name, shell.cwd), parents=parents)
        except FsError as err:
            _err(io, shell.tool_text("mkdir", path=name, err=err.strerror))
            status = 1
    return status


@_tool("ls")
def _ls(shell: Shell, argv: list[str], io: _IO) -> int:
    show_all = any(a.startswith("-") and "a" in a for a in argv[1:])
    names = [a for a in argv[1:] if not a.startswith("-")] or ["."]
    status = 0
    for name in names:
        path = normalize(name, shell.cwd)
        if shell.fs.is_file(path):
            _out(io, name + "\n")
            continue
        try:
            entries = shell.fs.listdir(path)
        except FsError as err:
            _err(io, shell.tool_text("ls", path=name, err=err.strerror))
            status = 2 if shell.flavor.tools == "gnu" else 1
            continue
        if len(names) > 1:
            _out(io, f"{name}:\n")
        for entry in entries:
            if show_all or not entry.startswith("."):
                _out(io, entry + "\n")
    return status


@_tool("cp", "mv")
def _cp(shell: Shell, argv: list[str], io: _IO) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    if len(args) < 2:
        _err(io, shell.tool_text("missing_operand", tool=argv[0]))
        return 1
    *sources, dest = args
    status = 0
    for source in sources:
        src = normalize(source, shell.cwd)
        target = normalize(dest, shell.cwd)
        if shell.fs.is_dir(target):
            target = posixpath.join(target, posixpath.basename(src))
        try:
            shell.fs.write(target, shell.fs.read(src))
            if argv[0] == "mv":
                shell.fs.remove(src)
        except FsError as err:
            _err(io, shell.tool_text("cp_stat", tool=argv[0], path=source, err=err.strerror))
            status = 1
    return status


@_tool("chmod", "chown", "chgrp", "ln", "sync", "umask", "ulimit")
def _no_op(shell: Shell, argv: list[str], io: _IO) -> int:
    # Permissions and links are not modelled; these succeed as they would for root.
    return 0


@_tool("date")
def _date(shell: Shell, argv: list[str], io: _IO) -> int:
    moment = shell.host.now()
    if moment is None:
        shell.host.note_assumed("date")
        return 0
    fmt = next((a[1:] for a in argv[1:] if a.startswith("+")), None)
    if any(a in {"-I", "-Iseconds", "--iso-8601=seconds"} for a in argv[1:]):
        fmt = "%Y-%m-%dT%H:%M:%S+00:00"
    _out(io, format_date(moment, fmt) + "\n")
    return 0


@_tool("hostname")
def _hostname(shell: Shell, argv: list[str], io: _IO) -> int:
    if len(argv) > 1:
        shell.host.note_assumed("hostname")
        return 0
    _out(io, shell.hostname + "\n")
    return 0


@_tool("env", blocking=True)
def _env(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
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
        _out(io, "".join(f"{k}={v}\n" for k, v in env.items()))
        return 0
    return (yield from shell._run(args, io, assigns))


@_tool("printenv")
def _printenv(shell: Shell, argv: list[str], io: _IO) -> int:
    env = {k: v for k, v in shell.vars.items() if k in shell.exported}
    if len(argv) == 1:
        _out(io, "".join(f"{k}={v}\n" for k, v in env.items()))
        return 0
    missing = [name for name in argv[1:] if name not in env]
    _out(io, "".join(env[name] + "\n" for name in argv[1:] if name in env))
    return 1 if missing else 0


@_tool("tee")
def _tee(shell: Shell, argv: list[str], io: _IO) -> int:
    append = any(a.startswith("-") and "a" in a for a in argv[1:])
    text = io.stdin or ""
    status = 0
    for name in (a for a in argv[1:] if not a.startswith("-")):
        try:
            shell.fs.write(normalize(name, shell.cwd), text, append=append)
        except FsError as err:
            _err(io, shell.tool_text("tee", path=name, err=err.strerror))
            status = 1
    _out(io, text)
    return status


@_tool("grep")
def _grep(shell: Shell, argv: list[str], io: _IO) -> int:
    flags: set[str] = set()
    args: list[str] = []
    for arg in argv[1:]:
        if arg.startswith("-") and len(arg) > 1 and not args:
            flags.update(arg[1:])
        else:
            args.append(arg)
    if not args:
        _err(io, "grep: missing pattern")
        return 2
    pattern, files = args[0], args[1:]
    regex = re.compile(
        pattern if "E" in flags else _bre_to_python(pattern), re.I if "i" in flags else 0
    )
    sources: list[tuple[str, str]] = []
    status = 0
    for name in files or ["-"]:
        if name == "-":
            sources.append(("(standard input)", io.stdin or ""))
            continue
        try:
            sources.append((name, shell.fs.read(normalize(name, shell.cwd))))
        except FsError as err:
            if "s" not in flags:
                _err(io, shell.tool_text("grep", path=name, err=err.strerror))
            status = 2
    matched = 0
    for name, text in sources:
        count = 0
        for line in text.splitlines():
            if (regex.search(line) is not None) != ("v" in flags):
                count += 1
                if not flags & {"q", "c", "l"}:
                    prefix = f"{name}:" if len(sources) > 1 else ""
                    _out(io, prefix + line + "\n")
        if "c" in flags:
            _out(io, (f"{name}:" if len(sources) > 1 else "") + f"{count}\n")
        if "l" in flags and count:
            _out(io, name + "\n")
        matched += count
    if status == 2 and not matched:
        return 2
    return 0 if matched else 1


def _bre_to_python(pattern: str) -> str:
    """A basic regular expression as Python re: `+ ? | ( ) { }` are literal unless escaped."""
    out = []
    index = 0
    while index < len(pattern):
        ch = pattern[index]
        if ch == "\\" and index + 1 < len(pattern):
            nxt = pattern[index + 1]
            out.append(nxt if nxt in "+?|(){}" else "\\" + nxt)
            index += 2
            continue
        out.append("\\" + ch if ch in "+?|(){}" else ch)
        index += 1
    return "".join(out)


@_tool("wc")
def _wc(shell: Shell, argv: list[str], io: _IO) -> int:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-")) or "lwc"
    names = [a for a in argv[1:] if not a.startswith("-")]
    texts = [
        (name, shell.fs.read(normalize(name, shell.cwd)))
        for name in names
        if shell.fs.is_file(normalize(name, shell.cwd))
    ]
    if not names:
        texts = [("", io.stdin or "")]
    for name, text in texts:
        counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
        values = [str(counts[f]) for f in "lwc" if f in flags]
        _out(io, " ".join(values) + (f" {name}" if name else "") + "\n")
    return 0


@_tool("head", "tail", blocking=True)
def _head_tail(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    count, follow, names = 10, False, []
    args = argv[1:]
    while args:
        arg = args.pop(0)
        if arg == "-n" and args:
            count = int(args.pop(0).lstrip("+") or 10)
        elif re.fullmatch(r"-n?\d+", arg):
            count = int(arg.lstrip("-n"))
        elif arg in {"-f", "-F", "--follow"}:
            follow = True
        elif not arg.startswith("-"):
            names.append(arg)
    text = io.stdin or ""
    if names:
        try:
            text = shell.fs.read(normalize(names[0], shell.cwd))
        except FsError as err:
            _err(io, f"{argv[0]}: cannot open '{names[0]}' for reading: {err.strerror}")
            return 1
    lines = text.splitlines(keepends=True)
    chosen = lines[:count] if argv[0] == "head" else lines[-count:] if count else []
    _out(io, "".join(chosen))
    if follow and argv[0] == "tail":
        # `tail -f` never ends: the classic way to keep a container running.
        yield _Sleep(math.inf)
    return 0


@_tool("seq")
def _seq(shell: Shell, argv: list[str], io: _IO) -> int:
    try:
        numbers = [int(a) for a in argv[1:]]
    except ValueError:
        _err(io, f"seq: invalid argument '{argv[-1]}'")
        return 1
    if len(numbers) == 1:
        first, step, last = 1, 1, numbers[0]
    elif len(numbers) == 2:
        first, step, last = numbers[0], 1, numbers[1]
    elif len(numbers) >= 3:
        first, step, last = numbers[:3]
    else:
        _err(io, shell.tool_text("missing_operand", tool="seq"))
        return 1
    if step == 0:
        return 1
    values = range(first, last + (1 if step > 0 else -1), step)
    _out(io, "".join(f"{v}\n" for v in values))
    return 0


@_tool("basename")
def _basename(shell: Shell, argv: list[str], io: _IO) -> int:
    if len(argv) < 2:
        _err(io, shell.tool_text("missing_operand", tool="basename"))
        return 1
    name = posixpath.basename(argv[1].rstrip("/")) or "/"
    if len(argv) > 2 and name.endswith(argv[2]) and name != argv[2]:
        name = name[: -len(argv[2])]
    _out(io, name + "\n")
    return 0


@_tool("dirname")
def _dirname(shell: Shell, argv: list[str], io: _IO) -> int:
    if len(argv) < 2:
        _err(io, shell.tool_text("missing_operand", tool="dirname"))
        return 1
    _out(io, (posixpath.dirname(argv[1].rstrip("/")) or ".") + "\n")
    return 0


@_tool("command", "which", "type", blocking=True)
def _command_tool(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    args = [a for a in argv[1:] if a not in {"-p", "-v", "-V", "-a"}]
    if argv[0] == "command" and "-v" not in argv and "-V" not in argv:
        return (yield from shell._run(args, io, {})) if args else 0
    # Commands the shell does not model are assumed to exist, as it assumes they succeed.
    for name in args:
        if name in _SPECIAL_BUILTINS or (name in _COMMANDS and argv[0] != "which"):
            _out(io, (f"{name} is a shell builtin" if argv[0] == "type" else name) + "\n")
        else:
            path = name if "/" in name else f"/usr/bin/{name}"
            _out(io, (f"{name} is {path}" if argv[0] == "type" else path) + "\n")
    return 0 if args else 1


@_tool("timeout", blocking=True)
def _timeout(shell: Shell, argv: list[str], io: _IO) -> Generator[Any, Any, int]:
    args = [a for a in argv[1:] if not a.startswith("-")]
    limit = _sleep_seconds(args[0]) if args else None
    if limit is None or len(args) < 2:
        _err(io, "timeout: invalid time interval")
        return 125
    deadline = shell.sched.now + limit
    inner = shell._run(args[1:], io, {})
    value: object = None
    try:
        while True:
            request = inner.send(value)
            if isinstance(request, _Sleep) and request.until > deadline:
                yield _Sleep(deadline)
                inner.close()
                return 124
            value = yield request
    except StopIteration as stop:
        return int(stop.value or 0)


# -- printf, escapes and test ----------------------------------------------------------------

_PRINTF_SPEC = re.compile(r"%([-+ #0]*)(\d+)?(?:\.(\d+))?([diouxXeEfgGcsb%])")
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "r": "\r"}
_ESCAPES |= {"v": "\v", '"': '"', "e": "\x1b"}


def _unescape(text: str, echo: bool = False) -> tuple[str, bool]:
    """Interpret backslash escapes; the flag says output stops here (`\\c`)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if ch != "\\" or index + 1 >= len(text):
            out.append(ch)
            index += 1
            continue
        nxt = text[index + 1]
        if nxt == "c":
            return "".join(out), True
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            index += 2
            continue
        octal = re.match(r"0?([0-7]{1,3})" if echo else r"([0-7]{1,3})", text[index + 1 :])
        if octal:
            out.append(chr(int(octal.group(1), 8)))
            index += 1 + len(octal.group(0))
            continue
        out.append(ch)
        index += 1
    return "".join(out), False


def _printf(fmt: str, args: list[str]) -> str:
    """printf(1): the format is reused until every argument has been consumed."""
    out: list[str] = []
    remaining = list(args)
    while True:
        consumed = False
        pos = 0
        for match in _PRINTF_SPEC.finditer(fmt):
            out.append(_unescape(fmt[pos : match.start()])[0])
            pos = match.end()
            flags, width, precision, conv = match.groups()
            if conv == "%":
                out.append("%")
                continue
            arg = remaining.pop(0) if remaining else ""
            consumed = True
            spec = "%" + flags + (width or "") + (f".{precision}" if precision else "")
            if conv in "diouxX":
                out.append((spec + ("d" if conv in "iu" else conv)) % _number(arg))
            elif conv in "eEfgG":
                out.append((spec + conv) % (float(arg) if _is_float(arg) else 0.0))
            elif conv == "c":
                out.append((spec + "s") % arg[:1])
            elif conv == "b":
                out.append((spec + "s") % _unescape(arg, echo=True)[0])
            else:
                out.append((spec + "s") % arg)
        out.append(_unescape(fmt[pos:])[0])
        if not consumed or not remaining:
            return "".join(out)


def _number(arg: str) -> int:
    arg = arg.strip()
    if re.fullmatch(r"[-+]?\d+", arg):
        return int(arg)
    if re.fullmatch(r"[-+]?0[xX][0-9a-fA-F]+", arg):
        return int(arg, 16)
    if arg[:1] in {"'", '"'} and len(arg) > 1:
        return ord(arg[1])
    return 0


def _is_float(arg: str) -> bool:
    try:
        float(arg)
    except ValueError:
        return False
    return True


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


class _TestError(Exception):
    pass


_UNARY_TESTS = frozenset(f"-{flag}" for flag in "efdsrwxznLhpSbctgukOG")
_BINARY_TESTS = frozenset({"=", "==", "!=", "<", ">"}) | {
    f"-{op}" for op in ("eq", "ne", "lt", "le", "gt", "ge", "nt", "ot", "ef")
}


class _TestExpr:
    """test(1) / [ ]: `!`, `-a`, `-o`, parentheses, file, string and integer tests."""

    def __init__(self, shell: Shell, args: list[str]) -> None:
        self.shell = shell
        self.args = args
        self.index = 0

    def evaluate(self) -> bool:
        if not self.args:
            return False
        result = self._or()
        if self.index != len(self.args):
            raise _TestError(f"{self.args[self.index]}: unknown operand")
        return result

    def _more(self) -> bool:
        return self.index < len(self.args)

    def _or(self) -> bool:
        result = self._and()
        while self._more() and self.args[self.index] == "-o":
            self.index += 1
            result = self._and() or result
        return result

    def _and(self) -> bool:
        result = self._not()
        while self._more() and self.args[self.index] == "-a":
            self.index += 1
            result = self._not() and result
        return result

    def _not(self) -> bool:
        if self._more() and self.args[self.index] == "!" and self.index + 1 < len(self.args):
            self.index += 1
            return not self._not()
        return self._primary()

    def _primary(self) -> bool:
        args, i = self.args, self.index
        if not self._more():
            raise _TestError("argument expected")
        if args[i] == "(" and ")" in args[i + 1 :]:
            self.index += 1
            result = self._or()
            self.index += 1
            return result
        if i + 1 < len(args) and args[i + 1] in _BINARY_TESTS:
            if i + 2 >= len(args):
                raise _TestError(f"{args[i + 1]}: argument expected")
            self.index += 3
            return self._binary(args[i], args[i + 1], args[i + 2])
        if args[i] in _UNARY_TESTS and i + 1 < len(args):
            self.index += 2
            return self._unary(args[i], args[i + 1])
        self.index += 1
        return args[i] != ""

    def _unary(self, op: str, arg: str) -> bool:
        fs = self.shell.fs
        path = normalize(arg, self.shell.cwd) if arg else ""
        if op == "-z":
            return arg == ""
        if op == "-n":
            return arg != ""
        if not arg:
            return False
        if op == "-f":
            return fs.is_file(path)
        if op == "-d":
            return fs.is_dir(path)
        if op == "-s":
            return fs.is_dir(path) or (fs.is_file(path) and fs.read(path) != "")
        if op in {"-e", "-r", "-w", "-x"}:
            return fs.exists(path)
        return False

    def _binary(self, left: str, op: str, right: str) -> bool:
        if op in {"=", "=="}:
            return left == right
        if op == "!=":
            return left != right
        if op in {"<", ">"}:
            return left < right if op == "<" else left > right
        if op in {"-nt", "-ot", "-ef"}:
            return False
        a, b = self._int(left), self._int(right)
        return {"-eq": a == b, "-ne": a != b, "-lt": a < b, "-le": a <= b, "-gt": a > b}.get(
            op, a >= b
        )

    def _int(self, text: str) -> int:
        if re.fullmatch(r"\s*[-+]?\d+\s*", text):
            return int(text)
        dialect = self.shell.dialect
        if dialect == "ash":
            raise _TestError(f"{text}: bad number")
        if dialect == "dash":
            raise _TestError(f"Illegal number: {text}")
        raise _TestError(f"{text}: integer expression expected")
