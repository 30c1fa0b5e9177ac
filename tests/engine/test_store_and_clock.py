"""The change feed and the timer queue."""

from __future__ import annotations

import pytest

from engine.clock import Clock
from engine.store import Change, Store


def test_the_change_feed_delivers_added_modified_deleted_in_order() -> None:
    clock = Clock()
    store = Store(clock)
    seen: list[tuple[str, str]] = []
    store.watch(lambda c: seen.append((c.type, c.obj["metadata"]["name"])))
    obj = store.add(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}}
    )
    store.modified(obj)
    store.remove("ConfigMap", "default", "a")
    assert seen == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]


def test_a_write_made_by_a_watcher_does_not_overtake_the_change_it_reacts_to() -> None:
    clock = Clock()
    store = Store(clock)
    order: list[tuple[str, str, str]] = []

    def first(change: Change) -> None:
        order.append(("first", change.type, change.obj["metadata"]["name"]))
        if change.type == "ADDED" and change.obj["metadata"]["name"] == "a":
            store.add(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "b", "namespace": "default"},
                }
            )

    store.watch(first)
    store.watch(lambda c: order.append(("second", c.type, c.obj["metadata"]["name"])))
    store.add(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}}
    )
    assert order == [
        ("first", "ADDED", "a"),
        ("second", "ADDED", "a"),
        ("first", "ADDED", "b"),
        ("second", "ADDED", "b"),
    ]


def test_a_watcher_of_every_kind_but_some_is_not_told_of_those() -> None:
    # The owner index and the garbage collector watch every kind but Events (which own
    # nothing and have no owners); a change nobody watches still takes a resourceVersion.
    clock = Clock()
    store = Store(clock)
    seen: list[str] = []
    store.watch(lambda c: seen.append(c.kind), except_kinds={"Event"})
    store.add({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "x"}})
    store.add({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "x"}})
    assert seen == ["Pod"]
    assert store.resource_version == 2
    late: list[str] = []
    store.watch(late.append, {"Event"})
    event = store.get("Event", "x", "e")
    assert event is not None
    store.modified(event)
    assert len(late) == 1 and seen == ["Pod"]


def test_resource_version_increases_with_every_write() -> None:
    store = Store(Clock())
    obj = store.add(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}}
    )
    first = int(obj["metadata"]["resourceVersion"])
    store.modified(obj)
    assert int(obj["metadata"]["resourceVersion"]) == first + 1


def test_timers_run_in_time_then_insertion_order_with_now_at_their_own_time() -> None:
    clock = Clock()
    ran: list[tuple[str, float]] = []
    clock.call_at(2.5, lambda: ran.append(("b", clock.now)))
    clock.call_at(1.0, lambda: ran.append(("a", clock.now)))
    clock.call_at(2.5, lambda: ran.append(("c", clock.now)))
    cancelled = clock.call_at(1.5, lambda: ran.append(("x", clock.now)))
    cancelled.cancel()
    clock.tick()
    assert ran == [("a", 1.0)]
    clock.tick()
    clock.tick()
    assert ran == [("a", 1.0), ("b", 2.5), ("c", 2.5)]
    assert clock.now == 3.0


def test_an_idle_tick_runs_nothing() -> None:
    clock = Clock()
    clock.call_at(100, lambda: None)
    assert clock.tick() == 0


def test_start_time_moves_timestamps() -> None:
    from datetime import UTC, datetime

    clock = Clock(start=datetime(2030, 6, 1, 12, tzinfo=UTC))
    clock.run_until(61.7)
    assert clock.timestamp() == "2030-06-01T12:01:01Z"


def test_a_timer_added_for_the_running_instant_runs_after_every_timer_due_then() -> None:
    clock = Clock()
    ran: list[str] = []
    clock.call_at(5, lambda: (ran.append("a"), clock.call_later(0, lambda: ran.append("a+0"))))
    clock.call_at(5, lambda: ran.append("b"))
    clock.call_at(3, lambda: clock.call_at(5, lambda: ran.append("c (added at 3)")))
    clock.run_until(10)
    assert ran == ["a", "b", "c (added at 3)", "a+0"]
    assert clock.due_timers() == []


def test_a_timer_that_raises_leaves_the_later_ones_due_in_order() -> None:
    clock = Clock()
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("boom")

    clock.call_at(2, lambda: ran.append("first"))
    clock.call_at(2, boom)
    clock.call_at(2, lambda: ran.append("third"))
    clock.call_at(4, lambda: ran.append("later"))
    with pytest.raises(RuntimeError):
        clock.run_until(5)
    assert ran == ["first"]
    assert [at for at, _ in clock.due_timers()] == [2, 4]
    clock.run_until(5)
    assert ran == ["first", "third", "later"]


def test_a_rearmed_timer_runs_again_and_can_be_cancelled() -> None:
    clock = Clock()
    ran: list[float] = []
    timer = clock.call_at(1, lambda: ran.append(clock.now))
    clock.run_until(1)
    assert clock.rearm(timer, 4) is timer
    clock.run_until(5)
    clock.rearm(timer, 7).cancel()
    clock.run_until(10)
    assert ran == [1, 4]
    assert clock.next_due() is None and clock.pending() == 0
