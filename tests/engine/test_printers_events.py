"""kubectl get events (printEvent) and the LAST SEEN of kubectl events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.printers import event_interval, print_row, printer_for

NOW = datetime(2025, 1, 10, 0, 0, tzinfo=UTC)


def days_ago(days: float) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_days_ago(days: float) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event(name: str = "event1", **fields: object) -> dict:
    base: dict = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": "default"},
        "involvedObject": {
            "kind": "Deployment",
            "name": "Deployment Name",
            "fieldPath": "spec.containers{foo}",
        },
        "reason": "Event Reason",
        "message": "Message Data",
        "type": "Warning",
        "source": {"component": "kubelet", "host": "Node1"},
    }
    base.update(fields)
    return base


def test_event_columns_and_their_wide_order() -> None:
    printer = printer_for("Event")
    assert printer is not None
    assert [(c.name, c.priority) for c in printer.columns] == [
        ("LAST SEEN", 0),
        ("TYPE", 0),
        ("REASON", 0),
        ("OBJECT", 0),
        ("SUBOBJECT", 1),
        ("SOURCE", 1),
        ("MESSAGE", 0),
        ("FIRST SEEN", 1),
        ("COUNT", 1),
        ("NAME", 1),
    ]


def test_basic_event_row() -> None:
    item = event(
        type="Normal",
        source={"component": "kubelet"},
        involvedObject={"kind": "Pod", "name": "Pod Name", "fieldPath": "spec.containers{foo}"},
        firstTimestamp=days_ago(3),
        lastTimestamp=days_ago(2),
        count=6,
    )
    # Repeated events keep the plain LAST SEEN age: `get events` has no "(x6 over 3d)".
    assert print_row(item, NOW) == ["2d", "Normal", "Event Reason", "pod/Pod Name", "Message Data"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"firstTimestamp": days_ago(3), "lastTimestamp": days_ago(2), "count": 6},
            ["2d", "kubelet, Node1", "3d", "6", "event1"],
            id="first-and-last-timestamp",
        ),
        pytest.param(
            {"eventTime": micro_days_ago(3), "lastTimestamp": days_ago(3), "count": 1},
            ["3d", "kubelet, Node1", "3d", "1", "event1"],
            id="no-first-timestamp-uses-event-time",
        ),
        pytest.param(
            {"eventTime": micro_days_ago(3), "firstTimestamp": days_ago(3), "count": 1},
            ["3d", "kubelet, Node1", "3d", "1", "event1"],
            id="no-last-timestamp-uses-first-seen",
        ),
        pytest.param(
            {"eventTime": micro_days_ago(3), "count": 1},
            ["3d", "kubelet, Node1", "3d", "1", "event1"],
            id="event-time-only",
        ),
        pytest.param(
            {
                "eventTime": micro_days_ago(3),
                "series": {"count": 2, "lastObservedTime": micro_days_ago(2)},
            },
            ["2d", "kubelet, Node1", "3d", "2", "event1"],
            id="series-gives-last-seen-and-count",
        ),
        pytest.param(
            {"eventTime": micro_days_ago(3)},
            ["3d", "kubelet, Node1", "3d", "1", "event1"],
            id="singleton-without-count-counts-one",
        ),
        pytest.param(
            {
                "source": {},
                "reportingComponent": "kubelet",
                "reportingInstance": "test",
                "firstTimestamp": days_ago(3),
                "lastTimestamp": days_ago(2),
                "count": 6,
            },
            ["2d", "kubelet, test", "3d", "6", "event1"],
            id="reporting-controller-when-no-source",
        ),
        pytest.param(
            {
                "source": {"component": "default-scheduler"},
                "firstTimestamp": days_ago(1),
                "lastTimestamp": days_ago(1),
                "count": 1,
            },
            ["24h", "default-scheduler", "24h", "1", "event1"],
            id="source-without-host",
        ),
        pytest.param(
            {}, ["<unknown>", "kubelet, Node1", "<unknown>", "1", "event1"], id="no-times"
        ),
    ],
)
def test_wide_event_cells(fields: dict, expected: list[str]) -> None:
    row = print_row(event(**fields), NOW, wide=True)
    assert [row[0], row[5], row[7], row[8], row[9]] == expected
    assert row[1:5] == [
        "Warning",
        "Event Reason",
        "deployment/Deployment Name",
        "spec.containers{foo}",
    ]
    assert row[6] == "Message Data"


@pytest.mark.parametrize(
    ("involved", "expected"),
    [
        ({"kind": "Pod", "name": "web-0"}, "pod/web-0"),
        ({"kind": "ReplicaSet", "name": "web-5d8f"}, "replicaset/web-5d8f"),
        ({"kind": "Node", "name": "node-1"}, "node/node-1"),
        ({"kind": "Node"}, "node"),
    ],
)
def test_event_object_is_lowercased_kind_slash_name(involved: dict, expected: str) -> None:
    assert print_row(event(involvedObject=involved), NOW)[3] == expected


def test_event_message_is_trimmed() -> None:
    assert print_row(event(message="  Started container app\n"), NOW)[4] == "Started container app"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"firstTimestamp": days_ago(3), "lastTimestamp": days_ago(2), "count": 6},
            "2d (x6 over 3d)",
        ),
        ({"firstTimestamp": days_ago(1), "lastTimestamp": days_ago(1), "count": 1}, "24h"),
        (
            {
                "eventTime": micro_days_ago(3),
                "series": {"count": 4, "lastObservedTime": micro_days_ago(2)},
            },
            "2d (x4 over 3d)",
        ),
        ({}, "<unknown>"),
    ],
)
def test_kubectl_events_interval_shows_repeats(fields: dict, expected: str) -> None:
    assert event_interval(event(**fields), NOW) == expected
