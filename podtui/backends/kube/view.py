"""What the engine's describers read, over objects fetched from an API server.

A describer is `fn(cluster, obj) -> str` and reads `cluster.store` (get, list, count),
`cluster.events.events_for(obj)` and `cluster.now_datetime()`. `ClusterView` gives it those
over an ObjectCache filled for one `describe`, so the text is the engine's, byte for byte,
for the same objects at the same time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine.events import event_sort_key
from podtui.backends.kube.cache import ObjectCache


class _Events:
    def __init__(self, store: ObjectCache) -> None:
        self.store = store

    def events_for(self, obj: dict) -> list[dict]:
        """The events whose involvedObject is this object, oldest first (as engine.events)."""
        meta = obj["metadata"]
        uid = meta.get("uid")
        namespace = meta.get("namespace") or "default"
        found = [
            e
            for e in self.store.list("Event", namespace)
            if (e.get("involvedObject") or {}).get("uid") == uid
            or (
                e["involvedObject"].get("name") == meta["name"]
                and e["involvedObject"].get("kind") == obj.get("kind")
                and not e["involvedObject"].get("uid")
            )
        ]
        return sorted(found, key=event_sort_key)


class ClusterView:
    def __init__(self, store: ObjectCache, now: Callable[[], datetime]) -> None:
        self.store = store
        self.events = _Events(store)
        self._now = now

    def now_datetime(self) -> datetime:
        return self._now()
