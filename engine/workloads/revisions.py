"""ControllerRevisions: the template history of StatefulSets and DaemonSets
(k/k pkg/controller/history/controller_history.go, statefulset's getPatch / newRevision,
daemon's snapshot)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from engine.api import errors
from engine.workloads.podutil import new_controller_ref

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.workloads.index import OwnerIndex

CONTROLLER_REVISION_HASH_LABEL = "controller.kubernetes.io/hash"


def template_patch(obj: dict) -> dict:
    """getPatch: the owner's pod template as a strategic merge patch that replaces it."""
    template = copy.deepcopy((obj.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def template_of(revision: dict) -> dict:
    """The pod template a revision holds (ApplyRevision)."""
    template = copy.deepcopy(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    return template


def revision_sort_key(revision: dict) -> tuple[int, str, str]:
    """SortControllerRevisions: by revision number, then creation time, then name."""
    meta = revision["metadata"]
    return (int(revision.get("revision") or 0), meta.get("creationTimestamp") or "", meta["name"])


def owned_revisions(index: OwnerIndex, owner: dict) -> list[dict]:
    revisions = index.controlled_by(owner["metadata"]["uid"], "ControllerRevision")
    return sorted(revisions, key=revision_sort_key)


def new_revision(owner: dict, name: str, data: dict, revision: int, labels: dict[str, str]) -> dict:
    """NewControllerRevision: owned by its controller, with the owner's annotations."""
    meta = owner["metadata"]
    obj: dict = {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "labels": dict(labels),
            "name": name,
            "namespace": meta.get("namespace", "default"),
            "ownerReferences": [new_controller_ref(owner)],
        },
        "data": data,
        "revision": revision,
    }
    if meta.get("annotations"):
        obj["metadata"]["annotations"] = dict(meta["annotations"])
    return obj


def create_revision(cluster: Cluster, revision: dict, user) -> dict | None:
    """CreateControllerRevision: an equal revision of the same name counts as created."""
    meta = revision["metadata"]
    existing = cluster.store.get("ControllerRevision", meta["namespace"], meta["name"])
    if existing is not None:
        if existing.get("data") == revision.get("data"):
            return existing
        return None
    try:
        return cluster.api.create(revision, user=user).obj
    except errors.APIError:
        return None


def bump_revision(cluster: Cluster, revision: dict, number: int) -> dict:
    """UpdateControllerRevision: a rollback re-uses an old revision with a new number."""
    if revision.get("revision") != number:
        revision["revision"] = number
        cluster.store.modified(revision)
    return revision


def truncate_history(
    cluster: Cluster, revisions: list[dict], live: set[str], limit: int, user
) -> None:
    """truncateHistory: delete the oldest revisions no pod or status uses, beyond the limit."""
    history = [r for r in revisions if r["metadata"]["name"] not in live]
    excess = len(history) - limit
    for revision in history[: max(excess, 0)]:
        meta = revision["metadata"]
        try:
            cluster.api.delete(
                "ControllerRevision", meta.get("namespace", ""), meta["name"], user=user
            )
        except errors.APIError:
            continue
