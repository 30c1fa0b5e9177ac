"""`kubectl apply` semantics: create what is new, patch what changed, say which.

The live object keeps the `kubectl.kubernetes.io/last-applied-configuration` annotation, as
kubectl writes it; a field that was in the last applied configuration but is no longer in
the manifest is removed from the live object (the three-way merge), and fields the manifest
never set (defaults, status, what controllers wrote) are kept.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.api.admission import ADMIN, UserInfo
from engine.api.errors import APIError

if TYPE_CHECKING:
    from engine.cluster import Cluster

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


@dataclass
class ApplyOutcome:
    """One object's result, in kubectl's words: `pod/web created`, `... configured`, ..."""

    type_name: str
    name: str
    action: str  # created, configured, unchanged, pruned, deleted, or "" on error
    namespace: str = ""
    error: APIError | None = None
    warnings: tuple[str, ...] = ()

    def line(self) -> str:
        return f"{self.type_name}/{self.name} {self.action}"


def last_applied(obj: dict) -> str:
    """The annotation's value: the manifest as JSON, without the annotation itself."""
    copied = copy.deepcopy(obj)
    annotations = (copied.get("metadata") or {}).get("annotations") or {}
    annotations.pop(LAST_APPLIED, None)
    if not annotations and "annotations" in (copied.get("metadata") or {}):
        del copied["metadata"]["annotations"]
    return json.dumps(copied, separators=(",", ":"), sort_keys=True) + "\n"


def three_way_merge(live: dict, desired: dict, previous: dict | None) -> dict:
    """Set what the manifest says, drop what it no longer says, keep everything else."""
    merged = copy.deepcopy(live)
    _merge_into(merged, desired, previous or {})
    return merged


def _merge_into(target: dict, desired: dict, previous: dict) -> None:
    for key, value in desired.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_into(
                target[key], value, previous.get(key) if isinstance(previous.get(key), dict) else {}
            )
        elif isinstance(value, list) and isinstance(target.get(key), list):
            target[key] = _merge_list(
                target[key], value, previous.get(key) if isinstance(previous.get(key), list) else []
            )
        else:
            target[key] = copy.deepcopy(value)
    for key in previous:
        if key not in desired:
            target.pop(key, None)


def _merge_list(live: list, desired: list, previous: list) -> list:
    """Lists of named items (containers, ports by name, env) merge item by item, as a
    strategic merge patch does; other lists are replaced."""
    if all(isinstance(i, dict) and "name" in i for i in desired) and all(
        isinstance(i, dict) and "name" in i for i in live
    ):
        by_name = {i["name"]: i for i in live}
        before = {i["name"]: i for i in previous if isinstance(i, dict) and "name" in i}
        out = []
        for item in desired:
            current = copy.deepcopy(by_name.get(item["name"], {}))
            _merge_into(current, item, before.get(item["name"], {}))
            out.append(current)
        return out
    return copy.deepcopy(desired)


def apply_object(cluster: Cluster, obj: dict, *, user: UserInfo = ADMIN) -> ApplyOutcome:
    """Apply one object as `kubectl apply -f` would."""
    from engine.api.kinds import lookup

    info = lookup(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    name = str((obj.get("metadata") or {}).get("name", ""))
    type_name = info.type_name() if info else str(obj.get("kind", "")).lower()
    desired = copy.deepcopy(obj)
    desired.setdefault("metadata", {}).setdefault("annotations", {})[LAST_APPLIED] = last_applied(
        obj
    )
    namespace = (
        (desired["metadata"].get("namespace") or "default") if info and info.namespaced else ""
    )
    live = cluster.store.get(info.kind, namespace, name) if info else None
    try:
        if live is None:
            result = cluster.api.create(desired, user=user)
            return ApplyOutcome(
                type_name, name, "created", namespace, warnings=tuple(result.warnings)
            )
        previous_text = ((live["metadata"].get("annotations") or {}).get(LAST_APPLIED)) or ""
        try:
            previous = json.loads(previous_text) if previous_text else None
        except json.JSONDecodeError:
            previous = None
        merged = three_way_merge(live, desired, previous)
        merged["apiVersion"] = desired.get("apiVersion", live.get("apiVersion"))
        result = cluster.api.update(merged, user=user)
        action = "configured" if result.changed else "unchanged"
        return ApplyOutcome(type_name, name, action, namespace, warnings=tuple(result.warnings))
    except APIError as err:
        return ApplyOutcome(type_name, name, "", namespace, error=err)
