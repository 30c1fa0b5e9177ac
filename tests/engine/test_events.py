"""Events as the API server's event correlator keeps them."""

from __future__ import annotations

import copy
import gc
import tracemalloc

from engine.clock import Clock
from engine.describe import describe
from engine.events import COMBINED_PREFIX, EventRecorder, Source
from engine.store import Change, Store
from tests.engine.simulation import cluster_with

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


def test_events_keep_the_field_order_of_kubernetes_recorders() -> None:
    # The order `kubectl get events -o json` shows (fields of k8s.io/api/core/v1 Event as
    # client-go's recorder fills them; the scheduler's events.k8s.io form adds `action`).
    _, _, events = recorder()
    v1 = events.event(POD, "Normal", "Pulled", "pulled", KUBELET, field_path="spec.containers{a}")
    new = events.event(
        POD, "Normal", "Scheduled", "assigned", Source("default-scheduler", new_api=True)
    )
    assert v1 is not None and new is not None
    head = ["apiVersion", "kind", "metadata", "involvedObject", "reason", "message", "type"]
    tail = ["reportingComponent", "reportingInstance", "source"]
    stamps = ["eventTime", "firstTimestamp", "lastTimestamp", "count"]
    assert list(v1) == [*head, *stamps, *tail]
    assert list(new) == [*head, *stamps, "action", *tail]
    assert list(v1["metadata"]) == [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ]
    assert list(v1["involvedObject"]) == [
        "apiVersion",
        "kind",
        "name",
        "namespace",
        "uid",
        "fieldPath",
    ]
    assert all(type(part) is dict for part in (v1, new, v1["metadata"], v1["involvedObject"]))


def test_a_write_to_one_event_changes_no_other() -> None:
    # Events are built as dicts whose keys are shared between events (engine/events.py):
    # the values must stay each event's own.
    clock, _, events = recorder()
    first = events.event(POD, "Normal", "Pulled", "one", KUBELET, field_path="spec.containers{a}")
    clock.run_until(1)
    second = events.event(POD, "Normal", "Pulled", "two", KUBELET, field_path="spec.containers{a}")
    assert first is not None and second is not None
    before = (dict(second), dict(second["metadata"]), dict(second["involvedObject"]))
    first["message"] = "changed"
    first["related"] = {"kind": "Node", "name": "node-1"}
    del first["reason"]
    first["metadata"]["labels"] = {"a": "b"}
    first["metadata"]["name"] = "renamed"
    first["involvedObject"]["fieldPath"] = "spec.containers{b}"
    assert (dict(second), dict(second["metadata"]), dict(second["involvedObject"])) == before
    assert (first["message"], "reason" in first, first["metadata"]["labels"]) == (
        "changed",
        False,
        {"a": "b"},
    )


def test_an_event_deleted_by_a_client_is_recorded_anew_with_its_own_ttl() -> None:
    # The API server's TTL (--event-ttl, an etcd lease per write) belongs to each object: an
    # event recreated after a client deleted the first expires an hour after its own write.
    clock, store, events = recorder()
    first = events.event(POD, "Warning", "BackOff", "Back-off", KUBELET)
    assert first is not None
    clock.run_until(600)
    store.remove("Event", *(first["metadata"][k] for k in ("namespace", "name")))
    second = events.event(POD, "Warning", "BackOff", "Back-off", KUBELET)
    assert second is not None and second is not first and second["count"] == 1
    clock.run_until(3601)  # the first one's hour has passed, not the second's
    assert store.list("Event") == [second]
    clock.run_until(4201)
    assert store.count("Event") == 0


def test_an_event_updated_in_the_instant_it_was_written_expires_once() -> None:
    clock, store, events = recorder()
    events.event(POD, "Warning", "BackOff", "Back-off", KUBELET)
    events.event(POD, "Warning", "BackOff", "Back-off", KUBELET)
    clock.run_until(3600)
    assert store.count("Event") == 0
    again = events.event(POD, "Warning", "BackOff", "Back-off", KUBELET)
    assert again is not None and again["count"] == 1  # a new event, not the expired one
    assert store.count("Event") == 1


def test_an_events_memory_stays_within_its_budget() -> None:
    # A cluster holds five events per pod for an hour: 150,000 pods make 750,000 events,
    # so an event (with the correlator's bookkeeping and the store's entry) must stay small.
    # About 1,500 bytes each before the events' dicts shared their keys and the correlator
    # kept one entry per event; about 960 now.
    _, store, events = recorder()
    pods = [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"pod-{i:05d}",
                "namespace": "default",
                "uid": f"{i:08d}-0000-4000-8000-000000000000",
                "resourceVersion": str(i + 1),
            },
        }
        for i in range(2000)
    ]
    events.event(pods[0], "Normal", "Pulled", "warm up", KUBELET)
    gc.collect()
    tracemalloc.start()
    try:
        for pod in pods:
            for reason in ("Pulling", "Pulled", "Created", "Started"):
                message = f"{reason} container app"
                events.event(
                    pod, "Normal", reason, message, KUBELET, field_path="spec.containers{app}"
                )
        gc.collect()
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.count("Event") == 8001
    assert size / 8000 < 1100


SHARING = """
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ['sh', '-c', 'sleep 3; exit 1']
---
apiVersion: v1
kind: Pod
metadata: {name: not-ready}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx:1.27}]
"""


def test_no_component_writes_to_the_parts_events_share() -> None:
    # Events about one object at one resourceVersion share their involvedObject, and the
    # events of one reporter their source (engine/events.py): a write through one event
    # would change every other. Every shared part must read as it did when it was written.
    cluster = cluster_with(SHARING)
    written: dict[int, tuple[dict, dict]] = {}

    def keep(change: Change) -> None:
        for field in ("involvedObject", "source"):
            part = change.obj[field]
            written.setdefault(id(part), (part, copy.deepcopy(part)))

    cluster.store.watch(keep, {"Event"})
    cluster.run_until(300)
    web = next(p for p in cluster.store.list("Pod") if p["metadata"]["name"].startswith("web-"))
    cluster.api.delete("Pod", "default", web["metadata"]["name"])
    for pod in cluster.store.list("Pod"):
        describe(cluster, pod)
    cluster.run_until(900)
    assert len(written) > 20
    assert [part for part, before in written.values() if part != before] == []
