"""The keys of a kind's objects in the order the API server lists them.

kube-apiserver lists from a store ordered by key (etcd's range read, the watch cache's
B-tree), so a page of `limit=500` after a `continue` token costs the page, not the kind.
The engine's store is a dict per kind; sorting 150,000 keys for each of the 300 pages of
`kubectl get pods -A` (and for the start of a watch) would cost seconds. The index sorts a
kind once, when it is first listed, and then folds in the creations and deletions it is told
of the next time it is read: the keys changed are found by bisection and the new list is put
together from slices of the old one (copies in C, no Python work per key: at 150,000 pods a
pass over every key, or a sort of the two runs, held the served clock for tens of ms).
"""

from __future__ import annotations

from bisect import bisect_left

from engine.store import Key, Store, key_of

REBUILD_PAST = 1024
"""An index told of more changes than its size plus this is dropped and rebuilt when next
read: a kind listed once and then created in bulk costs no memory per creation."""


class KeyIndex:
    """Sorted keys per kind, kept across creations and deletions (`changed`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sorted: dict[str, list[Key]] = {}
        self._changes: dict[str, dict[Key, bool]] = {}

    def changed(self, kind: str, key: Key, change_type: str) -> None:
        """An object of `kind` was created (ADDED) or deleted (DELETED)."""
        changes = self._changes.get(kind)
        if changes is None:
            return
        changes[key] = change_type != "DELETED"
        if len(changes) > len(self._sorted[kind]) + REBUILD_PAST:
            del self._changes[kind]
            del self._sorted[kind]

    def sorted(self, kind: str) -> list[Key]:
        """Every key of `kind`, sorted. The list is never changed afterwards (a newer one
        replaces it), so a reader may keep it."""
        keys = self._sorted.get(kind)
        if keys is None:
            keys = sorted(key_of(obj) for obj in self.store.iter(kind))
            self._sorted[kind] = keys
            self._changes[kind] = {}
            return keys
        changes = self._changes[kind]
        if changes:
            get = self.store.get
            added = sorted(k for k, present in changes.items() if present and get(kind, *k))
            keys = _merged(_without(keys, changes), added)
            self._sorted[kind] = keys
            changes.clear()
        return keys

    def range(self, kind: str, namespace: str | None) -> tuple[list[Key], int, int]:
        """The sorted keys of `kind` and the slice [lo, hi) of those in `namespace` (all
        when None)."""
        keys = self.sorted(kind)
        if namespace is None:
            return keys, 0, len(keys)
        lo = bisect_left(keys, (namespace, ""))
        # Every key of the namespace sorts before (namespace + "\0",): names are not empty.
        hi = bisect_left(keys, (namespace + "\0",), lo)
        return keys, lo, hi


def _without(keys: list[Key], changes: dict[Key, bool]) -> list[Key]:
    """`keys` less every key in `changes` (a new list; `keys` is not changed)."""
    drop = []
    for key in changes:
        at = bisect_left(keys, key)
        if at < len(keys) and keys[at] == key:
            drop.append(at)
    if not drop:
        return keys
    drop.sort()
    kept: list[Key] = []
    start = 0
    for at in drop:
        kept += keys[start:at]
        start = at + 1
    kept += keys[start:]
    return kept


def _merged(keys: list[Key], added: list[Key]) -> list[Key]:
    """The sorted `keys` and the sorted `added` (none in `keys`) as one sorted list (a new
    one when there is anything to add; neither list is changed)."""
    if not added:
        return keys
    out: list[Key] = []
    start = 0
    for key in added:
        at = bisect_left(keys, key, start)
        out += keys[start:at]
        out.append(key)
        start = at
    out += keys[start:]
    return out
