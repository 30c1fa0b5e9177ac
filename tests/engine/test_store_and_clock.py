"""The change feed and the timer queue."""

from __future__ import annotations

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
