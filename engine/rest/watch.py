"""Watches: the change feed as the API server's watch stream.

The engine changes stored objects in place, so each change is serialized when it happens
(once, whoever watches) and kept in a per-kind history, like the API server's watch cache:
a watch from resourceVersion N replays the history after N, then follows live; a version
older than the history kept is `410 Expired` (k8s.io/apiserver/pkg/storage/cacher/
watch_cache.go `getAllEventsSinceLocked`). A stream is a queue of newline-terminated JSON
events that the HTTP adapter writes as chunks; the facade itself opens no socket.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime

from engine.rest import tables
from engine.store import Change, Store

HISTORY_PER_KIND = 10_000
"""Events kept per kind for watches that resume from a resourceVersion."""

MAX_QUEUED_BYTES = 512 * 1024 * 1024
"""A watcher this far behind is closed, as kube-apiserver's cacher closes a watcher that does
not keep up (cacher.go "Forcing ... watcher close due to unresponsiveness"): its client
watches again from the last resourceVersion it saw, and the server's memory stays bounded."""


def dumps(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"))


class Entry:
    """One change as it was when it happened: the object's JSON, and the watch line built
    from it once for every watcher that sends it as is."""

    __slots__ = ("_line", "data", "rv", "type")

    def __init__(self, rv: int, type: str, data: str) -> None:
        self.rv = rv
        self.type = type
        self.data = data
        self._line: bytes | None = None

    def line(self, event_type: str | None = None) -> bytes:
        if event_type is not None and event_type != self.type:
            return _line(event_type, self.data)
        if self._line is None:
            self._line = _line(self.type, self.data)
        return self._line


def _line(event_type: str, body: str) -> bytes:
    return ('{"type":"' + event_type + '","object":' + body + "}\n").encode()


class WatchStream:
    """One client's watch: filtered events, queued as lines until the adapter takes them."""

    def __init__(
        self,
        hub: WatchHub,
        kind: str,
        *,
        namespace: str | None,
        matches: Callable[[dict], bool] | None,
        api_version: str,
        as_table: bool,
        include: str,
        bookmarks: bool,
        clock: Callable[[], datetime],
    ) -> None:
        self.hub = hub
        self.kind = kind
        self.namespace = namespace
        self.matches = matches
        self.api_version = api_version
        self.as_table = as_table
        self.include = include
        self.bookmarks = bookmarks
        self.clock = clock
        self.lines: deque[bytes] = deque()
        self.queued_bytes = 0
        self.max_queued_bytes = MAX_QUEUED_BYTES
        self.closed = False
        self.last_rv = 0
        self.wakeup: Callable[[], None] | None = None
        """Called (from the thread that made the change) when lines are queued."""
        self._matching: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._signalled = False
        self.plain = matches is None and not as_table
        """Sends each change of its namespace as the shared line (the hub's fast path)."""

    # -- what the adapter calls -----------------------------------------------------------
    def take(self) -> list[bytes]:
        with self._lock:
            out = list(self.lines)
            self.lines.clear()
            self.queued_bytes = 0
            self._signalled = False
        return out

    def bookmark(self) -> None:
        """A BOOKMARK event with the newest resourceVersion (allowWatchBookmarks)."""
        if not self.bookmarks or self.closed:
            return
        rv = max(self.last_rv, self.hub.store.resource_version)
        self.last_rv = rv
        kind = "Table" if self.as_table else self.kind
        api_version = "meta.k8s.io/v1" if self.as_table else self.api_version
        obj = {"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": str(rv)}}
        self._queue(_line("BOOKMARK", dumps(obj)))

    def error(self, status: dict) -> None:
        self._queue(_line("ERROR", dumps(status)))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.hub.unsubscribe(self)
            # Wake the adapter so that it ends the response now: the API server ends its
            # open watches when it shuts down, rather than at the next bookmark.
            if self.wakeup is not None:
                self.wakeup()

    # -- what the hub calls ---------------------------------------------------------------
    def _queue(self, line: bytes) -> None:
        with self._lock:
            if self.queued_bytes + len(line) > self.max_queued_bytes:
                # Unresponsive: end the watch rather than hold more of it in memory.
                self.lines.clear()
                self.queued_bytes = 0
                self.closed = True
                self.hub.unsubscribe(self)
                signal = True
            else:
                self.lines.append(line)
                self.queued_bytes += len(line)
                # One wake-up until the adapter takes the lines: a burst of changes in one
                # tick is one write, not one per event.
                signal = not self._signalled
                self._signalled = True
        if signal and self.wakeup is not None:
            self.wakeup()

    def push(self, rv: int, line: bytes) -> None:
        """A change this plain stream sends as is: the shared line, no per-stream encoding."""
        with self._lock:
            if self.closed:
                return
            size = self.queued_bytes + len(line)
            if size <= self.max_queued_bytes:
                self.last_rv = rv
                self.lines.append(line)
                self.queued_bytes = size
                if self._signalled:
                    return
                self._signalled = True
        if size > self.max_queued_bytes:
            self._queue(line)  # over the bound: closes the stream as _queue does
        elif self.wakeup is not None:
            self.wakeup()

    def offer(self, entry: Entry, obj: dict | None) -> None:
        """A change of this stream's kind; `obj` is the live object (None: decode entry.data)."""
        if self.closed:
            return
        if obj is None:
            obj = json.loads(entry.data)
        meta = obj["metadata"]
        if self.namespace is not None and meta.get("namespace", "") != self.namespace:
            return
        event_type = entry.type
        if self.matches is not None:
            key = (meta.get("namespace", ""), meta["name"])
            now_matches = event_type != "DELETED" and self.matches(obj)
            was = key in self._matching
            if now_matches:
                self._matching.add(key)
                if not was:
                    event_type = "ADDED"
            else:
                self._matching.discard(key)
                if not was:
                    return
                # An object that stops matching leaves the watch as a DELETED (cacher's
                # filterWithAttrsFunction: old matched, new does not).
                event_type = "DELETED"
        self.last_rv = entry.rv
        if self.as_table:
            table = tables.table(
                self.kind,
                [obj],
                self.clock(),
                resource_version=str(entry.rv),
                include=self.include,
            )
            self._queue(_line(event_type, dumps(table)))
        elif self.api_version != obj.get("apiVersion"):
            self._queue(_line(event_type, dumps({**obj, "apiVersion": self.api_version})))
        else:
            self._queue(entry.line(event_type))

    def start(self, initial: list[dict], history: list[Entry]) -> None:
        """Synthetic ADDED events for `initial` (a watch without resourceVersion), then the
        history after the requested version."""
        for obj in initial:
            meta = obj["metadata"]
            if self.matches is not None:
                self._matching.add((meta.get("namespace", ""), meta["name"]))
            rv = int(meta.get("resourceVersion") or 0)
            self.offer(Entry(rv, "ADDED", dumps(obj)), obj)
        for entry in history:
            self.offer(entry, None)


class WatchHub:
    """Every change serialized once and kept per kind; live streams fed as changes happen.

    A kind's history starts when a client first lists or watches it (`activate`): a kind
    nobody asked for costs nothing per change, and a watch from a list's resourceVersion
    always finds the history it needs. Resuming from before the history began is 410, as
    from before the API server's watch cache window.
    """

    def __init__(self, store: Store, *, history: int = HISTORY_PER_KIND) -> None:
        self.store = store
        self.capacity = history
        self._active: dict[str, int] = {}
        self._history: dict[str, deque[Entry]] = {}
        self._evicted: dict[str, int] = {}
        self._streams: dict[str, list[WatchStream]] = {}
        self._unsubscribe = store.watch(self._on_change)

    def close(self) -> None:
        self._unsubscribe()
        for streams in list(self._streams.values()):
            for stream in list(streams):
                stream.close()

    def activate(self, kind: str) -> None:
        """Keep the history of `kind` from now on (a list or watch of it was asked for)."""
        if kind not in self._active:
            self._active[kind] = self.store.resource_version

    def _on_change(self, change: Change) -> None:
        if change.kind not in self._active:
            return
        obj = change.obj
        rv = int(obj["metadata"]["resourceVersion"])
        entry = Entry(rv, change.type, dumps(obj))
        history = self._history.get(change.kind)
        if history is None:
            history = self._history[change.kind] = deque()
        while history and len(history) >= self.capacity:
            self._evicted[change.kind] = history.popleft().rv
        history.append(entry)
        streams = self._streams.get(change.kind)
        if not streams:
            return
        # Most watchers take every change of the kind (or of one namespace) in its stored
        # apiVersion: they share one encoded line and cost one append each per change.
        namespace = obj["metadata"].get("namespace", "")
        api_version = obj.get("apiVersion")
        line: bytes | None = None
        for stream in tuple(streams):
            if (
                stream.plain
                and stream.api_version == api_version
                and (stream.namespace is None or stream.namespace == namespace)
            ):
                if line is None:
                    line = entry.line()
                stream.push(rv, line)
            else:
                stream.offer(entry, obj)

    def oldest_resumable(self, kind: str) -> int:
        """The oldest resourceVersion a watch of `kind` may resume from."""
        self.activate(kind)
        return max(self._active[kind], self._evicted.get(kind, 0))

    def since(self, kind: str, rv: int) -> list[Entry] | None:
        """The history of `kind` after `rv`; None if it no longer reaches back that far."""
        if rv < self.oldest_resumable(kind):
            return None
        return [e for e in self._history.get(kind, ()) if e.rv > rv]

    def subscribe(self, stream: WatchStream) -> None:
        self._streams.setdefault(stream.kind, []).append(stream)

    def unsubscribe(self, stream: WatchStream) -> None:
        streams = self._streams.get(stream.kind)
        if streams and stream in streams:
            streams.remove(stream)

    def watchers(self) -> int:
        return sum(len(s) for s in self._streams.values())
