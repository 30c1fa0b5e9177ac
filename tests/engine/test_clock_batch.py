"""Clock.call_batched: calls that would each have had a timer share one, and nothing about
when they run, or what the clock says is due, may differ from giving each its own timer
(the probes of a big cluster use it: 75,000 of them come due at the same instants)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.clock import Clock

# Each step: ("batched" | "plain", delay, reschedule) — reschedule: the call adds a call
# of its own kind `delay` later when it runs (probes re-arm themselves every period).
STEPS = st.lists(
    st.tuples(st.sampled_from(["batched", "plain"]), st.integers(0, 3), st.booleans()),
    max_size=25,
)


def _run(steps: list[tuple[str, int, bool]], *, batched: bool) -> list[tuple[float, int]]:
    clock = Clock()
    ran: list[tuple[float, int]] = []

    def schedule(index: int, delay: int, again: int) -> None:
        kind = steps[index][0]

        def call(_item: object = None) -> None:
            ran.append((clock.now, index))
            if again > 0:
                schedule(index, delay or 1, again - 1)

        if batched and kind == "batched":
            clock.call_batched(clock.now + delay, run, (call,))
        else:
            clock.call_later(delay, call)

    for index, (_, delay, again) in enumerate(steps):
        schedule(index, delay, 2 if again else 0)
    clock.run_until(20)
    return ran


def run(item: tuple) -> None:
    item[0]()


@given(STEPS)
def test_batched_calls_run_where_their_own_timers_would(steps) -> None:
    assert _run(steps, batched=True) == _run(steps, batched=False)


def test_a_batched_call_joins_only_the_batch_added_last_for_its_instant() -> None:
    clock = Clock()
    order: list[str] = []
    clock.call_batched(5, run, (lambda: order.append("a"),))
    clock.call_at(5, lambda: order.append("plain"))
    clock.call_batched(5, run, (lambda: order.append("b"),))
    clock.call_batched(5, run, (lambda: order.append("c"),))
    assert clock.pending() == 4
    assert [at for at, _ in clock.due_timers()] == [5, 5, 5, 5]
    clock.run_until(5)
    assert order == ["a", "plain", "b", "c"]


def test_a_batch_whose_calls_are_all_dropped_is_cancelled() -> None:
    clock = Clock()
    first = clock.call_batched(3, run, (lambda: None,))
    second = clock.call_batched(3, run, (lambda: None,))
    assert first is second
    first.drop()
    assert clock.pending() == 1 and clock.next_due() == 3
    second.drop()
    assert clock.pending() == 0 and clock.next_due() is None
