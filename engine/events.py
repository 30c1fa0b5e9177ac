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
        self._aggregate: dict[tuple, tuple[float, set[str]]] = {}
        # [first seen, keys] in the order the aggregate records started: a record older than
        # the interval acts as absent, so it is dropped (exact, and no leak as pods come and go).
        # The keys of one instant share one entry (a ramp records thousands per instant).
        self._aggregate_order: deque[tuple[float, list[tuple]]] = deque()
        # [expiry time, event keys] in expiry order, one entry per instant as above.
        self._expiry: deque[tuple[float, list[tuple[str, str]]]] = deque()
        self._expires_at: dict[tuple[str, str], float] = {}
        self._sweeper: Timer | None = None
        self._sources: dict[Source, dict] = {}
        self._name_seq: dict[str, int] = {}
        """Names handed out in the current instant (`_name_seq_nanos`), with how many times."""
        self._name_seq_nanos: int | None = None
        self._dedup_key: dict[tuple[str, str], tuple] = {}
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
        found = self._aggregate.get(aggregate_key)
        first_seen, messages = found if found is not None else (now, message)
        if now - first_seen > AGGREGATE_INTERVAL:
            first_seen, messages = now, message
        if found is None or first_seen != found[0]:
            order = self._aggregate_order
            if order and order[-1][0] == first_seen:
                order[-1][1].append(aggregate_key)
            else:
                order.append((first_seen, [aggregate_key]))
        # Most objects see one message per reason: keep the string, not a set, until a second.
        if isinstance(messages, str):
            if messages != message:
                messages = {messages, message}
        else:
            messages.add(message)
        self._aggregate[aggregate_key] = (first_seen, messages)
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
            self._schedule_expiry(_event_key(existing))
            return existing
        event = self._new_event(ref, type_, reason, message, source, action, related)
        self.store.add(event)
        self._by_key[key] = event
        event_key = _event_key(event)
        self._dedup_key[event_key] = key
        self._schedule_expiry(event_key)
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
            first_seen, keys = order.popleft()
            for key in keys:
                found = self._aggregate.get(key)
                if found is not None and found[0] == first_seen:
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
        event: dict = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "type": type_,
        }
        if source.new_api:
            event.update(
                {
                    "eventTime": self._now_micro_time(),
                    "firstTimestamp": None,
                    "lastTimestamp": None,
                    "count": 1,
                    "action": action or reason,
                    "reportingComponent": source.component,
                    "reportingInstance": source.host or source.component,
                    "source": _NO_SOURCE,
                }
            )
        else:
            event.update(
                {
                    "eventTime": None,
                    "firstTimestamp": self.clock.timestamp(),
                    "lastTimestamp": self.clock.timestamp(),
                    "count": 1,
                    "reportingComponent": source.component,
                    "reportingInstance": source.host,
                    "source": self._source_dict(source),
                }
            )
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

    def _schedule_expiry(self, key: tuple[str, str]) -> None:
        """The API server's event TTL: an hour after the event's last update, it is gone."""
        now = self.clock.now
        if self._expires[0] != now:
            self._expires = (now, now + EVENT_TTL)
        expires = self._expires[1]
        self._expires_at[key] = expires
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
                expires = self._expires_at.get(key)
                if expires is None or expires > now:
                    continue
                del self._expires_at[key]
                event = self.store.get("Event", *key)
                dedup = self._dedup_key.pop(key, None)
                if dedup is not None and self._by_key.get(dedup) is event:
                    del self._by_key[dedup]
                if event is not None:
                    self.store.remove("Event", *key)
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
    meta = obj["metadata"]
    ref: dict = {
        "apiVersion": obj.get("apiVersion", "v1"),
        "kind": obj["kind"],
        "name": meta["name"],
    }
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    if meta.get("uid"):
        ref["uid"] = meta["uid"]
    if meta.get("resourceVersion"):
        ref["resourceVersion"] = meta["resourceVersion"]
    if field_path:
        ref["fieldPath"] = field_path
    return ref
