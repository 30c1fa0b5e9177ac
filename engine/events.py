"""Events: `v1` Event objects, deduplicated and aggregated like client-go's EventCorrelator.

- Identical events (same source, object, type, reason and message) become one Event whose
  `count` goes up and whose `lastTimestamp` moves (`eventObserve`).
- When one object gets more than 10 events of the same reason with different messages within
  10 minutes, the newest are combined: `(combined from similar events): <message>`
  (`EventAggregatorByReasonFunc`, maxEvents 10, interval 600 s).
- The API server deletes events an hour after their last update (`--event-ttl=1h`).
Components that use the newer events.k8s.io recorder (the scheduler) write `eventTime`,
`action` and `reportingController` instead of `source` and the first/last timestamps.
"""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass

from engine.clock import Clock, Timer
from engine.store import Store
from engine.timeutil import format_micro_time

EVENT_TTL = 3600.0
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL = 600.0
COMBINED_PREFIX = "(combined from similar events): "


@dataclass(frozen=True, slots=True)
class Source:
    """Who reports an event: `kubelet` on `node-1`, `default-scheduler`, `replicaset-controller`."""

    component: str
    host: str = ""
    new_api: bool = False
    """The events.k8s.io/v1 recorder (eventTime/action/reportingController), as the scheduler uses."""


class EventRecorder:
    """Records events into the store with the API server's correlation rules."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._by_key: dict[tuple, dict] = {}
        """The event of each dedup key (aggregate key, message, fieldPath) until it expires."""
        self._aggregate: dict[tuple, str | set[str]] = {}
        """The messages seen for each aggregate key within its interval: one string until a
        second one comes (most objects see one message per reason)."""
        # [first seen, keys] in the order the aggregate records started. A record older than
        # the interval acts as absent, so it is dropped before anything is recorded: a record
        # found is always within its interval, and each key is queued once while it lives
        # (exact, and no leak as pods come and go). The keys of one instant share one entry
        # (a ramp records thousands per instant).
        self._aggregate_order: deque[tuple[float, list[tuple]]] = deque()
        # [expiry time, dedup keys] in expiry order, one entry per instant as above. A key is
        # queued again each time its event is updated; `_requeued` holds the newest expiry of
        # those queued more than once (an event updated after it was written: few), so an
        # event written once costs its key's place in one list and nothing else.
        self._expiry: deque[tuple[float, list[tuple]]] = deque()
        self._requeued: dict[tuple, float] = {}
        self._sweeper: Timer | None = None
        self._sources: dict[Source, dict] = {}
        self._name_seq: dict[str, int] = {}
        """Names handed out in the current instant (`_name_seq_nanos`), with how many times."""
        self._name_seq_nanos: int | None = None
        self._nanos: tuple[float, int] | None = None
        self._micro_time: tuple[float, str] | None = None
        self._expires: tuple[float, float] = (-1.0, 0.0)
        # The last involvedObject written: the next event about the same object at the same
        # resourceVersion (a container's Pulled, Created, Started) shares it (read-only).
        self._last_ref: tuple[tuple, dict] | None = None
        self.enabled = True

    def event(
        self,
        involved: dict,
        type_: str,
        reason: str,
        message: str,
        source: Source,
        *,
        field_path: str | None = None,
        action: str | None = None,
        related: dict | None = None,
    ) -> dict | None:
        """Record one occurrence; returns the Event object (new or updated)."""
        if not self.enabled:
            return None
        ref = self._reference(involved, field_path)
        now = self.clock.now
        ref_key = (ref["kind"], ref.get("namespace", ""), ref["name"], ref.get("uid", ""))
        aggregate_key = (source.component, source.host, *ref_key, type_, reason)
        self._forget_old_aggregates(now)
        # Many pods get the same message ("Started container app"): keep one copy of it.
        message = sys.intern(message)
        messages = self._aggregate.get(aggregate_key)
        if messages is None:
            # A new record (an older one was forgotten above, as its interval had passed).
            messages = self._aggregate[aggregate_key] = message
            order = self._aggregate_order
            if order and order[-1][0] == now:
                order[-1][1].append(aggregate_key)
            else:
                order.append((now, [aggregate_key]))
        elif isinstance(messages, str):
            if messages != message:
                messages = self._aggregate[aggregate_key] = {messages, message}
        else:
            messages.add(message)
        if not isinstance(messages, str) and len(messages) >= AGGREGATE_MAX_EVENTS:
            message = COMBINED_PREFIX + message
            key = (aggregate_key, COMBINED_PREFIX, field_path)
        else:
            key = (aggregate_key, message, field_path)
        existing = self._by_key.get(key)
        if existing is not None and self.store.get("Event", *_event_key(existing)) is existing:
            existing["count"] = existing.get("count", 1) + 1
            existing["message"] = message
            if source.new_api:
                series = existing.setdefault("series", {"count": 1})
                series["count"] = series.get("count", 1) + 1
                series["lastObservedTime"] = self._now_micro_time()
            else:
                existing["lastTimestamp"] = self.clock.timestamp()
            self.store.modified(existing)
            self._schedule_expiry(key, queued=True)
            return existing
        event = self._new_event(ref, type_, reason, message, source, action, related)
        self.store.add(event)
        self._by_key[key] = event
        # A key whose event was deleted by someone else is still queued for that event.
        self._schedule_expiry(key, queued=existing is not None)
        return event

    def _reference(self, involved: dict, field_path: str | None) -> dict:
        """object_reference, shared with the previous event when it is about the same
        object at the same resourceVersion and field (events are read-only once written)."""
        meta = involved["metadata"]
        version = meta.get("resourceVersion")
        uid = meta.get("uid")
        if not (version and uid):
            return object_reference(involved, field_path)
        wanted = (uid, version, field_path)
        last = self._last_ref
        if last is not None and last[0] == wanted:
            return last[1]
        ref = object_reference(involved, field_path)
        self._last_ref = (wanted, ref)
        return ref

    def _forget_old_aggregates(self, now: float) -> None:
        order = self._aggregate_order
        while order and now - order[0][0] > AGGREGATE_INTERVAL:
            for key in order.popleft()[1]:
                del self._aggregate[key]

    def _new_event(
        self,
        ref: dict,
        type_: str,
        reason: str,
        message: str,
        source: Source,
        action: str | None,
        related: dict | None,
    ) -> dict:
        namespace = ref.get("namespace") or "default"
        name = self._event_name(ref["name"], self._now_nanos())
        metadata = _EventMeta(name, namespace).__dict__
        if source.new_api:
            event = _NewApiEvent(
                metadata,
                ref,
                reason,
                message,
                type_,
                self._now_micro_time(),
                action or reason,
                source.component,
                source.host or source.component,
            ).__dict__
        else:
            stamp = self.clock.timestamp()
            event = _V1Event(
                metadata,
                ref,
                reason,
                message,
                type_,
                stamp,
                source.component,
                source.host,
                self._source_dict(source),
            ).__dict__
        if related is not None:
            event["related"] = object_reference(related, None)
        return event

    def _source_dict(self, source: Source) -> dict:
        """One shared `source` dict per reporter (events are read-only once written)."""
        found = self._sources.get(source)
        if found is None:
            found = {"component": source.component}
            if source.host:
                found["host"] = source.host
            self._sources[source] = found
        return found

    def _now_nanos(self) -> int:
        """The current moment in unix nanoseconds (kept while the clock stands still: the
        events of one instant come in bursts)."""
        now = self.clock.now
        cached = self._nanos
        if cached is None or cached[0] != now:
            moment = self.clock.now_datetime()
            cached = self._nanos = (now, round(moment.timestamp() * 1_000_000) * 1000)
        return cached[1]

    def _now_micro_time(self) -> str:
        """The current moment as an eventTime (kept while the clock stands still)."""
        now = self.clock.now
        cached = self._micro_time
        if cached is None or cached[0] != now:
            cached = self._micro_time = (now, format_micro_time(self.clock.now_datetime()))
        return cached[1]

    def _event_name(self, object_name: str, nanos: int) -> str:
        """`<object>.<hex unix nanoseconds>`, as client-go names events."""
        # A base name carries its instant, so only names of the current instant can repeat:
        # the table starts over when the clock moves (exact, unlike a size bound, which
        # once handed a second event of one instant the first one's name).
        if nanos != self._name_seq_nanos:
            self._name_seq.clear()
            self._name_seq_nanos = nanos
        base = f"{object_name}.{nanos:x}"
        seq = self._name_seq.get(base, 0)
        self._name_seq[base] = seq + 1
        # Two events for one object in the same nanosecond cannot happen on a real clock;
        # here they can, so later ones step the timestamp on.
        return base if seq == 0 else f"{object_name}.{nanos + seq:x}"

    def _schedule_expiry(self, key: tuple, *, queued: bool) -> None:
        """The API server's event TTL: an hour after the event's last update, it is gone.
        `queued`: the key is already waiting in the queue (for an earlier expiry)."""
        now = self.clock.now
        if self._expires[0] != now:
            self._expires = (now, now + EVENT_TTL)
        expires = self._expires[1]
        if queued:
            self._requeued[key] = expires
        expiry = self._expiry
        if expiry and expiry[-1][0] == expires:
            expiry[-1][1].append(key)
        else:
            expiry.append((expires, [key]))
        if self._sweeper is None:
            self._sweeper = self.clock.call_at(expires, self._sweep)

    def _sweep(self) -> None:
        self._sweeper = None
        now = self.clock.now
        while self._expiry and self._expiry[0][0] <= now:
            _, keys = self._expiry.popleft()
            for key in keys:
                later = self._requeued.get(key)
                if later is not None:
                    if later > now:
                        continue  # updated since: it expires at its later place in the queue
                    del self._requeued[key]
                event = self._by_key.pop(key, None)
                if event is None:
                    continue  # queued twice in one instant: gone at its first place
                event_key = _event_key(event)
                if self.store.get("Event", *event_key) is event:
                    self.store.remove("Event", *event_key)
        if self._expiry:
            self._sweeper = self.clock.call_at(self._expiry[0][0], self._sweep)

    def events_for(self, obj: dict) -> list[dict]:
        """The events whose involvedObject is this object, oldest first."""
        meta = obj["metadata"]
        uid = meta.get("uid")
        namespace = meta.get("namespace") or "default"
        found = [
            e
            for e in self.store.list("Event", namespace)
            if e["involvedObject"].get("uid") == uid
            or (
                e["involvedObject"].get("name") == meta["name"]
                and e["involvedObject"].get("kind") == obj.get("kind")
                and not e["involvedObject"].get("uid")
            )
        ]
        return sorted(found, key=event_sort_key)


_NO_SOURCE: dict = {}
"""The empty `source` of events.k8s.io events, one shared dict (events are read-only)."""


def event_sort_key(event: dict) -> tuple[str, str]:
    first = event.get("firstTimestamp") or event.get("eventTime") or ""
    return (first[:19], event["metadata"]["name"])


def _event_key(event: dict) -> tuple[str, str]:
    return (event["metadata"]["namespace"], event["metadata"]["name"])


def object_reference(obj: dict, field_path: str | None) -> dict:
    """A v1 ObjectReference to `obj`, as `involvedObject` holds it."""
    return _Reference(obj, field_path).__dict__


# An Event is a dict like any other object, but a large cluster holds five per pod, so they
# are built as the __dict__ of an instance of one of the classes below: CPython keeps the
# attribute names of a class's instances in one table that they all share (PEP 412,
# key-sharing dictionaries), and such a dict holds its values alone. An Event's 14 fields
# take 216 bytes instead of 472, its metadata 128 instead of 192, an involvedObject 152
# instead of 280 (tracemalloc, Python 3.11). The dict handed out is an ordinary dict: the
# same keys in the same order, and any key can be set, added or removed; the keys are
# shared, the values are not, so a write to one event changes no other (a key added out of
# the classes' order just gives that one dict its own table). The instance itself is
# dropped at once: only its __dict__ is kept. A dict keeps to the shared table only while its
# keys come in the table's order (a key set before one that precedes it in the table gives
# that dict a table of its own, 464 bytes), so each class's table is laid out below, at
# import, in the order the fields are written, whichever kind of object is recorded first.


class _EventMeta:
    """An Event's metadata (the store adds uid, resourceVersion, creationTimestamp)."""

    def __init__(self, name: str, namespace: str) -> None:
        self.name = name
        self.namespace = namespace


class _V1Event:
    """A core/v1 Event as client-go's v1 recorder writes it (the kubelet, controllers)."""

    def __init__(
        self,
        metadata: dict,
        ref: dict,
        reason: str,
        message: str,
        type_: str,
        stamp: str,
        component: str,
        host: str,
        source: dict,
    ) -> None:
        self.apiVersion = "v1"
        self.kind = "Event"
        self.metadata = metadata
        self.involvedObject = ref
        self.reason = reason
        self.message = message
        self.type = type_
        self.eventTime = None
        self.firstTimestamp = stamp
        self.lastTimestamp = stamp
        self.count = 1
        self.reportingComponent = component
        self.reportingInstance = host
        self.source = source


class _NewApiEvent:
    """An events.k8s.io/v1 event as core/v1 shows it (the scheduler)."""

    def __init__(
        self,
        metadata: dict,
        ref: dict,
        reason: str,
        message: str,
        type_: str,
        event_time: str,
        action: str,
        component: str,
        instance: str,
    ) -> None:
        self.apiVersion = "v1"
        self.kind = "Event"
        self.metadata = metadata
        self.involvedObject = ref
        self.reason = reason
        self.message = message
        self.type = type_
        self.eventTime = event_time
        self.firstTimestamp = None
        self.lastTimestamp = None
        self.count = 1
        self.action = action
        self.reportingComponent = component
        self.reportingInstance = instance
        self.source = _NO_SOURCE


class _Reference:
    """A v1 ObjectReference; the fields an object lacks are left out, as omitempty does."""

    def __init__(self, obj: dict, field_path: str | None) -> None:
        meta = obj["metadata"]
        self.apiVersion = obj.get("apiVersion", "v1")
        self.kind = obj["kind"]
        self.name = meta["name"]
        if meta.get("namespace"):
            self.namespace = meta["namespace"]
        if meta.get("uid"):
            self.uid = meta["uid"]
        if meta.get("resourceVersion"):
            self.resourceVersion = meta["resourceVersion"]
        if field_path:
            self.fieldPath = field_path


def _lay_out(cls: type, *names: str) -> None:
    """Give `cls`'s shared key table these keys, in this order (see above)."""
    instance = object.__new__(cls)
    for name in names:
        setattr(instance, name, None)


# The store writes uid, resourceVersion and creationTimestamp, in this order, on create.
_lay_out(_EventMeta, "name", "namespace", "uid", "resourceVersion", "creationTimestamp")
# A Node has no namespace; only the kubelet's events name a container (fieldPath).
_lay_out(
    _Reference, "apiVersion", "kind", "name", "namespace", "uid", "resourceVersion", "fieldPath"
)
