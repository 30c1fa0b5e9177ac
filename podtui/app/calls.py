"""Calling the backend's async verbs from the console's synchronous key handlers.

An in-process backend (`Backend.inline`) never suspends: its coroutines run to the end at
once, inside the key press, so a key, a `:` verb and a scenario step change the simulated
cluster at the same moment and report at once. Over the network a verb runs as a task on
the console's loop and its result arrives later (`Session.on_result` reports it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

from engine.result import ActionResult

T = TypeVar("T")


class Suspended(RuntimeError):
    """An inline call awaited something: the backend is not in process after all."""


def run_inline(coro: Coroutine[Any, Any, T]) -> T:
    """The value of a coroutine that finishes without suspending."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise Suspended("an in-process backend's call waited")


async def _collect(lines: AsyncIterator[str]) -> list[str]:
    return [line async for line in lines]


def collect_inline(lines: AsyncIterator[str]) -> list[str]:
    """Every line of a stream that ends without waiting (an in-process `logs` without -f)."""
    return run_inline(_collect(lines))


def failed(err: BaseException) -> ActionResult:
    """A verb that raised instead of answering: kubectl's `error: ...` line, no traceback."""
    return ActionResult(errors=[f"error: {err}"])


def start(
    coro: Coroutine[Any, Any, ActionResult], done: Callable[[ActionResult], None]
) -> asyncio.Task:
    """Run a verb on the console's loop; `done` gets its result (or its failure)."""
    task = asyncio.get_running_loop().create_task(coro)

    def finished(task: asyncio.Task) -> None:
        if task.cancelled():
            return
        err = task.exception()
        done(failed(err) if err is not None else task.result())

    task.add_done_callback(finished)
    return task
