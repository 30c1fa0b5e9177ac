"""Watches: the change feed as the API server's watch stream.

The engine changes stored objects in place, so each change is serialized when it happens
(once, whoever watches) and kept in a per-kind history, like the API server's watch cache:
a watch from resourceVersion N replays the history after N, then follows live; a version
older than the history kept is `410 Expired` (k8s.io/apiserver/pkg/storage/cacher/
watch_cache.go `getAllEventsSinceLocked`). A stream is a queue of newline-terminated JSON
events that the HTTP adapter writes as chunks; the facade itself opens no socket.

Most watchers take every change of a kind (in one namespace or all) as stored: they read
one shared feed of encoded lines (engine/rest/feed.py), each from its own cursor. A
watcher with a selector, a Table watcher and one whose first events are still being
encoded get each change offered on its own.
"""

from __future__ import annotations

import contextlib
import json
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine.rest import tables
from engine.rest.encoding import dumps
from engine.rest.feed import MAX_QUEUED_BYTES, Feed
from engine.rest.keys import Key, KeyIndex
from engine.store import Change, Store

HISTORY_PER_KIND = 10_000
"""Events kept per kind for watches that resume from a resourceVersion."""

INITIAL_CHUNK_BYTES = 1024 * 1024
"""The initial ADDED events of a watch without resourceVersion are encoded this much at a
time, as the adapter asks for them: 150,000 pods are 450 MB of JSON, which encoded at once
would stop the clock for seconds and hold it all in memory."""


def _line(event_type: str, body: bytes) -> bytes:
    return b'{"type":"' + event_type.encode() + b'","object":' + body + b"}\n"


class Entry:
    """One change as it was when it happened: its watch line, encoded once."""

    __slots__ = ("line", "rv", "type")

    def __init__(self, rv: int, type: str, data: bytes) -> None:
        self.rv = rv
        self.type = type
        self.line = _line(type, data)

    @property
    def data(self) -> bytes:
        """The object's JSON (the line without its event envelope)."""
        return self.line[len(self.type) + 20 : -2]

    def as_type(self, event_type: str) -> bytes:
        """The line with another event type (an object entering or leaving a selector)."""
        return self.line if event_type == self.type else _line(event_type, self.data)


class WatchStream:
    """One client's watch: its events, queued as lines until the adapter takes them."""

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
        """Lines of its own (history, initial events, changes offered to it, bookmarks),
        all older than any line of the feed it has not read."""
        self.queued_bytes = 0
        self._max_queued_bytes = MAX_QUEUED_BYTES
        self.closed = False
        self.last_rv = 0
        self.wakeup: Callable[[], None] | None = None
        """Called (from the thread that made the change) when there is something to take."""
        self.feed: Feed | None = None
        self.cursor = 0
        self._matching: set[Key] = set()
        self._lock = threading.Lock()
        self._signalled = False
        self._initial: list[Key] = []
        """The keys of the initial state, sorted; those from `_initial_at` on are not sent
        yet: a change of one is not sent on its own, the object is sent as it is when its
        turn comes. (Found by bisection: a set of them would cost a step of 150,000 hashes
        when the watch starts, while the clock waits.)"""
        self._initial_at = 0
        self._held: list[bytes] = []
        """Changes (and bookmarks) that came while the initial state was being sent: they
        follow all of it, as the API server sends a watcher its initial events before any
        event from its input (cache_watcher.go processInterval)."""
        self._held_bytes = 0
        self._lookup: Callable[[Key], dict | None] | None = None
        self.plain = matches is None and not as_table
        """Takes each change of its namespace as stored: reads the shared feed."""

    @property
    def max_queued_bytes(self) -> int:
        return self._max_queued_bytes

    @max_queued_bytes.setter
    def max_queued_bytes(self, value: int) -> None:
        self._max_queued_bytes = value
        if self.feed is not None:
            with self.feed.lock:
                self.feed._limits()

    # -- what the adapter calls -----------------------------------------------------------
    def take(self) -> list[bytes]:
        """Every line queued since the last take, in order."""
        out: list[bytes] = []
        if self._lookup is not None and not self.closed:
            with self.hub.lock:
                out = self._initial_chunk()
        with self._lock:
            if self.lines:
                out += self.lines
                self.lines.clear()
            self.queued_bytes = 0
            self._signalled = False
        feed = self.feed
        if feed is not None:
            out += feed.read(self)
        return out

    def pending(self) -> bool:
        """Whether a take would return something now."""
        if self.lines or self._lookup is not None:
            return True
        feed = self.feed
        return feed is not None and feed.unread(self)

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
            feed = self.feed
            if feed is not None:
                # What it has not read yet is still sent (the adapter's last take).
                self.lines.extend(feed.read(self))
            self.closed = True
            self._lookup = None
            self._held = []
            self.hub.unsubscribe(self)
            # Wake the adapter so that it ends the response now: the API server ends its
            # open watches when it shuts down, rather than at the next bookmark.
            self.signal()

    def signal(self) -> None:
        if self.wakeup is not None:
            self.wakeup()

    # -- what the hub calls ---------------------------------------------------------------
    def _queue(self, line: bytes) -> None:
        if self._lookup is not None:
            self._hold(line)
            return
        feed = self.feed
        backlog = feed.read(self) if feed is not None else []
        with self._lock:
            size = self.queued_bytes + len(line) + sum(map(len, backlog))
            if size > self.max_queued_bytes:
                # Unresponsive: end the watch rather than hold more of it in memory.
                self.lines.clear()
                self.queued_bytes = 0
                self.closed = True
                self._lookup = None
                self.hub.unsubscribe(self)
                signal = True
            else:
                self.lines.extend(backlog)
                self.lines.append(line)
                self.queued_bytes = size
                # One wake-up until the adapter takes the lines: a burst of changes in one
                # tick is one write, not one per event.
                signal = not self._signalled
                self._signalled = True
        if signal:
            self.signal()

    def _hold(self, line: bytes) -> None:
        """Keep `line` until the initial state is out (counted against the queue's bound)."""
        with self._lock:
            size = self._held_bytes + len(line)
            if size > self.max_queued_bytes:
                # Unresponsive (as in _queue): end the watch.
                self._held = []
                self._held_bytes = 0
                self.closed = True
                self._lookup = None
                self.hub.unsubscribe(self)
            else:
                self._held.append(line)
                self._held_bytes = size
                return
        self.signal()

    def _unsent(self, key: Key) -> bool:
        """Whether `key` is one of the initial state's not sent yet."""
        keys = self._initial
        at = bisect_left(keys, key, self._initial_at)
        return at < len(keys) and keys[at] == key

    def offer(self, entry: Entry, obj: dict | None) -> None:
        """A change of this stream's kind; `obj` is the live object (None: decode entry.data)."""
        if self.closed:
            return
        if obj is None:
            obj = json.loads(entry.data)
        meta = obj["metadata"]
        namespace = meta.get("namespace", "")
        if self.namespace is not None and namespace != self.namespace:
            return
        if self._lookup is not None and self._unsent((namespace, meta["name"])):
            return
        line = self._line_for(entry.type, obj, entry, entry.rv)
        if line is not None:
            self.last_rv = entry.rv
            self._queue(line)

    def _line_for(self, event_type: str, obj: dict, entry: Entry | None, rv: int) -> bytes | None:
        """The line this stream sends for a change of `obj` (None: nothing to send)."""
        meta = obj["metadata"]
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
                    return None
                # An object that stops matching leaves the watch as a DELETED (cacher's
                # filterWithAttrsFunction: old matched, new does not).
                event_type = "DELETED"
        if self.as_table:
            table = tables.table(
                self.kind,
                [obj],
                self.clock(),
                resource_version=str(rv),
                include=self.include,
            )
            return _line(event_type, dumps(table))
        if self.api_version != obj.get("apiVersion"):
            return _line(event_type, dumps({**obj, "apiVersion": self.api_version}))
        if entry is not None:
            return entry.as_type(event_type)
        return _line(event_type, dumps(obj))

    def start(self, initial: list[Key], lookup: Callable[[Key], dict | None]) -> None:
        """The current state as ADDED events (a watch without resourceVersion): the objects
        under `initial`'s keys (sorted, as the key index gives them; the list is not
        changed), each encoded as it is when the adapter's take reaches it,
        INITIAL_CHUNK_BYTES at a time, so that a large state does not stop the clock. Work
        proportional to the number of keys is done a chunk at a time, never all at once."""
        self._initial = initial
        self._initial_at = 0
        self._lookup = lookup
        if not initial:
            self._lookup = None

    def replay(self, history: list[Entry]) -> None:
        """The history after the requested version (a watch from a resourceVersion)."""
        for entry in history:
            self.offer(entry, None)

    def _initial_chunk(self) -> list[bytes]:
        lookup = self._lookup
        assert lookup is not None
        out: list[bytes] = []
        size = 0
        keys = self._initial
        at = self._initial_at
        while at < len(keys) and size < INITIAL_CHUNK_BYTES:
            key = keys[at]
            at += 1
            obj = lookup(key)
            if obj is None:
                continue  # deleted before its turn: never seen, never sent
            rv = int(obj["metadata"].get("resourceVersion") or 0)
            line = self._line_for("ADDED", obj, None, rv)
            if line is not None:
                self.last_rv = max(self.last_rv, rv)
                out.append(line)
                size += len(line)
        self._initial_at = at
        if at >= len(keys):
            self._initial = []
            self._initial_at = 0
            self._lookup = None
            with self._lock:
                # The changes that came meanwhile, in the order they happened, before any
                # line of the feed the stream reads from now on.
                self.lines.extend(self._held)
                self.queued_bytes += self._held_bytes
                self._held = []
                self._held_bytes = 0
            self.hub.initial_sent(self)
        return out


class WatchHub:
    """Every change serialized once and kept per kind; live streams fed as changes happen.

    A kind's history starts when a client first lists or watches it (`activate`): a kind
    nobody asked for costs nothing per change, and a watch from a list's resourceVersion
    always finds the history it needs. Resuming from before the history began is 410, as
    from before the API server's watch cache window.
    """

    def __init__(self, store: Store, *, history: int = HISTORY_PER_KIND, lock: Any = None) -> None:
        self.store = store
        self.capacity = history
        self.lock = lock if lock is not None else contextlib.nullcontext()
        """The facade's lock: the adapter encodes initial events under it."""
        self.keys = KeyIndex(store)
        self._active: dict[str, int] = {}
        self._history: dict[str, deque[Entry]] = {}
        self._evicted: dict[str, int] = {}
        self._streams: dict[str, list[WatchStream]] = {}
        self._feeds: dict[str, list[Feed]] = {}
        self._unsubscribe = store.watch(self._on_change)

    def close(self) -> None:
        self._unsubscribe()
        for stream in self.streams():
            stream.close()

    def activate(self, kind: str) -> None:
        """Keep the history of `kind` from now on (a list or watch of it was asked for)."""
        if kind not in self._active:
            self._active[kind] = self.store.resource_version

    def _on_change(self, change: Change) -> None:
        kind = change.kind
        obj = change.obj
        meta = obj["metadata"]
        if change.type != "MODIFIED":
            self.keys.changed(kind, (meta.get("namespace", ""), meta["name"]), change.type)
        if kind not in self._active:
            return
        rv = int(meta["resourceVersion"])
        entry = Entry(rv, change.type, dumps(obj))
        history = self._history.get(kind)
        if history is None:
            history = self._history[kind] = deque()
        while history and len(history) >= self.capacity:
            self._evicted[kind] = history.popleft().rv
        history.append(entry)
        feeds = self._feeds.get(kind)
        if feeds:
            namespace = meta.get("namespace", "")
            stored = obj.get("apiVersion")
            converted: dict[str, bytes] = {}
            for feed in tuple(feeds):
                if not feed.streams:
                    feeds.remove(feed)
                elif feed.namespace is None or feed.namespace == namespace:
                    if feed.api_version == stored:
                        line = entry.line
                    else:
                        line = converted.get(feed.api_version)
                        if line is None:
                            line = converted[feed.api_version] = _line(
                                change.type, dumps({**obj, "apiVersion": feed.api_version})
                            )
                    feed.append(rv, line)
        streams = self._streams.get(kind)
        if streams:
            for stream in tuple(streams):
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
        if stream.plain and stream._lookup is None:
            self._join_feed(stream)
        else:
            self._streams.setdefault(stream.kind, []).append(stream)

    def _join_feed(self, stream: WatchStream) -> None:
        feeds = self._feeds.setdefault(stream.kind, [])
        for feed in feeds:
            if feed.namespace == stream.namespace and feed.api_version == stream.api_version:
                break
        else:
            feed = Feed(stream.kind, stream.namespace, stream.api_version)
            feeds.append(feed)
        stream.feed = feed
        feed.join(stream)

    def initial_sent(self, stream: WatchStream) -> None:
        """A plain stream's initial events are all encoded: it reads the feed from now on
        (every change until now was offered to it)."""
        if stream.plain and not stream.closed:
            streams = self._streams.get(stream.kind)
            if streams and stream in streams:
                streams.remove(stream)
                self._join_feed(stream)

    def unsubscribe(self, stream: WatchStream) -> None:
        feed = stream.feed
        if feed is not None:
            stream.feed = None
            feed.leave(stream)
            return
        streams = self._streams.get(stream.kind)
        if streams and stream in streams:
            streams.remove(stream)

    def streams(self) -> list[WatchStream]:
        """Every open watch."""
        found = [s for streams in self._streams.values() for s in streams]
        return found + [s for feeds in self._feeds.values() for f in feeds for s in f.streams]

    def watchers(self) -> int:
        return len(self.streams())
