"""The simulated clock: a timer queue advanced in ticks.

Work that waits (probe periods, back-off, grace periods, heartbeats) is put on the
queue with `call_at` / `call_later`; a tick runs only what has come due, so an idle
cluster costs almost nothing per tick however many pods it has. Timers run in
(time, insertion order), and while a timer runs `now` is the timer's own time, so
the story does not depend on the tick size.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from engine.timeutil import DEFAULT_START, MAX_DURATION_SECONDS, format_time

TIMESTAMP_CACHE_LIMIT = 4096
"""Formatted seconds remembered (a pure function of the second): past this, start over.
Nearly every request is for the current second; a larger table only grows with the run
(100,000 strings, 10 MB, by the end of a simulated day)."""


class Timer:
    """A handle on a scheduled callback; `cancel()` makes it a no-op."""

    __slots__ = ("at", "callback", "cancelled")

    def __init__(self, at: float, callback: Callable[[], object]) -> None:
        self.at = at
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Clock:
    """Simulated time in seconds since the cluster started, plus the seeded generator."""

    def __init__(self, start: datetime = DEFAULT_START, seed: int = 0, step: float = 1.0) -> None:
        self.start = start
        self.step = step
        self.now = 0.0
        self.rng = random.Random(seed)
        self._queue: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._stamps: dict[int, str] = {}

    # -- reading the time -------------------------------------------------------------
    def datetime_at(self, t: float) -> datetime:
        # A valid object may ask for a time centuries away (terminationGracePeriodSeconds and
        # a delete's gracePeriod are int64 seconds); the API server's arithmetic is Go's
        # time.Duration, which reaches about 292 years, so a timestamp stops there.
        t = max(-MAX_DURATION_SECONDS, min(t, MAX_DURATION_SECONDS))
        return self.start + timedelta(seconds=t)

    def now_datetime(self) -> datetime:
        return self.datetime_at(self.now)

    def timestamp(self, t: float | None = None) -> str:
        """RFC 3339 timestamp (second precision) for simulated time t (default: now)."""
        second = math.floor(self.now if t is None else t)
        text = self._stamps.get(second)
        if text is None:
            if len(self._stamps) > TIMESTAMP_CACHE_LIMIT:
                self._stamps.clear()
            text = self._stamps[second] = format_time(self.datetime_at(second))
        return text

    def seconds_since(self, timestamp: datetime) -> float:
        return (self.now_datetime() - timestamp).total_seconds()

    # -- scheduling -------------------------------------------------------------------
    def call_at(self, at: float, callback: Callable[[], object]) -> Timer:
        timer = Timer(max(at, self.now), callback)
        heapq.heappush(self._queue, (timer.at, next(self._seq), timer))
        return timer

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        return self.call_at(self.now + max(delay, 0.0), callback)

    def next_due(self) -> float | None:
        while self._queue and self._queue[0][2].cancelled:
            heapq.heappop(self._queue)
        return self._queue[0][0] if self._queue else None

    def pending(self) -> int:
        return sum(1 for _, _, timer in self._queue if not timer.cancelled)

    # -- advancing --------------------------------------------------------------------
    def run_until(self, until: float) -> int:
        """Run every timer due at or before `until`, then set now to `until`."""
        ran = 0
        queue = self._queue
        while queue and queue[0][0] <= until:
            at, _, timer = heapq.heappop(queue)
            if timer.cancelled:
                continue
            self.now = at
            timer.callback()
            ran += 1
        self.now = max(self.now, until)
        return ran

    def tick(self) -> int:
        """Advance by one step."""
        return self.run_until(self.now + self.step)
