"""Control flow and time inside a shell: the exceptions that unwind it and the job scheduler.

A running shell task is a generator that yields `Sleep` (until a simulated time) or `Join`
(until background jobs end); the `Scheduler` runs the foreground task and its background
jobs against one local clock.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

SIGNALS = {"EXIT": 0, "HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12}
SIGNALS |= {"TERM": 15, "CHLD": 17}
SIGNAL_NAMES = {num: name for name, num in SIGNALS.items()}
BUSY_LOOP_LIMIT = 100

# -- control flow ------------------------------------------------------------------------


class ExitShell(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class Return(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class Break(Exception):
    def __init__(self, levels: int) -> None:
        self.levels = levels


class Continue(Break):
    pass


class Blocked:
    """Base of what a running shell task yields to the scheduler."""

    __slots__ = ()


@dataclass(slots=True)
class Sleep(Blocked):
    until: float


@dataclass(slots=True)
class Join(Blocked):
    pids: tuple[int, ...] | None  # None: every background job


INTERRUPTED = object()

Body = Generator[Any, Any, int]  # a running piece of a shell: yields Blocked, returns a status


def finished(status: int) -> Body:
    """A body that is already over: `status` at once."""
    return status
    yield  # makes this a generator; never reached


# -- the scheduler -----------------------------------------------------------------------


class Task:
    __slots__ = ("block", "done", "gen", "interrupted", "pid", "status")

    def __init__(self, pid: int, gen: Generator[Any, Any, int]) -> None:
        self.pid = pid
        self.gen = gen
        self.block: Blocked | None = None
        self.done = False
        self.status = 0
        self.interrupted = False


class Scheduler:
    """Runs a shell's foreground task and its background jobs against one local clock."""

    __slots__ = ("_last_pid", "jobs", "now")

    def __init__(self) -> None:
        self.now = 0.0
        self.jobs: dict[int, Task] = {}
        self._last_pid = 7

    def spawn(self, gen: Generator[Any, Any, int]) -> Task:
        self._last_pid += 1
        task = Task(self._last_pid, gen)
        self.jobs[task.pid] = task
        self.advance(task)
        return task

    def advance(self, task: Task, value: object = None) -> None:
        while True:
            try:
                request = task.gen.send(value)
            except StopIteration as stop:
                task.done, task.block, task.status = True, None, stop.value or 0
                return
            except ExitShell as leave:
                task.done, task.block, task.status = True, None, leave.status
                return
            value = None
            if isinstance(request, Sleep) and request.until <= self.now:
                continue
            if isinstance(request, Join) and self.joined(request):
                value = self.join_status(request)
                continue
            task.block = request
            return

    def joined(self, join: Join) -> bool:
        pids = join.pids if join.pids is not None else tuple(self.jobs)
        return all(self.jobs[pid].done for pid in pids if pid in self.jobs)

    def join_status(self, join: Join) -> int:
        pids = [pid for pid in (join.pids or ()) if pid in self.jobs]
        return self.jobs[pids[-1]].status if pids else 0

    def run_due(self, main: Task) -> None:
        progressed = True
        while progressed:
            progressed = False
            for task in [*sorted(self.jobs.values(), key=lambda t: t.pid), main]:
                if task.done or task.block is None:
                    continue
                value: object = None
                if task.interrupted:
                    task.interrupted, value = False, INTERRUPTED
                elif isinstance(task.block, Sleep) and task.block.until <= self.now:
                    pass
                elif isinstance(task.block, Join) and self.joined(task.block):
                    value = self.join_status(task.block)
                else:
                    continue
                task.block = None
                self.advance(task, value)
                progressed = True

    def next_wake(self, main: Task) -> float:
        wakes = [
            task.block.until
            for task in [*self.jobs.values(), main]
            if not task.done and isinstance(task.block, Sleep)
        ]
        return min(wakes, default=math.inf)

    def close(self) -> None:
        for task in self.jobs.values():
            task.gen.close()
