"""Run shell scripts and commands the way a container's /bin/sh would, in simulated time.

Execution is a generator: it yields `Wait(seconds)` while the script sleeps or blocks
(`math.inf`: until a signal) and returns the exit status. The caller resumes it once
the simulated time has passed; nothing here reads the wall clock.

This module walks the syntax tree: lists, pipelines, compound and simple commands, traps.
The rest of the shell lives beside it: `commands` (what a command name runs),
`expansion`, `redirection`, `builtins` and the tools (`fileutils`, `textutils`,
`procutils`), `scheduler` (background jobs and time), `messages` (each shell's wording)
and `host` (the types shared with the process that runs the shell). Choices made here
(documented for users in docs/behavior-annotations.md):

- `$(date)` / `date` prints the simulated time when the host knows it; otherwise it is an
  assumed command with no output.
- A loop that never sleeps is throttled to 100 iterations per simulated second, so a
  busy `until [ -f /x ]; do :; done` still sees files written later.
- Like ash, dash and bash, the last simple command of a `-c` script replaces the shell
  (no fork) unless a trap is set; this decides who receives SIGTERM.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable, Generator
from dataclasses import replace
from typing import Any

from engine.shell import builtins, fileutils, procutils, textutils  # noqa: F401  (they register)
from engine.shell.commands import exec_argv, run_command
from engine.shell.compound import CompoundCommands
from engine.shell.expansion import expand_str, expand_words
from engine.shell.fs import Filesystem
from engine.shell.host import (
    BUSYBOX,
    DEBIAN,
    BaseHost,
    ExecResult,
    Flavor,
    Program,
    ShellHost,
    ToolResult,
    Wait,
)
from engine.shell.messages import TOOL_TEXT, shell_text, syntax_text
from engine.shell.parser import (
    AndOr,
    Case,
    Command,
    For,
    FuncDef,
    Group,
    If,
    Loop,
    Pipeline,
    Sequence,
    ShellSyntaxError,
    SimpleCommand,
    parse,
)
from engine.shell.redirection import redirect
from engine.shell.scheduler import (
    Body,
    Break,
    ExitShell,
    Join,
    Return,
    Scheduler,
    Task,
    finished,
)
from engine.shell.streams import IO, Capture, HostSink
from engine.shell.variables import NO_ASSIGNMENTS, NO_OPTIONS, Variables, exported_names

__all__ = [
    "BUSYBOX",
    "DEBIAN",
    "BaseHost",
    "ExecResult",
    "Flavor",
    "Program",
    "Shell",
    "ShellHost",
    "ToolResult",
    "Wait",
    "run_exec",
]


class Shell(CompoundCommands, Variables):
    """One shell process: variables, traps, functions, and the commands it runs."""

    __slots__ = (
        "_busy",
        "_busy_at",
        "_cond_depth",
        "_fs",
        "_main",
        "_pid1_output",
        "_vars_shared",
        "argv0",
        "cmdsub_status",
        "cwd",
        "exported",
        "flavor",
        "funcs",
        "host",
        "hostname",
        "io",
        "last_job",
        "line",
        "loop_depth",
        "options",
        "pending",
        "pid",
        "pid1",
        "positional",
        "sched",
        "status",
        "traps",
        "vars",
    )

    def __init__(
        self,
        fs: Filesystem | Callable[[], Filesystem],
        env: dict[str, str],
        host: ShellHost,
        *,
        argv0: str = "sh",
        flavor: Flavor = BUSYBOX,
        pid1: bool = False,
        stdin: str | None = "",
        hostname: str = "localhost",
        scheduler: Scheduler | None = None,
        pid1_output: Callable[[str, str], None] | None = None,
    ) -> None:
        # A callable makes the filesystem on first use (most processes never touch it).
        self._fs = fs
        # Where `> /proc/1/fd/1` goes: the container's log even from an exec.
        self._pid1_output = pid1_output
        self.host = host
        self.flavor = flavor
        self.pid1 = pid1
        self.hostname = hostname
        # Variables start as the environment itself, copied on the first change.
        self.vars: dict[str, str] = env
        self._vars_shared = True
        self.exported: frozenset[str] = exported_names(env)
        self.positional: list[str] = []
        self.funcs: dict[str, Command] = {}
        self.traps: dict[str, str] = {}
        self.options: frozenset[str] = NO_OPTIONS
        self.status = 0
        self.cwd = "/"
        self.sched = scheduler or Scheduler()
        self.pid = 1 if pid1 else 7
        self.last_job: int | None = None
        self.pending: list[str] = []
        self.line = 1
        self.loop_depth = 0
        self.argv0 = argv0
        self._cond_depth = 0
        self._busy = 0
        self._busy_at = -1.0
        self._main: Task | None = None
        self.cmdsub_status: int | None = None
        self.io = IO(stdin, HostSink(host, "stdout"), HostSink(host, "stderr"))

    # -- identity -------------------------------------------------------------------------
    @property
    def fs(self) -> Filesystem:
        fs = self._fs
        if not isinstance(fs, Filesystem):
            fs = self._fs = fs()
        return fs

    @property
    def pid1_output(self) -> Callable[[str, str], None]:
        """Where `> /proc/1/fd/1` writes: PID 1's log, even from an exec."""
        return self._pid1_output or self.host.output

    @property
    def dialect(self) -> str:
        return "bash" if posixpath.basename(self.argv0) == "bash" else self.flavor.shell

    # -- entry points -----------------------------------------------------------------------
    def run_script(self, script: str) -> Generator[Wait, float | None, int]:
        """Run a `-c` script; yields Waits, returns the exit status."""
        return self._drive(lambda: self.script_body(script, tail=True))

    def run_interactive(
        self, line: str, on_exit: Callable[[int], None]
    ) -> Generator[Wait, float | None, int]:
        """One line typed at an interactive prompt (`kubectl exec -it POD -- sh`): the
        shell stays afterwards (its last command is not exec'd); `exit` calls on_exit."""

        def body() -> Body:
            try:
                return (yield from self.script_body(line, tail=False))
            except ExitShell as leave:
                on_exit(leave.status)
                raise

        return self._drive(body)

    def run_argv(self, argv: list[str], main: bool = True) -> Generator[Wait, float | None, int]:
        """Run argv as the process itself (PID 1 when `main`, or an exec probe)."""
        return self._drive(lambda: exec_argv(self, argv, self.io, NO_ASSIGNMENTS, main=main))

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
        if main is not None and isinstance(main.block, Join):
            main.interrupted = True
            return "interrupt"
        # POSIX: a trap waits until the foreground command in progress has finished.
        return "deferred"

    # -- driving --------------------------------------------------------------------------
    #
    # Many functions below return a generator instead of being one (`return self._x(...)`
    # rather than `return (yield from self._x(...))`): a suspended shell keeps one frame per
    # generator on its stack, and ten thousand sleeping shells should keep few. Callers
    # always iterate the result at once, so the order of side effects is the same.
    def _drive(self, start: Callable[[], Body]) -> Generator[Wait, float | None, int]:
        main = Task(self.pid, self.top(start))
        del start  # kept by top() only until it has started
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

    def top(self, start: Callable[[], Body]) -> Body:
        """Run what `start()` returns as this shell's whole life: exit traps, `exit`."""
        try:
            body = start()
            del start  # a sleeping shell should not keep the closure that started it
            status = yield from body
        except ExitShell as leave:
            status = leave.status
        except Return as ret:
            status = ret.status
        except Break:
            status = 0
        action = self.traps.pop("EXIT", None)
        if action:
            self.status = status
            try:
                yield from self.eval_text(action, self.io)
            except ExitShell as leave:
                status = leave.status
        return status

    def script_body(self, script: str, tail: bool) -> Body:
        try:
            tree = parse(script)
        except ShellSyntaxError as err:
            self.line = err.line
            self.error(self.io, syntax_text(self, err), raw=True)
            return finished(2)
        return self._sequence(tree, self.io, tail=tail)

    # -- lists and compound commands -------------------------------------------------------
    def _sequence(self, seq: Sequence, io: IO, tail: bool = False) -> Body:
        items = seq.items
        if len(items) == 1 and not items[0][1]:
            return self._and_or(items[0][0], io, tail)
        return self._sequence_items(seq, io, tail)

    def _sequence_items(self, seq: Sequence, io: IO, tail: bool) -> Body:
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

    def _job(self, and_or: AndOr, io: IO) -> Generator[Any, Any, int]:
        # POSIX: a non-interactive shell's background jobs read /dev/null.
        job_io = replace(io, stdin="")
        try:
            return (yield from self._and_or(and_or, job_io, False))
        except (ExitShell, Return) as leave:
            return leave.status
        except Break:
            return 0

    def _and_or(self, node: AndOr, io: IO, tail: bool) -> Body:
        if not node.rest:
            return self._pipeline(node.first, io, tail)
        return self._and_or_chain(node, io, tail)

    def _and_or_chain(self, node: AndOr, io: IO, tail: bool) -> Body:
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

    def _pipeline(self, node: Pipeline, io: IO, tail: bool) -> Body:
        if len(node.commands) == 1 and not node.negate:
            command = node.commands[0]
            if isinstance(command, SimpleCommand):
                return self._simple(command, io, tail, lone=True)
        return self._stages(node, io, tail)

    def _stages(self, node: Pipeline, io: IO, tail: bool) -> Body:
        if node.negate:
            self._cond_depth += 1
        try:
            stdin = io.stdin
            status = 0
            single = len(node.commands) == 1
            for index, command in enumerate(node.commands):
                last = index == len(node.commands) - 1
                capture = None if last else Capture()
                # A lone command shares the caller's streams, so `read` consumes its input.
                stage_io = io if single else replace(io, stdin=stdin, out=capture or io.out)
                exec_tail = tail and single and not node.negate
                status = yield from self.command(command, stage_io, exec_tail)
                if capture is not None:
                    stdin = capture.text()
        finally:
            if node.negate:
                self._cond_depth -= 1
        if node.negate:
            status = 0 if status else 1
        return self._pipeline_done(status)

    def _pipeline_done(self, status: int) -> int:
        """A pipeline's status is `$?`; under `set -e` a failure ends the shell."""
        self.status = status
        if status and "e" in self.options and self._cond_depth == 0:
            raise ExitShell(status)
        return status

    def command(self, node: Command, io: IO, tail: bool) -> Body:
        """Run one command of a pipeline: simple, compound or a function definition."""
        if isinstance(node, SimpleCommand):
            return self._simple(node, io, tail)
        if isinstance(node, FuncDef):
            self.funcs[node.name] = node.body
            return finished(0)
        if not node.redirs:
            return self._compound(node, io, tail)
        return self._redirected_compound(node, io, tail)

    def _redirected_compound(
        self, node: If | Loop | For | Case | Group, io: IO, tail: bool
    ) -> Body:
        redirected = yield from redirect(self, node.redirs, io)
        if redirected is None:
            return 1 if self.dialect == "bash" else 2
        return (yield from self._compound(node, redirected, tail))

    def _compound(self, node: If | Loop | For | Case | Group, io: IO, tail: bool) -> Body:
        if isinstance(node, If):
            return self._if(node, io, tail)
        if isinstance(node, Loop):
            return self._loop(node, io)
        if isinstance(node, For):
            return self._for(node, io)
        if isinstance(node, Case):
            return self._case(node, io, tail)
        if node.subshell:
            return self.subshell(node.body, io)
        return self._sequence(node.body, io, tail)

    # -- simple commands --------------------------------------------------------------------
    def _simple(self, node: SimpleCommand, io: IO, tail: bool, lone: bool = False) -> Body:
        """A simple command; `lone`: it is a whole pipeline, so its status is the pipeline's."""
        self.line = node.line
        self.cmdsub_status = None
        argv = yield from expand_words(self, node.words, io)
        assigns: dict[str, str] = NO_ASSIGNMENTS
        if node.assigns:
            assigns = {}
            for name, word in node.assigns:
                assigns[name] = yield from expand_str(self, word, io)
        if not argv:
            for name, value in assigns.items():
                self.set_var(name, value)
            redirected = yield from redirect(self, node.redirs, io)
            status = 2 if redirected is None else (self.cmdsub_status or 0)
            return self._end(status, lone)
        if argv[0] == "exec" and len(argv) == 1:
            redirected = yield from redirect(self, node.redirs, io)
            if redirected is None:
                return self._end(2, lone)
            io.stdin, io.out, io.err = redirected.stdin, redirected.out, redirected.err
            return self._end(0, lone)
        redirected = yield from redirect(self, node.redirs, io)
        if redirected is None:
            return self._end(1 if self.dialect == "bash" else 2, lone)
        if "x" in self.options:
            redirected.err.write("+ " + " ".join(argv) + "\n")
        # ash, dash and bash exec the last command of a -c script instead of forking,
        # unless a trap needs the shell to stay around.
        replacing = tail and not any(self.traps.values())
        status = yield from run_command(self, argv, redirected, assigns, replacing=replacing)
        status = self._finish(status)
        yield from self._run_traps()
        return self._end(status, lone)

    def _finish(self, status: int) -> int:
        self.status = status
        return status

    def _end(self, status: int, lone: bool) -> int:
        return self._pipeline_done(status) if lone else self._finish(status)

    def _run_traps(self) -> Generator[Any, Any, None]:
        while self.pending:
            signal = self.pending.pop(0)
            action = self.traps.get(signal)
            if action:
                saved = self.status
                yield from self.eval_text(action, self.io)
                self.status = saved

    def eval_text(self, text: str, io: IO, command: str | None = None) -> Generator[Any, Any, int]:
        """Parse and run text (eval, a trap action, a sourced file); `command`: the builtin."""
        try:
            tree = parse(text)
        except ShellSyntaxError as err:
            self.error(io, syntax_text(self, err, command), raw=True)
            if self.dialect != "bash":
                # POSIX: a syntax error ends a non-interactive shell (ash: exitshell()).
                raise ExitShell(2) from None
            return 2
        return (yield from self._sequence(tree, io))

    # -- messages ---------------------------------------------------------------------------
    def error(self, io: IO, text: str, command: str | None = None, raw: bool = False) -> None:
        """Print a shell error the way this shell formats it."""
        if raw:
            io.err.write(text + "\n")
            return
        io.err.write(shell_text(self, text, command) + "\n")

    def tool_text(self, key: str, **fields: str) -> str:
        """A coreutils error message in this image's wording (busybox or GNU)."""
        return TOOL_TEXT[self.flavor.tools][key].format(**fields)


from engine.shell.oneshot import run_exec  # noqa: E402  (it needs Shell)
