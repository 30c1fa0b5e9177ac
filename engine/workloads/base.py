"""What the workload controllers share: the owner index, claiming pods (adoption and
release, k/k pkg/controller/controller_ref_manager.go), status writes and time."""

from __future__ import annotations

import copy
import marshal
from typing import TYPE_CHECKING

from engine.controllers.base import QueueController
from engine.labels import SelectorError, label_selector_as_selector
from engine.workloads.index import workload_index
from engine.workloads.podutil import controller_ref, new_controller_ref, seconds_of

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.labels import Selector


def set_status(obj: dict, status: dict, cluster: Cluster) -> bool:
    """UpdateStatus: write the new status only when it differs; True if it was written."""
    if obj.get("status") == status:
        return False
    obj["status"] = status
    cluster.store.modified(obj)
    return True


class WorkloadController(QueueController):
    """A queue controller keyed by (namespace, name) of its kind, with the owner index."""

    kind = ""

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(cluster)
        self.index = workload_index(cluster)
        self.store = cluster.store
        self.clock = cluster.clock

    # -- time -------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.clock.now

    def seconds(self, timestamp: str | None) -> float | None:
        return seconds_of(self.clock, timestamp)

    def timestamp(self) -> str:
        return self.clock.timestamp()

    # -- keys -------------------------------------------------------------------------------
    def enqueue_obj(self, obj: dict) -> None:
        meta = obj["metadata"]
        self.enqueue((meta.get("namespace", ""), meta["name"]))

    def enqueue_obj_after(self, obj: dict, delay: float) -> None:
        meta = obj["metadata"]
        self.enqueue_after((meta.get("namespace", ""), meta["name"]), delay)

    def get(self, key: tuple[str, str]) -> dict | None:
        return self.store.get(self.kind, key[0], key[1])

    def owner_of(self, obj: dict, uid: str | None = None) -> dict | None:
        """The live object of this controller's kind that owns `obj` (by uid)."""
        ref_uid = uid
        if ref_uid is None:
            ref = controller_ref(obj)
            if ref is None or ref.get("kind") != self.kind:
                return None
            ref_uid = ref.get("uid")
        owner = self.store.get_by_uid(ref_uid or "")
        if owner is None or owner["kind"] != self.kind:
            return None
        return owner

    def enqueue_owner_of_pod(self, pod: dict) -> None:
        """Wake the controller of a pod (now and, if it changed, before)."""
        current = controller_ref(pod)
        previous = self.index.previous_controller(pod["metadata"].get("uid", ""))
        if current is not None and current.get("uid") == previous:
            # The common case: the same controller as before; wake it if it is one of ours.
            if current.get("kind") == self.kind:
                owner = self.owner_of(pod)
                if owner is not None:
                    self.enqueue_obj(owner)
            return
        owner = self.owner_of(pod)
        if owner is not None:
            self.enqueue_obj(owner)
        if previous is not None and (current is None or current.get("uid") != previous):
            old_owner = self.owner_of(pod, previous)
            if old_owner is not None:
                self.enqueue_obj(old_owner)

    def enqueue_matching(self, pod: dict) -> None:
        """An orphan pod: wake every object of this kind in its namespace that selects it."""
        meta = pod["metadata"]
        labels = meta.get("labels") or {}
        namespace = meta.get("namespace", "")
        for obj in self.store.list(self.kind, namespace):
            selector = selector_of(obj)
            if selector is not None and not selector.empty() and selector.matches(labels):
                self.enqueue_obj(obj)

    # -- claiming -----------------------------------------------------------------------------
    def claim_pods(
        self, owner: dict, selector: Selector | None, *, finalizer: str | None = None
    ) -> list[dict]:
        """ClaimPods: the pods this owner controls, adopting matching orphans and releasing
        owned pods whose labels no longer match."""
        claimed: list[dict] = []
        uid = owner["metadata"]["uid"]
        deleting = bool(owner["metadata"].get("deletionTimestamp"))
        matches = selector.matches if selector is not None else None
        for pod in self.index.controlled_by(uid, "Pod"):
            if deleting or (matches is not None and matches(pod["metadata"].get("labels"))):
                claimed.append(pod)
            else:
                release(pod, uid, self.cluster)
        if deleting or selector is None or selector.empty():
            return claimed
        namespace = owner["metadata"].get("namespace", "")
        for pod in self.index.orphans(namespace):
            meta = pod["metadata"]
            if meta.get("deletionTimestamp"):
                continue
            if not selector.matches(meta.get("labels") or {}):
                continue
            adopt(pod, owner, self.cluster, finalizer=finalizer)
            claimed.append(pod)
        return claimed


SELECTOR_MEMO_LIMIT = 4096
"""Parsed selectors remembered (a pure function of the selector): past this, start over."""
_SELECTOR_MEMO: dict[bytes, Selector | None] = {}


def selector_of(obj: dict) -> Selector | None:
    """The object's label selector, or None when it is missing or invalid."""
    selector = (obj.get("spec") or {}).get("selector")
    if selector is None:
        return None
    # Every sync of every workload asks: parse each selector once (Selectors are immutable).
    try:
        key = marshal.dumps(selector)
    except ValueError:
        return _parse_selector(selector)
    if key in _SELECTOR_MEMO:
        return _SELECTOR_MEMO[key]
    if len(_SELECTOR_MEMO) >= SELECTOR_MEMO_LIMIT:
        _SELECTOR_MEMO.clear()
    parsed = _SELECTOR_MEMO[key] = _parse_selector(selector)
    return parsed


def _parse_selector(selector: dict) -> Selector | None:
    try:
        return label_selector_as_selector(selector)
    except SelectorError:
        return None


def adopt(obj: dict, owner: dict, cluster: Cluster, *, finalizer: str | None = None) -> None:
    """AdoptPod / AdoptReplicaSet: patch the owner's controller reference in."""
    meta = obj["metadata"]
    refs = [
        r for r in meta.get("ownerReferences") or () if r.get("uid") != owner["metadata"]["uid"]
    ]
    refs.append(new_controller_ref(owner))
    meta["ownerReferences"] = refs
    if finalizer and finalizer not in (meta.get("finalizers") or ()):
        meta["finalizers"] = [*(meta.get("finalizers") or ()), finalizer]
    cluster.store.modified(obj)


def release(obj: dict, owner_uid: str, cluster: Cluster) -> None:
    """ReleasePod: patch the owner's reference out."""
    meta = obj["metadata"]
    refs = [r for r in meta.get("ownerReferences") or () if r.get("uid") != owner_uid]
    if refs:
        meta["ownerReferences"] = refs
    else:
        meta.pop("ownerReferences", None)
    cluster.store.modified(obj)


def deep(obj: object) -> object:
    return copy.deepcopy(obj)
