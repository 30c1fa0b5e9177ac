"""The object store: every API object, in Kubernetes' wire shape, and the change feed.

Objects are plain dicts exactly as `kubectl get -o json` shows them. The store assigns what
the API server assigns on write (uid, resourceVersion, creationTimestamp, generation) and
tells watchers about every change, like a watch on the API server: ADDED, MODIFIED,
DELETED, in the order they happened.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from engine.clock import Clock

ChangeType = Literal["ADDED", "MODIFIED", "DELETED"]
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped objects


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change feed."""

    type: ChangeType
    kind: str
    obj: dict


Watcher = Callable[[Change], None]
StatusWrites = bool | Callable[[dict], bool]
"""What a watcher is told of an object's status-only writes (Store.watch)."""


# Change is frozen, so its generated __init__ sets each field through object.__setattr__;
# the change feed makes one per write and sets the slots directly instead (twice as fast).
_new_object = object.__new__
_set_type = Change.type.__set__  # type: ignore[attr-defined]
_set_kind = Change.kind.__set__  # type: ignore[attr-defined]
_set_obj = Change.obj.__set__  # type: ignore[attr-defined]


def _change(type_: ChangeType, kind: str, obj: dict) -> Change:
    """Change(type_, kind, obj), made as its __init__ makes it."""
    change = _new_object(Change)
    _set_type(change, type_)
    _set_kind(change, kind)
    _set_obj(change, obj)
    return change


class _Pending:
    """A change waiting to be delivered, with the resourceVersion it was made at."""

    __slots__ = ("change", "newer", "owed", "status_only", "version")

    def __init__(self, change: Change, version: str | None, status_only: bool) -> None:
        self.change = change
        self.version = version
        self.status_only = status_only
        """Written with modified(status_only=True): only .status changed."""
        self.newer: _Pending | None = None
        """The next change of the same object, once one is made."""
        self.owed: dict[Watcher, ChangeType] | None = None
        """Watchers that were owed an earlier change of this object and get this one in its
        place, with the earlier change's type (an ADDED they never saw); None for none."""


class _AllBut(frozenset):
    """The kinds a watcher of every other kind is not told of (`watch(except_kinds=...)`)."""


class AlreadyExists(Exception):
    """An object of that kind, namespace and name is already stored."""


class NotFound(Exception):
    """No object of that kind, namespace and name is stored."""


def key_of(obj: dict) -> Key:
    meta = obj["metadata"]
    return (meta.get("namespace", ""), meta["name"])


class Store:
    """Objects by kind and (namespace, name), with a monotonically increasing resourceVersion."""

    def __init__(self, clock: Clock, rng: random.Random | None = None) -> None:
        self.clock = clock
        self.rng = rng if rng is not None else clock.rng
        self._objects: dict[str, dict[Key, dict]] = {}
        self._by_uid: dict[str, dict] = {}
        self._namespaces: dict[str, dict[str, dict[Key, None]]] = {}
        """For the kinds index_namespaces() was asked for: namespace -> the keys of its
        objects, in the order iter() gives them (dicts keep insertion order)."""
        self._watchers: list[tuple[frozenset[str] | None, Watcher, StatusWrites]] = []
        """(kinds, watcher, what it is told of status-only writes), in subscription order."""
        self._by_kind: dict[str, tuple[Watcher, ...]] = {}
        self._by_kind_status: dict[str, tuple[tuple[Watcher, Callable[[dict], bool] | None], ...]]
        self._by_kind_status = {}
        """The watchers of a kind told of its status-only writes (those of _by_kind but the
        ones that asked not to be), each with the test the object must pass (None: none)."""
        self.resource_version = 0
        self._pending: deque[_Pending] = deque()
        self._latest: dict[int, _Pending] = {}
        """The newest undelivered change of each object (by id of the object's dict)."""
        self._delivering = False

    # -- identity -----------------------------------------------------------------------
    def new_uid(self) -> str:
        """A version-4 UUID drawn from the seeded generator (deterministic runs)."""
        # What str(uuid.UUID(int=value, version=4)) gives, without building the object.
        h = (self.rng.getrandbits(128) & _UUID4_KEEP | _UUID4_SET).to_bytes(16, "big").hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _next_rv(self) -> str:
        self.resource_version += 1
        return str(self.resource_version)

    # -- reading ------------------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        bucket = self._objects.get(kind)
        return None if bucket is None else bucket.get((namespace, name))

    def get_by_uid(self, uid: str) -> dict | None:
        return self._by_uid.get(uid)

    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        """Objects of a kind sorted by namespace and name, as the API server lists them."""
        bucket = self._objects.get(kind)
        if not bucket:
            return []  # the workload controllers ask of kinds nobody made, on every new pod
        if namespace is not None:
            index = self._namespaces.get(kind)
            if index is not None:
                return [bucket[k] for k in sorted(index.get(namespace, ()))]
        keys = sorted(k for k in bucket if namespace is None or k[0] == namespace)
        return [bucket[k] for k in keys]

    def iter(self, kind: str) -> Iterator[dict]:
        """Objects of a kind in no particular order (cheap)."""
        return iter(list(self._objects.get(kind, {}).values()))

    def index_namespaces(self, kind: str) -> None:
        """Keep an index of a kind's objects by namespace, for in_namespace()."""
        if kind in self._namespaces:
            return
        index: dict[str, dict[Key, None]] = {}
        for key in self._objects.get(kind, {}):
            index.setdefault(key[0], {})[key] = None
        self._namespaces[kind] = index

    def in_namespace(self, kind: str, namespace: str) -> list[dict]:
        """The objects of a kind in one namespace, in the order iter() gives them: what
        filtering iter() by namespace gives, by an index for a kind index_namespaces() was
        asked for (the cost of the namespace's objects, not of every namespace's)."""
        bucket = self._objects.get(kind, {})
        index = self._namespaces.get(kind)
        if index is None:
            return [obj for key, obj in bucket.items() if key[0] == namespace]
        return [bucket[key] for key in index.get(namespace, ())]

    def count(self, kind: str) -> int:
        return len(self._objects.get(kind, {}))

    def kinds(self) -> list[str]:
        return sorted(k for k, bucket in self._objects.items() if bucket)

    # -- writing ------------------------------------------------------------------------
    def add(self, obj: dict) -> dict:
        """Store a new object, filling in what the API server fills in on create."""
        kind = obj["kind"]
        key = key_of(obj)
        bucket = self._objects.setdefault(kind, {})
        if key in bucket:
            raise AlreadyExists(f"{kind} {key[0]}/{key[1]}")
        meta = obj["metadata"]
        if not meta.get("uid"):
            meta["uid"] = self.new_uid()
        meta["resourceVersion"] = self._next_rv()
        meta.setdefault("creationTimestamp", self.clock.timestamp())
        if "spec" in obj and kind not in _NO_GENERATION:
            meta["generation"] = 1
        bucket[key] = obj
        self._by_uid[meta["uid"]] = obj
        index = self._namespaces.get(kind)
        if index is not None:
            index.setdefault(key[0], {})[key] = None
        self._notify("ADDED", kind, obj)
        return obj

    def modified(self, obj: dict, *, spec_changed: bool = False, status_only: bool = False) -> dict:
        """Record an in-place change to a stored object: new resourceVersion, watchers told.

        `status_only`: the write changed nothing but the object's .status (what a write to
        the status subresource can change: a kubelet's pod status, a scheduler's condition).
        Watchers subscribed with `status_writes=False` are not told of it.
        """
        meta = obj["metadata"]
        if spec_changed and "generation" in meta:
            meta["generation"] += 1
        meta["resourceVersion"] = self._next_rv()
        self._notify("MODIFIED", obj["kind"], obj, status_only)
        return obj

    def replace(self, obj: dict, *, spec_changed: bool = False) -> dict:
        """Swap a stored object for a new dict with the same identity."""
        kind = obj["kind"]
        key = key_of(obj)
        bucket = self._objects.get(kind, {})
        old = bucket.get(key)
        if old is None:
            raise NotFound(f"{kind} {key[0]}/{key[1]}")
        meta = obj["metadata"]
        old_meta = old["metadata"]
        for field in ("uid", "creationTimestamp", "generation"):
            if field in old_meta:
                meta[field] = old_meta[field]
        if spec_changed and "generation" in meta:
            meta["generation"] += 1
        meta["resourceVersion"] = self._next_rv()
        bucket[key] = obj
        self._by_uid[meta["uid"]] = obj
        self._notify("MODIFIED", kind, obj)
        return obj

    def remove(self, kind: str, namespace: str, name: str) -> dict:
        """Remove an object for good (the end of deletion)."""
        bucket = self._objects.get(kind, {})
        obj = bucket.pop((namespace, name), None)
        if obj is None:
            raise NotFound(f"{kind} {namespace}/{name}")
        self._by_uid.pop(obj["metadata"].get("uid", ""), None)
        index = self._namespaces.get(kind)
        if index is not None:
            keys = index.get(namespace)
            if keys is not None:
                keys.pop((namespace, name), None)
                if not keys:
                    del index[namespace]
        obj["metadata"]["resourceVersion"] = self._next_rv()
        self._notify("DELETED", kind, obj)
        return obj

    # -- the change feed ----------------------------------------------------------------
    def watch(
        self,
        watcher: Watcher,
        kinds: set[str] | None = None,
        *,
        except_kinds: set[str] | None = None,
        status_writes: StatusWrites = True,
    ) -> Callable[[], None]:
        """Call `watcher` for every change (of the given kinds, or of every kind but
        `except_kinds`); returns an unsubscribe.

        `status_writes=False`: not told of the writes made with `modified(status_only=True)`
        (most of a pod's writes: its kubelet's status posts). Only for a watcher that reads
        nothing of .status, to which such a change is a no-op; it still sees every ADDED,
        DELETED and other MODIFIED, each with the object as it is then, status included.
        A function of the object instead: told of a status-only write only when it holds for
        the object as it is when the watcher's turn comes (a scheduler that only cares about
        a pod turning Succeeded or Failed); a status write it fails is a no-op to the watcher.
        """
        wanted: frozenset[str] | None = frozenset(kinds) if kinds is not None else None
        if kinds is None and except_kinds:
            wanted = _AllBut(except_kinds)
        entry = (wanted, watcher, status_writes)
        self._watchers.append(entry)
        self._by_kind.clear()
        self._by_kind_status.clear()

        def unsubscribe() -> None:
            if entry in self._watchers:
                self._watchers.remove(entry)
                self._by_kind.clear()
                self._by_kind_status.clear()

        return unsubscribe

    def last_watcher(self, kind: str) -> Watcher | None:
        """The watcher of a kind told of its changes last (the last one subscribed)."""
        watchers = self._watchers_of(kind)
        return watchers[-1] if watchers else None

    def _watchers_of(self, kind: str) -> tuple[Watcher, ...]:
        """The watchers of one kind, in subscription order (cached until subscriptions change)."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = tuple(
                watcher
                for kinds, watcher, _ in self._watchers
                if kinds is None or (kind not in kinds if type(kinds) is _AllBut else kind in kinds)
            )
        return found

    def _status_watchers_of(
        self, kind: str
    ) -> tuple[tuple[Watcher, Callable[[dict], bool] | None], ...]:
        """The watchers of one kind told of its status-only writes, in subscription order,
        each with its test of the object (None: told of every one)."""
        found = self._by_kind_status.get(kind)
        if found is None:
            found = self._by_kind_status[kind] = tuple(
                (watcher, None if status_writes is True else status_writes)
                for kinds, watcher, status_writes in self._watchers
                if status_writes is not False
                and (
                    kinds is None
                    or (kind not in kinds if type(kinds) is _AllBut else kind in kinds)
                )
            )
        return found

    def _notify(
        self, type_: ChangeType, kind: str, obj: dict, status_only: bool = False
    ) -> None:
        # A watcher that writes while being told of a change must not overtake it: changes
        # are delivered one after another, in the order they happened, as a watch would.
        delivering = self._delivering
        if not delivering:
            if status_only:
                plan = self._by_kind_status.get(kind)
                told = plan if plan is not None else self._status_watchers_of(kind)
            else:
                watchers = self._by_kind.get(kind)
                told = watchers if watchers is not None else self._watchers_of(kind)
            if not told:
                # Nobody is told of this kind (Events, mostly) and nothing is queued before it.
                return
        entry = _Pending(
            _change(type_, kind, obj), obj["metadata"].get("resourceVersion"), status_only
        )
        key = id(obj)
        latest = self._latest
        previous = latest.get(key)
        if previous is not None and previous.change.obj is obj:
            previous.newer = entry
        latest[key] = entry
        pending = self._pending
        if delivering:
            pending.append(entry)
            return
        self._delivering = True
        try:
            if pending:
                # Left queued by a delivery a watcher's exception cut short: those first.
                pending.append(entry)
            else:
                self._deliver(entry)  # what the queue would hand out first anyway
            while pending:
                self._deliver(pending.popleft())
        finally:
            self._delivering = False

    def _deliver(self, entry: _Pending) -> None:
        """Tell each watcher of one change, in resourceVersion order for every watcher.

        Objects are stored dicts that writers change in place, so a watcher that writes to
        the object it is being told about (a kubelet posting a new node's first status)
        gives it a newer resourceVersion before the watchers after it are told. Those are
        then told at the newer change's turn instead, with this change's type (an ADDED
        they have not seen yet), as a watch from the API server's watch cache tells each
        client of every change in resourceVersion order and never of an older state after
        a newer one. Whatever was written in between reaches them first.
        """
        change = entry.change
        obj = change.obj
        meta = obj["metadata"]
        owed = entry.owed
        if owed is None:
            # Nobody was owed an earlier change (nearly every change): each is told this one
            # (of a status-only write, those that asked to be).
            if entry.status_only:
                self._deliver_status_write(entry)
                return
            watchers = self._by_kind.get(change.kind)
            if watchers is None:
                watchers = self._watchers_of(change.kind)
            for index, watcher in enumerate(watchers):
                # `newer` first: it is None for nearly every change, and then nothing was
                # written since (a write to the object would have made one).
                if entry.newer is not None and meta.get("resourceVersion") != entry.version:
                    self._hand_over(entry, watchers, index)
                    return
                watcher(change)
        else:
            # Some watchers are owed an earlier change (an ADDED, say) and get this one in its
            # place, whatever its kind of write: every watcher of the kind is told, as before
            # status-only writes were told apart (a no-op for those that ask not to be).
            watchers = self._by_kind.get(change.kind)
            if watchers is None:
                watchers = self._watchers_of(change.kind)
            for index, watcher in enumerate(watchers):
                if entry.newer is not None and meta.get("resourceVersion") != entry.version:
                    self._hand_over(entry, watchers, index)
                    return
                kind = owed.get(watcher)
                if kind is None or kind == change.type:
                    watcher(change)
                else:
                    watcher(Change(kind, change.kind, obj))
        latest = self._latest
        if latest.get(id(obj)) is entry:
            del latest[id(obj)]

    def _deliver_status_write(self, entry: _Pending) -> None:
        """_deliver's fast path for a status-only write: the watchers that asked to be told
        of it, each only if the object passes its test when its turn comes."""
        change = entry.change
        obj = change.obj
        meta = obj["metadata"]
        plan = self._by_kind_status.get(change.kind)
        if plan is None:
            plan = self._status_watchers_of(change.kind)
        for index, (watcher, holds) in enumerate(plan):
            if entry.newer is not None and meta.get("resourceVersion") != entry.version:
                # Those after this one are told at the newer write's turn, even those whose
                # test fails now (told is never less than before). One left out of status
                # writes is not handed this one: it is told of the newer write if it wants
                # that one, as of any other.
                self._hand_over(entry, tuple(w for w, _ in plan), index)
                return
            if holds is None or holds(obj):
                watcher(change)
        latest = self._latest
        if latest.get(id(obj)) is entry:
            del latest[id(obj)]

    @staticmethod
    def _hand_over(entry: _Pending, watchers: tuple[Watcher, ...], index: int) -> None:
        """Written again since: the watchers from `index` on are told at the newer
        change's turn."""
        change = entry.change
        owed = entry.owed or {}
        later = entry.newer
        assert later is not None
        for rest in watchers[index:]:
            kind = owed.get(rest, change.type)
            if kind == "ADDED" and later.change.type == "DELETED":
                continue  # never seen, now gone: the DELETED alone says so
            if later.owed is None:
                later.owed = {}
            later.owed.setdefault(rest, kind if kind == "ADDED" else later.change.type)


# uuid.UUID(int=..., version=4): the variant bits 10 and the version nibble 4.
_UUID4_KEEP = ~(0xC000 << 48) & ~(0xF000 << 64) & ((1 << 128) - 1)
_UUID4_SET = (0x8000 << 48) | (4 << 76)

# Kinds whose objects have a spec but no metadata.generation on a real API server.
_NO_GENERATION = frozenset({"Pod", "Node", "Namespace", "Event", "Service"})
