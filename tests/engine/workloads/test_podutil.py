"""What controllers ask of a pod: timestamps as simulated seconds, through a bounded memo."""

from __future__ import annotations

from datetime import timedelta

from engine.clock import Clock
from engine.timeutil import parse_time
from engine.workloads.podutil import SECONDS_MEMO_LIMIT, seconds_of


def test_seconds_past_the_memo_bound_match_a_fresh_parse() -> None:
    # The memo is bounded: asking more distinct timestamps than it keeps, and the first
    # ones again once they were forgotten, gives what parsing gives (no stale entries).
    clock = Clock()
    stamps = [
        (clock.start + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for n in range(SECONDS_MEMO_LIMIT + 50)
    ]
    for stamp in [*stamps, *stamps[:100]]:
        assert seconds_of(clock, stamp) == (parse_time(stamp) - clock.start).total_seconds()
    assert seconds_of(clock, stamps[-1]) == SECONDS_MEMO_LIMIT + 49


def test_seconds_are_counted_from_each_clock_start() -> None:
    # The same timestamp is a different simulated second on a clock that started later.
    early = Clock()
    late = Clock(start=early.start + timedelta(seconds=30))
    stamp = (early.start + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert seconds_of(early, stamp) == 90
    assert seconds_of(late, stamp) == 60
    assert seconds_of(early, None) is None
    assert seconds_of(early, "") is None
