"""A feed: the watch lines of one kind that its plain watchers share.

Most watchers take every change of a kind (in one namespace or all) as stored: the line
encoded once for the change is appended once to their feed, and each watcher reads what it
has not read from its own cursor, so a change costs the same whoever watches, as
kube-apiserver's cacher serializes an event once for all its watchers (cacher.go
`cachingObject`). Lines every watcher has read are dropped; a watcher too far behind is
closed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.rest.watch import WatchStream

MAX_QUEUED_BYTES = 512 * 1024 * 1024
"""A watcher this far behind is closed, as kube-apiserver's cacher closes a watcher that does
not keep up (cacher.go "Forcing ... watcher close due to unresponsiveness"): its client
watches again from the last resourceVersion it saw, and the server's memory stays bounded."""

FEED_TRIM_LINES = 4096
"""A feed drops the lines every watcher has read once it holds more than this."""


class Feed:
    """The watch lines of one kind in one namespace (or all) and one apiVersion, shared by
    every watcher that takes them as they are: each change is one append, and each watcher
    reads what it has not read yet from its own cursor."""

    def __init__(self, kind: str, namespace: str | None, api_version: str) -> None:
        self.kind = kind
        self.namespace = namespace
        self.api_version = api_version
        self.lines: list[bytes] = []
        self.offsets: list[int] = []
        """Bytes appended before each line (a watcher's backlog is total - its offset)."""
        self.base = 0
        """The index of lines[0] among every line ever appended."""
        self.total = 0
        self.last_rv = 0
        self.streams: list[WatchStream] = []
        self.waiting: list[WatchStream] = []
        """Watchers that have read everything: the next append wakes them."""
        self.check_at = MAX_QUEUED_BYTES
        self.lock = threading.Lock()

    @property
    def end(self) -> int:
        return self.base + len(self.lines)

    def join(self, stream: WatchStream) -> None:
        with self.lock:
            stream.cursor = self.end
            self.streams.append(stream)
            self.waiting.append(stream)
            self._limits()

    def leave(self, stream: WatchStream) -> None:
        with self.lock:
            if stream in self.streams:
                self.streams.remove(stream)
            if stream in self.waiting:
                self.waiting.remove(stream)
            self._limits()

    def _limits(self) -> None:
        self.check_at = min((s.max_queued_bytes for s in self.streams), default=MAX_QUEUED_BYTES)

    def append(self, rv: int, line: bytes) -> None:
        with self.lock:
            self.lines.append(line)
            self.offsets.append(self.total)
            self.total += len(line)
            self.last_rv = rv
            dropped = self._drop_laggards() if self.total - self.offsets[0] > self.check_at else ()
            waiting = self.waiting
            if waiting:
                self.waiting = []
        for stream in dropped:
            stream.signal()
        if waiting:
            for stream in waiting:
                stream.signal()

    def _drop_laggards(self) -> list[WatchStream]:
        """Close the watchers more than their bound behind; drop what nobody needs."""
        dropped = []
        for stream in list(self.streams):
            start = stream.cursor - self.base
            behind = self.total - self.offsets[start] if start < len(self.lines) else 0
            if behind > stream.max_queued_bytes:
                stream.closed = True
                stream.feed = None
                stream.lines.clear()
                self.streams.remove(stream)
                if stream in self.waiting:
                    self.waiting.remove(stream)
                dropped.append(stream)
        self._trim(force=True)
        self._limits()
        held = self.total - self.offsets[0] if self.lines else 0
        if held > self.check_at:
            # Behind by more than the smallest bound, within its own: check again later.
            self.check_at = held + 1024 * 1024
        return dropped

    def _trim(self, *, force: bool = False) -> None:
        if not self.streams:
            count = len(self.lines)
        else:
            count = min(s.cursor for s in self.streams) - self.base
            if not force and count < len(self.lines) // 2:
                return
        if count > 0:
            del self.lines[:count]
            del self.offsets[:count]
            self.base += count

    def read(self, stream: WatchStream) -> list[bytes]:
        """The lines `stream` has not read; it is woken at the next append."""
        with self.lock:
            start = stream.cursor - self.base
            out = self.lines[start:] if start < len(self.lines) else []
            stream.cursor = self.end
            if out:
                stream.last_rv = self.last_rv
            if stream not in self.waiting and stream in self.streams:
                self.waiting.append(stream)
            if len(self.lines) > FEED_TRIM_LINES:
                self._trim()
        return out

    def unread(self, stream: WatchStream) -> bool:
        return stream.cursor < self.end
