"""One-shot runs: an exec probe, an exec hook or `kubectl exec` in a container."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from engine.shell.fs import Filesystem
from engine.shell.host import BUSYBOX, BaseHost, ExecResult, Flavor, Program, ShellHost, ToolResult
from engine.shell.interpreter import Shell


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

    def tool(self, argv: list[str], cwd: str = "/") -> ToolResult | None:
        return self.inner.tool(argv, cwd)

    def resolve(self, argv: list[str], main: bool) -> Program | None:
        return self.inner.resolve(argv, main)

    def exec_program(self, program: Program) -> None:
        pass

    def now(self) -> datetime | None:
        return self.inner.now()

    def text(self) -> str:
        return "".join(self.parts)
