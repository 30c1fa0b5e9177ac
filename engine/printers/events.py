"""The Event table of `kubectl get events` (printEvent), and `kubectl events`' LAST SEEN."""

from __future__ import annotations

from datetime import datetime

from engine.printers.duration import since
from engine.printers.registry import Column


def _series(event: dict) -> dict | None:
    return event.get("series") or None


def event_first_seen(event: dict, now: datetime) -> str:
    """FIRST SEEN: age of firstTimestamp, else of eventTime (events.k8s.io), `<unknown>`."""
    if event.get("firstTimestamp"):
        return since(event["firstTimestamp"], now)
    return since(event.get("eventTime"), now)


def event_last_seen(event: dict, now: datetime) -> str:
    """LAST SEEN: age of series.lastObservedTime, else lastTimestamp, else FIRST SEEN."""
    series = _series(event)
    if series is not None:
        return since(series.get("lastObservedTime"), now)
    if event.get("lastTimestamp"):
        return since(event["lastTimestamp"], now)
    return event_first_seen(event, now)


def event_count(event: dict) -> int:
    """COUNT: series.count, else count; a singleton event of the new API counts 1."""
    series = _series(event)
    if series is not None:
        return series.get("count", 0)
    return event.get("count") or 1


def event_object(event: dict) -> str:
    """OBJECT: `pod/web-0` (lower-cased kind), or the kind alone when the name is empty."""
    involved = event.get("involvedObject") or {}
    kind = involved.get("kind", "").lower()
    name = involved.get("name", "")
    return f"{kind}/{name}" if name else kind


def event_source(event: dict) -> str:
    """SOURCE: `component, host`, falling back to reportingController / reportingInstance."""
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    return f"{component}, {instance}" if instance else component


def event_interval(event: dict, now: datetime) -> str:
    """LAST SEEN of `kubectl events` (not `get events`): `30s (x4 over 2m)` when repeated."""
    if event.get("eventTime"):
        first = since(event["eventTime"], now)
    else:
        first = since(event.get("firstTimestamp"), now)
    series = _series(event)
    if series is not None:
        last = since(series.get("lastObservedTime"), now)
        return f"{last} (x{series.get('count', 0)} over {first})"
    if (event.get("count") or 0) > 1:
        return f"{since(event.get('lastTimestamp'), now)} (x{event['count']} over {first})"
    return first


class EventPrinter:
    """kubectl get events: LAST SEEN TYPE REASON OBJECT MESSAGE, plus five wide columns."""

    columns = [
        Column("LAST SEEN"),
        Column("TYPE"),
        Column("REASON"),
        Column("OBJECT"),
        Column("SUBOBJECT", priority=1),
        Column("SOURCE", priority=1),
        Column("MESSAGE"),
        Column("FIRST SEEN", priority=1),
        Column("COUNT", priority=1),
        Column("NAME", priority=1, format="name"),
    ]

    def row(self, obj: dict, now: datetime) -> list[str]:
        return [
            event_last_seen(obj, now),
            obj.get("type", ""),
            obj.get("reason", ""),
            event_object(obj),
            (obj.get("involvedObject") or {}).get("fieldPath", ""),
            event_source(obj),
            obj.get("message", "").strip(),
            event_first_seen(obj, now),
            str(event_count(obj)),
            (obj.get("metadata") or {}).get("name", ""),
        ]
