"""Objects by owner: the informer indexes kube-controller-manager keeps, fed by the change feed.

Controllers find the pods (and ReplicaSets, revisions, claims) they own by the owner's uid
instead of scanning every pod on every sync, and the garbage collector finds an owner's
dependents the same way. The index subscribes to the store before any controller does, so
by the time a controller hears of a change the index already reflects it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.per_cluster import PerCluster
from engine.store import Change

if TYPE_CHECKING:
    from engine.cluster import Cluster

_INDEXES: PerCluster[OwnerIndex] = PerCluster()
_NO_OWNERS: tuple[str | None, tuple[str, ...], str | None] = (None, (), None)


def workload_index(cluster: Cluster) -> OwnerIndex:
    """The cluster's owner index, created (and subscribed) on first use."""
    return _INDEXES.get(cluster, OwnerIndex)


class OwnerIndex:
    """Dependents by owner uid, controlled objects by controller uid, orphan pods by namespace."""

    status_shortcut = True
    """Take a status-only write's owners from the last change (_on_status_write); a test
    turns this off to compare with reading them from the object every time."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.store = cluster.store
        # owner uid -> {dependent uid: None}; dicts keep insertion order (deterministic).
        self.dependents: dict[str, dict[str, None]] = {}
        self.controlled: dict[str, dict[str, None]] = {}
        self.orphan_pods: dict[str, dict[str, None]] = {}
        # namespace -> {uid: None} of ReplicaSets with no controller (a Deployment may adopt).
        self.orphan_replica_sets: dict[str, dict[str, None]] = {}
        # uid -> (controller uid, owner uids, controller kind)
        self._owners: dict[str, tuple[str | None, tuple[str, ...], str | None]] = {}
        self._last: tuple[str, str | None] = ("", None)
        self._orphan_labels: dict[str, dict] = {}
        self._last_labels_changed = False
        self._pod_routes: list[tuple[str, Callable[[Change], None]]] = []
        self._routes_of: dict[str, list[Callable[[Change], None]]] = {}
        """The routes by kind, in the order they were asked for (a pod's controller's kind
        seldom changes: its routes, without looking at the others)."""
        self._status_write: dict | None = None
        """The object of the status-only write the store's test just passed: the store tells
        _on_change of it right after (the object, so that nothing else is taken for it)."""
        self.store.watch(self._on_change, except_kinds={"Event"}, status_writes=self._told_of)
        for kind in self.store.kinds():
            if kind == "Event":
                continue
            for obj in self.store.iter(kind):
                self._on_change(Change("ADDED", kind, obj))

    # -- feeding ----------------------------------------------------------------------------
    def _told_of(self, obj: dict) -> bool:
        """The store's test of a status-only write (it tells _on_change right after a yes):
        not told of one to a pod with no ownerReferences. Such a write is a no-op here: its
        owners and labels are as at its last other change (so it is filed as an orphan with
        those labels already), and no route is told of an orphan whose labels did not
        change. It leaves _last as it was, which nobody reads before the index is told of
        the next change it is asked about (the routes it calls, the watchers of ReplicaSets
        after it)."""
        if obj["kind"] == "Pod" and not obj["metadata"].get("ownerReferences"):
            return False
        if self.status_shortcut:
            self._status_write = obj
        return True

    def _on_change(self, change: Change) -> None:
        if change.kind == "Event":
            return
        obj = change.obj
        status_write = self._status_write is obj
        self._status_write = None
        meta = obj["metadata"]
        uid = meta.get("uid")
        if not uid:
            return
        if status_write:
            owners = self._owners.get(uid)
            if owners is not None:
                self._on_status_write(change, uid, owners)
                return
        old = self._owners.get(uid, _NO_OWNERS)
        self._last = (uid, old[0])
        self._last_labels_changed = False
        refs = meta.get("ownerReferences") if change.type != "DELETED" else None
        if not refs:
            new = _NO_OWNERS  # deleted, or no owner at all: what the loop below would make
        else:
            controller = None
            controller_kind = None
            for ref in refs:
                if ref.get("controller"):
                    controller, controller_kind = ref.get("uid"), ref.get("kind")
                    break
            # Most objects have one owner: no generator for it (every pod change comes here).
            uids = (
                (refs[0].get("uid", ""),)
                if len(refs) == 1
                else tuple([r.get("uid", "") for r in refs])
            )
            new = (controller, uids, controller_kind)
        if change.kind == "Pod":
            self._track_orphan(change, meta, uid, new[0] is None)
        elif change.kind == "ReplicaSet":
            orphans = self.orphan_replica_sets.setdefault(meta.get("namespace", ""), {})
            if change.type != "DELETED" and new[0] is None:
                orphans[uid] = None
            else:
                orphans.pop(uid, None)
        if new != old:
            self._reindex(uid, old, new)
        if change.type == "DELETED":
            self._owners.pop(uid, None)
        elif new != old:
            self._owners[uid] = new
        if change.kind == "Pod":
            self._dispatch(change, old[2], new[2])

    def _on_status_write(self, change: Change, uid: str, owners: tuple) -> None:
        """_on_change for a status-only write to an object filed with owners: such a write
        changes nothing of the metadata, so its owners and labels are as at its last change
        and nothing is filed again; the routes of its controller's kind are told (a
        kubelet's status posts are most of a rollout's pod writes)."""
        self._last = (uid, owners[0])
        self._last_labels_changed = False
        if change.kind == "Pod" and owners[2] is not None:
            for callback in self._routes_of.get(owners[2], ()):
                callback(change)

    def _track_orphan(self, change: Change, meta: dict, uid: str, orphan: bool) -> None:
        orphans = self.orphan_pods.setdefault(meta.get("namespace", ""), {})
        if change.type != "DELETED" and orphan:
            orphans[uid] = None
            labels = meta.get("labels") or {}
            before = self._orphan_labels.get(uid)
            self._last_labels_changed = before != labels
            if before != labels:
                # copy(), not dict(): a pod's small key-sharing labels dict copies as
                # one (engine/api/compact.py), dict() would make a larger ordinary dict.
                self._orphan_labels[uid] = labels.copy()
        else:
            orphans.pop(uid, None)
            self._orphan_labels.pop(uid, None)

    def _reindex(self, uid: str, old: tuple, new: tuple) -> None:
        for owner in old[1]:
            if owner not in new[1]:
                _discard(self.dependents, owner, uid)
        for owner in new[1]:
            if owner not in old[1]:
                self.dependents.setdefault(owner, {})[uid] = None
        if old[0] != new[0]:
            if old[0] is not None:
                _discard(self.controlled, old[0], uid)
            if new[0] is not None:
                self.controlled.setdefault(new[0], {})[uid] = None

    # -- pod routing --------------------------------------------------------------------------
    def watch_pods(self, kind: str, callback: Callable[[Change], None]) -> None:
        """Tell `callback` of the changes to pods whose controller is (or was) of `kind`, and
        of every orphan pod that may be adopted. One routing for all controllers instead of
        every controller looking at every pod change."""
        self._pod_routes.append((kind, callback))
        self._routes_of.setdefault(kind, []).append(callback)

    def _dispatch(self, change: Change, old_kind: str | None, new_kind: str | None) -> None:
        everyone = self._last_labels_changed
        if not everyone and old_kind is None and new_kind is None:
            return  # an orphan whose labels did not change: no route's kind is None
        if not everyone and old_kind == new_kind:
            for callback in self._routes_of.get(new_kind, ()):  # type: ignore[arg-type]
                callback(change)
            return
        for kind, callback in self._pod_routes:
            if everyone or kind in (new_kind, old_kind):
                callback(change)

    # -- reading ----------------------------------------------------------------------------
    def controlled_by(self, owner_uid: str, kind: str | None = None) -> list[dict]:
        """Objects whose controller reference names this uid (optionally of one kind)."""
        objs = map(self.store.get_by_uid, self.controlled.get(owner_uid, ()))
        if kind is None:
            return [obj for obj in objs if obj is not None]
        return [obj for obj in objs if obj is not None and obj["kind"] == kind]

    def dependents_of(self, owner_uid: str) -> list[dict]:
        """Objects with any owner reference to this uid."""
        get = self.store.get_by_uid
        return [o for o in (get(u) for u in self.dependents.get(owner_uid, ())) if o is not None]

    def orphans(self, namespace: str) -> list[dict]:
        """Pods in a namespace that no controller owns (candidates for adoption)."""
        get = self.store.get_by_uid
        return [p for p in (get(u) for u in self.orphan_pods.get(namespace, ())) if p is not None]

    def orphan_changed(self, uid: str) -> bool:
        """Whether the change being delivered made this pod an orphan or changed an orphan's
        labels: the moments a controller may want to adopt it."""
        return self._last[0] == uid and self._last_labels_changed

    def previous_controller(self, uid: str) -> str | None:
        """The controller uid the object had before the change being delivered now.

        Changes are delivered one at a time, the index first, so a controller's watcher can
        ask this about the change it is being told of.
        """
        if self._last[0] == uid:
            return self._last[1]
        return self._owners.get(uid, _NO_OWNERS)[0]


def _discard(table: dict[str, dict[str, None]], key: str, uid: str) -> None:
    bucket = table.get(key)
    if bucket is None:
        return
    bucket.pop(uid, None)
    if not bucket:
        del table[key]
