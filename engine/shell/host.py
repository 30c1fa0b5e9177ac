"""What a shell shares with the process that runs it: the types it yields, returns and calls.

A `Flavor` says whether /bin/sh is busybox ash (busybox, alpine) or dash (Debian, Ubuntu),
and whether the tools are busybox applets or GNU coreutils; error texts depend on it.
What the shell cannot model it delegates to its `ShellHost`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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

    def tool(self, argv: list[str], cwd: str = "/") -> ToolResult | None:
        """Run argv at once if the host models it (probe tools), else None; cwd for files."""
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

    def tool(self, argv: list[str], cwd: str = "/") -> ToolResult | None:
        return None

    def resolve(self, argv: list[str], main: bool) -> Program | None:
        return None

    def exec_program(self, program: Program) -> None:
        pass

    def now(self) -> datetime | None:
        return None
