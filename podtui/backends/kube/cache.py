"""The objects a KubeBackend has seen, per kind, fed by its reflectors; and its change feed.

Replacing a kind's objects after a (re)list emits what changed as watch events would have:
ADDED for new objects, MODIFIED for a new resourceVersion, DELETED for objects gone — as
client-go's DeltaFIFO.Replace feeds an informer's handlers (tools/cache/delta_fifo.go).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from podtui.backends.base import ADDED, DELETED, MODIFIED, Change, ChangeListener

Key = tuple[str, str]


def key_of(obj: dict) -> Key:
    meta = obj.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")


def _rv(obj: dict) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))


class ObjectCache:
    def __init__(self) -> None:
        self._objects: dict[str, dict[Key, dict]] = {}
        self._listeners: list[tuple[frozenset[str] | None, frozenset[str], ChangeListener]] = []

    # -- reading ------------------------------------------------------------------------------
    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        objects = self._objects.get(kind, {})
        keys = sorted(k for k in objects if namespace is None or k[0] == namespace)
        return [objects[k] for k in keys]

    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        return self._objects.get(kind, {}).get((namespace or "", name))

    def count(self, kind: str) -> int:
        return len(self._objects.get(kind, {}))

    # What the engine's owner index reads (the workload describers use it).
    def kinds(self) -> list[str]:
        return sorted(self._objects)

    def iter(self, kind: str) -> Iterator[dict]:
        return iter(self.list(kind))

    def get_by_uid(self, uid: str) -> dict | None:
        for objects in self._objects.values():
            for obj in objects.values():
                if (obj.get("metadata") or {}).get("uid") == uid:
                    return obj
        return None

    # -- the feed -----------------------------------------------------------------------------
    def watch(
        self,
        listener: ChangeListener,
        kinds: Iterable[str] | None = None,
        except_kinds: Iterable[str] | None = None,
        status_writes: object = True,
    ) -> Callable[[], None]:
        """Subscribe to the changes of some kinds (None: every kind, but `except_kinds`), as
        the engine's store does. `status_writes` is the store's filter of status-only writes;
        a cache of what a real API server sent cannot tell a status write from another, so
        every listener hears every change (what the filter allows to skip is a no-op)."""
        entry = (
            frozenset(kinds) if kinds is not None else None,
            frozenset(except_kinds or ()),
            listener,
        )
        self._listeners.append(entry)

        def unsubscribe() -> None:
            if entry in self._listeners:
                self._listeners.remove(entry)

        return unsubscribe

    def _emit(self, change: Change) -> None:
        for kinds, excepted, listener in tuple(self._listeners):
            if (kinds is None and change.kind not in excepted) or (
                kinds is not None and change.kind in kinds
            ):
                listener(change)

    # -- writing (the reflectors) -------------------------------------------------------------
    def apply(self, event_type: str, kind: str, obj: dict) -> None:
        """One watch event."""
        objects = self._objects.setdefault(kind, {})
        key = key_of(obj)
        if event_type == DELETED:
            objects.pop(key, None)
        else:
            event_type = MODIFIED if key in objects else ADDED
            objects[key] = obj
        self._emit(Change(event_type, kind, obj))

    def replace(self, kind: str, items: list[dict]) -> None:
        """A list's answer: the kind's whole set of objects."""
        old = self._objects.get(kind, {})
        new = {key_of(obj): obj for obj in items}
        self._objects[kind] = new
        for key in sorted(old.keys() - new.keys()):
            self._emit(Change(DELETED, kind, old[key]))
        for key in sorted(new):
            if key not in old:
                self._emit(Change(ADDED, kind, new[key]))
            elif _rv(old[key]) != _rv(new[key]):
                self._emit(Change(MODIFIED, kind, new[key]))
