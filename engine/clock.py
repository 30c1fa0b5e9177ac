"""The simulated clock: a timer queue advanced in ticks.

Work that waits (probe periods, back-off, grace periods, heartbeats) is put on the
queue with `call_at` / `call_later`; a tick runs only what has come due, so an idle
cluster costs almost nothing per tick however many pods it has. Timers run in
(time, insertion order), and while a timer runs `now` is the timer's own time, so
the story does not depend on the tick size.

The queue is one list of timers per distinct due time (in insertion order) and a heap of
those times: a large cluster has tens of thousands of timers due at a handful of instants
(every probe of the pods that started in the same second comes due together), so the heap
stays small and adding a timer to an instant that already has one is an append. The order
is exactly (time, insertion order): a timer added while its instant runs goes to the end of
that instant's list, as it would have had the largest sequence number.
"""

from __future__ import annotations

import heapq
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


class Batch(Timer):
    """Calls that would each have had a timer, due at one instant one right after another,
    as one timer: `run(item)` for each item, in the order they were added (`call_batched`).

    An item that will not run after all is `drop`ped (its `run` must then do nothing for
    it); the batch is cancelled with its last live item, as its timers would have been.
    """

    __slots__ = ("clock", "items", "live", "run")

    def __init__(self, clock: Clock, at: float, run: Callable[[object], object]) -> None:
        # No callback stored: a batch holding its own bound method would be a reference
        # cycle, left for the cyclic collector once run (a pause of a second at 20,000 pods).
        self.at = at
        self.cancelled = False
        self.clock = clock
        self.run = run
        self.items: list[object] = []
        self.live = 0

    @property  # type: ignore[override]
    def callback(self) -> Callable[[], None]:
        return self._run_items

    def drop(self) -> None:
        self.live -= 1
        if self.live <= 0:
            self.cancelled = True

    def _run_items(self) -> None:
        clock = self.clock
        at = self.at
        run = self.run
        items = self.items
        for index, item in enumerate(items):
            clock.now = at
            try:
                run(item)
            except BaseException:
                # The item that raised is spent; the rest stay due (Clock.run_until).
                self.items = items[index + 1 :]
                self.live = len(self.items)
                raise


class Clock:
    """Simulated time in seconds since the cluster started, plus the seeded generator."""

    def __init__(self, start: datetime = DEFAULT_START, seed: int = 0, step: float = 1.0) -> None:
        self.start = start
        self.step = step
        self.now = 0.0
        self.rng = random.Random(seed)
        self._times: list[float] = []  # a heap of the instants that have timers
        self._due: dict[float, list[Timer]] = {}  # instant -> its timers, in insertion order
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
        self._push(timer)
        return timer

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        return self.call_at(self.now + max(delay, 0.0), callback)

    def rearm(self, timer: Timer, at: float) -> Timer:
        """Put a timer that has run back on the queue for `at` (a periodic worker keeps
        one handle instead of allocating one per period)."""
        timer.at = max(at, self.now)
        timer.cancelled = False
        self._push(timer)
        return timer

    def call_batched(self, at: float, run: Callable[[object], object], item: object) -> Batch:
        """Schedule `run(item)` at `at`, exactly as `call_at(at, lambda: run(item))` would:
        when the timer last added for that instant is a batch of the same `run`, the item
        joins it (it would have run right after that batch's items), else a new batch is
        queued. Thousands of probes due at one instant cost one timer, not thousands.
        `run` must be one function object (not a bound method, which is new at every use)."""
        at = max(at, self.now)
        timers = self._due.get(at)
        if timers is not None:
            last = timers[-1]
            if type(last) is Batch and last.run is run:
                last.items.append(item)
                last.live += 1
                last.cancelled = False
                return last
        batch = Batch(self, at, run)
        batch.items.append(item)
        batch.live = 1
        self._push(batch)
        return batch

    def _push(self, timer: Timer) -> None:
        at = timer.at
        timers = self._due.get(at)
        if timers is None:
            self._due[at] = [timer]
            heapq.heappush(self._times, at)
        else:
            timers.append(timer)

    def next_due(self) -> float | None:
        while self._times:
            at = self._times[0]
            if any(not timer.cancelled for timer in self._due[at]):
                return at
            heapq.heappop(self._times)
            del self._due[at]
        return None

    def due_timers(self) -> list[tuple[float, Timer]]:
        """Every timer still due, as (time, timer), in the order they will run."""
        return [
            (at, timer)
            for at in sorted(self._times)
            for timer in self._due[at]
            if not timer.cancelled
            for _ in range(timer.live if type(timer) is Batch else 1)
        ]

    def pending(self) -> int:
        return sum(
            timer.live if type(timer) is Batch else 1
            for timers in self._due.values()
            for timer in timers
            if not timer.cancelled
        )

    # -- advancing --------------------------------------------------------------------
    def run_until(self, until: float) -> int:
        """Run every timer due at or before `until`, then set now to `until`."""
        ran = 0
        times = self._times
        due = self._due
        while times and times[0] <= until:
            at = heapq.heappop(times)
            # A timer added for this instant while it runs starts a new list for it: it
            # runs after these, as its larger sequence number would have had it.
            timers = iter(due.pop(at))
            self.now = at
            try:
                for timer in timers:
                    if timer.cancelled:
                        continue
                    self.now = at
                    timer.callback()
                    ran += 1
            except BaseException:
                # The timer that raised is spent; the ones after it stay due, first.
                rest = list(timers)
                if type(timer) is Batch and timer.items:
                    rest.insert(0, timer)  # the items after the one that raised
                if rest:
                    later = due.get(at)
                    if later is None:
                        heapq.heappush(times, at)
                    due[at] = rest + (later or [])
                raise
        self.now = max(self.now, until)
        return ran

    def tick(self) -> int:
        """Advance by one step."""
        return self.run_until(self.now + self.step)
