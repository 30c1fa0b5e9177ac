"""The tables builtins and tools register in, and the helpers they write output with.

Each handler takes (shell, argv, io) and is a generator returning the exit status, so a
tool that blocks (`sleep`, `wait`, `tail -f`) can yield to the scheduler.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from engine.shell.streams import IO

if TYPE_CHECKING:
    from engine.shell.interpreter import Shell

Handler = Any
SPECIAL_BUILTINS: dict[str, Handler] = {}
COMMANDS: dict[str, Handler] = {}


def _register(table: dict[str, Handler], *names: str, blocking: bool = False) -> Any:
    def decorate(fn: Any) -> Any:
        if blocking:
            handler = fn
        else:

            def handler(shell: Shell, argv: list[str], io: IO) -> Generator[Any, Any, int]:
                return fn(shell, argv, io)
                yield  # makes this a generator; never reached

        for name in names:
            table[name] = handler
        return fn

    return decorate


def special(*names: str, blocking: bool = False) -> Any:
    return _register(SPECIAL_BUILTINS, *names, blocking=blocking)


def tool(*names: str, blocking: bool = False) -> Any:
    return _register(COMMANDS, *names, blocking=blocking)


def write_out(io: IO, text: str) -> None:
    io.out.write(text)


def write_err(io: IO, text: str) -> None:
    io.err.write(text + "\n")
