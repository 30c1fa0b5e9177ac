"""The garbage collector (k/k pkg/controller/garbagecollector): dependents whose owners are
gone are deleted; an owner deleted in the foreground (`foregroundDeletion` finalizer) waits
for its blocking dependents; an owner deleted with `orphan` lets its dependents go free."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.api import errors
from engine.api.admission import controller_user
from engine.api.kinds import lookup as lookup_kind
from engine.controllers.base import QueueController
from engine.store import Change
from engine.workloads.index import workload_index

if TYPE_CHECKING:
    from engine.cluster import Cluster

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
COMPONENT = "generic-garbage-collector"


def _finalizers(obj: dict) -> list[str]:
    return list(obj["metadata"].get("finalizers") or ())


def deleting_dependents(obj: dict) -> bool:
    """isDeletingDependents: being deleted with the foregroundDeletion finalizer."""
    return bool(obj["metadata"].get("deletionTimestamp")) and FOREGROUND in _finalizers(obj)


def orphaning(obj: dict) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp")) and ORPHAN in _finalizers(obj)


def classify_references(refs: list[dict], lookup) -> tuple[list[dict], list[dict], list[dict]]:
    """classifyReferences: (solid, dangling, waitingForDependentsDeletion).

    An owner is dangling when no object has its uid (a new object with the same name does
    not count), waiting when it is being deleted in the foreground, solid otherwise.
    """
    solid: list[dict] = []
    dangling: list[dict] = []
    waiting: list[dict] = []
    for ref in refs:
        owner = lookup(ref.get("uid", ""))
        if owner is None or owner.get("kind") != ref.get("kind"):
            if not served(ref):
                # No REST mapping for the owner's kind: upstream cannot look it up, so it
                # neither keeps nor deletes the dependent on its account.
                solid.append(ref)
                continue
            dangling.append(ref)
        elif deleting_dependents(owner):
            waiting.append(ref)
        else:
            solid.append(ref)
    return solid, dangling, waiting


def served(ref: dict) -> bool:
    """Whether the API server serves the owner reference's apiVersion and kind."""
    return lookup_kind(str(ref.get("apiVersion", "")), str(ref.get("kind", ""))) is not None


class GarbageCollector(QueueController):
    """attemptToDelete, attemptToOrphan and processDeletingDependents over the owner index."""

    name = COMPONENT

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.index = workload_index(cluster)
        self.store = cluster.store
        self.user = controller_user(COMPONENT)
        # Events have no owners and own nothing: never told of them.
        cluster.store.watch(self._on_change, except_kinds={"Event"})

    # -- the graph builder ------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.kind == "Event":
            return
        obj = change.obj
        meta = obj["metadata"]
        uid = meta.get("uid")
        if not uid:
            return
        if change.type == "DELETED":
            for dependent in self.index.dependents.get(uid, ()):
                self.enqueue(("delete", dependent))
            for ref in meta.get("ownerReferences") or ():
                owner = self.store.get_by_uid(ref.get("uid", ""))
                if owner is not None and deleting_dependents(owner):
                    self.enqueue(("dependents", owner["metadata"]["uid"]))
            return
        if meta.get("deletionTimestamp"):
            finalizers = meta.get("finalizers") or ()
            if FOREGROUND in finalizers:
                for dependent in self.index.dependents.get(uid, ()):
                    self.enqueue(("delete", dependent))
                self.enqueue(("dependents", uid))
            if ORPHAN in finalizers:
                self.enqueue(("orphan", uid))
        refs = meta.get("ownerReferences")
        if refs:
            get = self.store.get_by_uid
            for ref in refs:
                owner = get(ref.get("uid", ""))
                if (owner is None and served(ref)) or (
                    owner is not None and deleting_dependents(owner)
                ):
                    self.enqueue(("delete", uid))
                    break

    # -- workers ----------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        action, uid = key
        obj = self.store.get_by_uid(uid)
        if obj is None:
            return
        if action == "delete":
            self.attempt_to_delete(obj)
        elif action == "dependents":
            self.process_deleting_dependents(obj)
        elif action == "orphan":
            self.orphan_dependents(obj)

    def attempt_to_delete(self, obj: dict) -> None:
        """attemptToDeleteItem: delete an object whose owners are all gone or going."""
        meta = obj["metadata"]
        if meta.get("deletionTimestamp"):
            if deleting_dependents(obj):
                self.process_deleting_dependents(obj)
            return
        refs = list(meta.get("ownerReferences") or ())
        if not refs:
            return
        solid, dangling, waiting = classify_references(refs, self.store.get_by_uid)
        if solid:
            if not dangling and not waiting:
                return
            gone = {r.get("uid") for r in [*dangling, *waiting]}
            meta["ownerReferences"] = [r for r in refs if r.get("uid") not in gone]
            self.store.modified(obj)
            return
        if waiting and self.index.dependents.get(meta["uid"]):
            # A blocking dependent with dependents of its own goes in the foreground too.
            self.delete(obj, "Foreground")
            return
        finalizers = _finalizers(obj)
        if ORPHAN in finalizers:
            policy = "Orphan"
        elif FOREGROUND in finalizers:
            policy = "Foreground"
        else:
            policy = "Background"
        self.delete(obj, policy)

    def process_deleting_dependents(self, owner: dict) -> None:
        """processDeletingDependentsItem: done once no blocking dependent is left."""
        if not deleting_dependents(owner):
            return
        uid = owner["metadata"]["uid"]
        blocking = []
        for dependent in self.index.dependents_of(uid):
            for ref in dependent["metadata"].get("ownerReferences") or ():
                if ref.get("uid") == uid and ref.get("blockOwnerDeletion"):
                    blocking.append(dependent)
                    break
        if not blocking:
            self.cluster.api.remove_finalizer(owner, FOREGROUND)
            return
        for dependent in blocking:
            if not deleting_dependents(dependent):
                self.enqueue(("delete", dependent["metadata"]["uid"]))

    def orphan_dependents(self, owner: dict) -> None:
        """attemptToOrphan: remove the owner from its dependents, then the orphan finalizer."""
        if not orphaning(owner):
            return
        uid = owner["metadata"]["uid"]
        for dependent in self.index.dependents_of(uid):
            meta = dependent["metadata"]
            refs = [r for r in meta.get("ownerReferences") or () if r.get("uid") != uid]
            if refs:
                meta["ownerReferences"] = refs
            else:
                meta.pop("ownerReferences", None)
            self.store.modified(dependent)
        self.cluster.api.remove_finalizer(owner, ORPHAN)

    def delete(self, obj: dict, policy: str) -> None:
        meta = obj["metadata"]
        try:
            self.cluster.api.delete(
                obj["kind"],
                meta.get("namespace", ""),
                meta["name"],
                propagation=policy,
                user=self.user,
                uid=meta["uid"],
            )
        except errors.APIError:
            return
