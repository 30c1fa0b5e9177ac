"""Events as the API server's event correlator keeps them."""

from __future__ import annotations

from engine.clock import Clock
from engine.events import COMBINED_PREFIX, EventRecorder, Source
from engine.store import Store

KUBELET = Source("kubelet", "node-1")
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "uid": "u-1"},
}


def recorder() -> tuple[Clock, Store, EventRecorder]:
    clock = Clock()
    store = Store(clock)
    return clock, store, EventRecorder(store, clock)


def test_identical_events_are_one_event_whose_count_goes_up() -> None:
    clock, store, events = recorder()
    events.event(POD, "Warning", "BackOff", "Back-off restarting failed container", KUBELET)
    clock.run_until(30)
    event = events.event(POD, "Warning", "BackOff", "Back-off restarting failed container", KUBELET)
    assert store.count("Event") == 1
    assert event is not None
    assert (event["count"], event["firstTimestamp"], event["lastTimestamp"]) == (
        2,
        "2025-01-01T00:00:00Z",
        "2025-01-01T00:00:30Z",
    )


def test_a_v1_event_has_the_kubelets_source_and_the_involved_object() -> None:
    _, _, events = recorder()
    event = events.event(
        POD,
        "Normal",
        "Pulling",
        'Pulling image "nginx"',
        KUBELET,
        field_path="spec.containers{nginx}",
    )
    assert event is not None
    assert event["source"] == {"component": "kubelet", "host": "node-1"}
    assert event["involvedObject"] == {
        "apiVersion": "v1",
        "fieldPath": "spec.containers{nginx}",
        "kind": "Pod",
        "name": "web",
        "namespace": "default",
        "uid": "u-1",
    }
    assert event["metadata"]["name"].startswith("web.")
    assert (event["reportingComponent"], event["reportingInstance"]) == ("kubelet", "node-1")


def test_ten_different_messages_for_one_reason_are_combined() -> None:
    _, store, events = recorder()
    for index in range(12):
        last = events.event(POD, "Warning", "Unhealthy", f"probe failed: attempt {index}", KUBELET)
    assert last is not None
    assert last["message"] == COMBINED_PREFIX + "probe failed: attempt 11"
    assert last["count"] == 3
    assert store.count("Event") == 10


def test_events_expire_an_hour_after_their_last_update() -> None:
    clock, store, events = recorder()
    events.event(POD, "Normal", "Pulled", "pulled", KUBELET)
    clock.run_until(1800)
    events.event(POD, "Normal", "Pulled", "pulled", KUBELET)
    clock.run_until(3601)
    assert store.count("Event") == 1
    clock.run_until(5401)
    assert store.count("Event") == 0


def test_the_scheduler_uses_the_events_k8s_io_form() -> None:
    _, _, events = recorder()
    event = events.event(
        POD,
        "Normal",
        "Scheduled",
        "Successfully assigned default/web to node-1",
        Source("default-scheduler", "default-scheduler-cp", new_api=True),
        action="Binding",
    )
    assert event is not None
    assert event["firstTimestamp"] is None and event["eventTime"] == "2025-01-01T00:00:00.000000Z"
    assert (event["action"], event["reportingComponent"], event["source"]) == (
        "Binding",
        "default-scheduler",
        {},
    )


def test_two_events_of_one_instant_never_share_a_name_however_many_objects() -> None:
    # client-go names an event `<object>.<unix nanos in hex>` (tools/record/event.go,
    # makeEvent); the name must be unique in its namespace or the API server refuses the
    # create with AlreadyExists. A size-bounded name table once forgot the first event of an
    # instant past 100,000 names and handed the second one the same name.
    clock, store, events = recorder()
    names = []
    for instant in range(2):
        for index in range(3000):
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"pod-{index}", "namespace": "default", "uid": f"u-{index}"},
            }
            for reason in ("Scheduled", "Pulling"):
                event = events.event(pod, "Normal", reason, f"{reason} {instant}", KUBELET)
                assert event is not None
                names.append(event["metadata"]["name"])
        clock.run_until(clock.now + 1)
    assert len(set(names)) == len(names) == store.count("Event") == 12000
    # The second event of an instant steps the timestamp on by one nanosecond.
    first, second = int(names[0].split(".")[1], 16), int(names[1].split(".")[1], 16)
    assert second == first + 1
    # Only the current instant's names are remembered.
    assert len(events._name_seq) == 3000


def test_similar_events_are_combined_only_within_ten_minutes_and_then_forgotten() -> None:
    # EventAggregatorByReasonFunc keeps a record per object and reason for maxIntervalInSeconds
    # (600 s, client-go tools/record/events_cache.go); an older record counts for nothing,
    # so it is dropped rather than kept for every pod that ever lived.
    clock, _, events = recorder()
    for index in range(9):
        events.event(POD, "Warning", "Unhealthy", f"probe failed: attempt {index}", KUBELET)
    clock.run_until(601)
    other = dict(POD, metadata={"name": "db", "namespace": "default", "uid": "u-2"})
    events.event(other, "Warning", "Unhealthy", "probe failed", KUBELET)
    assert [key[4] for key in events._aggregate] == ["db"]
    last = events.event(POD, "Warning", "Unhealthy", "probe failed: attempt 9", KUBELET)
    assert last is not None
    assert last["message"] == "probe failed: attempt 9"  # not combined: a new interval
