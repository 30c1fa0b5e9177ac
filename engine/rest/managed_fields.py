"""Field management for server-side apply: who owns which fields (`metadata.managedFields`),
conflicts, `force`, and the removal of fields an applier stops applying.

A reduced model of sigs.k8s.io/structured-merge-diff as kube-apiserver uses it
(k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager): a manager's set is the leaf paths
of what it applied (`Apply`) or changed (`Update`); lists with a patchMergeKey are keyed by
it (`k:{"name":"nginx"}`), other lists are atomic. An apply conflicts where another manager
owns a field the configuration sets to a different value; with `force` the applier takes
it. A field the applier applied before, no longer applies and nobody else owns is removed.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from engine.api.errors import APIError
from engine.apply import MERGE_KEYS

Path = tuple[str, ...]
_MISSING = object()
# Metadata the server owns; never in a field set.
_SERVER_METADATA = frozenset(
    {
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "generation",
        "managedFields",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    }
)


def _merge_key(field: str | None, items: list) -> str | None:
    for key in MERGE_KEYS.get(field or "", ()):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def _item_segment(key: str, value: object) -> str:
    return "k:" + json.dumps({key: value}, separators=(",", ":"))


def leaf_paths(obj: dict) -> set[Path]:
    """The fields an object sets, as leaf paths."""
    out: set[Path] = set()

    def walk(value: object, path: Path, field: str | None) -> None:
        if isinstance(value, dict) and value:
            for key, child in value.items():
                if not path and key in ("apiVersion", "kind", "status"):
                    continue
                if path == ("f:metadata",) and key in _SERVER_METADATA:
                    continue
                walk(child, (*path, f"f:{key}"), key)
            return
        if isinstance(value, list) and value:
            key = _merge_key(field, value)
            if key is not None:
                for item in value:
                    walk(item, (*path, _item_segment(key, item[key])), None)
                return
        if path:
            out.add(path)

    walk(obj, (), None)
    return out


def value_at(obj: object, path: Path) -> object:
    current = obj
    for segment in path:
        if segment.startswith("f:"):
            if not isinstance(current, dict) or segment[2:] not in current:
                return _MISSING
            current = current[segment[2:]]
        else:
            wanted = json.loads(segment[2:])
            if not isinstance(current, list):
                return _MISSING
            current = next(
                (
                    i
                    for i in current
                    if isinstance(i, dict) and all(i.get(k) == v for k, v in wanted.items())
                ),
                _MISSING,
            )
            if current is _MISSING:
                return _MISSING
    return current


def remove_path(obj: dict, path: Path) -> None:
    parent = value_at(obj, path[:-1]) if len(path) > 1 else obj
    last = path[-1]
    if isinstance(parent, dict) and last.startswith("f:"):
        parent.pop(last[2:], None)
    elif isinstance(parent, list) and last.startswith("k:"):
        wanted = json.loads(last[2:])
        parent[:] = [
            i
            for i in parent
            if not (isinstance(i, dict) and all(i.get(k) == v for k, v in wanted.items()))
        ]


def to_fields_v1(paths: set[Path]) -> dict:
    tree: dict = {}
    for path in sorted(paths):
        node = tree
        for segment in path:
            node = node.setdefault(segment, {})
            if segment.startswith("k:"):
                node.setdefault(".", {})
    return tree


def from_fields_v1(tree: dict) -> set[Path]:
    out: set[Path] = set()

    def walk(node: dict, path: Path) -> None:
        children = {k: v for k, v in node.items() if k != "."}
        if not children:
            if path:
                out.add(path)
            return
        for key, child in children.items():
            walk(child if isinstance(child, dict) else {}, (*path, key))

    walk(tree, ())
    return out


def _overlaps(a: Path, b: Path) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def path_string(path: Path) -> str:
    """fieldpath.Path.String(): `.spec.template.spec.containers[name="nginx"].image`."""
    out = ""
    for segment in path:
        if segment.startswith("f:"):
            out += "." + segment[2:]
        else:
            wanted = json.loads(segment[2:])
            out += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in wanted.items()) + "]"
    return out


def _manager_text(entry: dict) -> str:
    text = json.dumps(entry.get("manager", ""))
    if entry.get("subresource"):
        text += f" with subresource {json.dumps(entry['subresource'])}"
    if entry.get("operation") == "Update":
        text += f" using {entry.get('apiVersion', '')}"
        if entry.get("time"):
            text += f" at {entry['time']}"
    return text


def conflict_error(conflicts: list[tuple[dict, Path]]) -> APIError:
    """errors.NewApplyConflict with conflict.go's message and FieldManagerConflict causes."""
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_manager_text(entry)}: {path_string(path)}"
    else:
        by_manager: dict[str, list[Path]] = {}
        for entry, path in conflicts:
            by_manager.setdefault(_manager_text(entry), []).append(path)
        lines = []
        for manager in sorted(by_manager):
            lines.append(f"conflicts with {manager}:")
            lines += [f"- {path_string(p)}" for p in by_manager[manager]]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    err = APIError(409, "Conflict", message)
    err.causes = [  # type: ignore[attr-defined]
        ("FieldManagerConflict", f"conflict with {_manager_text(e)}", path_string(p))
        for e, p in conflicts
    ]
    return err


def _entry(
    manager: str,
    operation: str,
    api_version: str,
    time: str,
    paths: set[Path],
    subresource: str = "",
) -> dict:
    entry: dict[str, Any] = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": time,
        "fieldsType": "FieldsV1",
        "fieldsV1": to_fields_v1(paths),
    }
    if subresource:
        entry["subresource"] = subresource
    return entry


def _canonical(entries: list[dict]) -> list[str]:
    return sorted(json.dumps(e, sort_keys=True) for e in entries)


def _entries(obj: dict) -> list[dict]:
    return [copy.deepcopy(e) for e in (obj.get("metadata") or {}).get("managedFields") or []]


def _set_entries(obj: dict, entries: list[dict], before: list[dict] | None = None) -> None:
    kept = [e for e in entries if e.get("fieldsV1")]
    if before is not None and _canonical(kept) == _canonical(before):
        kept = before  # the same entries: keep their order, so nothing changed

    meta = obj.setdefault("metadata", {})
    if kept:
        meta["managedFields"] = kept
    else:
        meta.pop("managedFields", None)


def server_side_apply(
    live: dict,
    config: dict,
    merged: dict,
    *,
    manager: str,
    api_version: str,
    time: str,
    force: bool,
) -> dict:
    """The object after `manager` applies `config` to `live` (`merged` is config merged onto
    live); raises the 409 apply conflict unless `force`."""
    entries = _entries(live)
    applied = leaf_paths(config)
    conflicts: list[tuple[dict, Path]] = []
    for entry in entries:
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            continue
        owned = from_fields_v1(entry.get("fieldsV1") or {})
        for path in sorted(owned):
            for wanted in applied:
                if _overlaps(path, wanted) and value_at(live, path) != value_at(config, path):
                    conflicts.append((entry, path))
                    break
    if conflicts and not force:
        raise conflict_error(conflicts)
    taken = {path for _, path in conflicts}
    previous: set[Path] = set()
    others: set[Path] = set()
    kept: list[dict] = []
    for entry in entries:
        owned = from_fields_v1(entry.get("fieldsV1") or {})
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            previous = owned
            continue
        owned -= taken
        others |= owned
        entry["fieldsV1"] = to_fields_v1(owned)
        kept.append(entry)
    result = copy.deepcopy(merged)
    for path in sorted(previous - applied, key=len, reverse=True):
        if any(_overlaps(path, p) for p in applied) or any(_overlaps(path, p) for p in others):
            continue
        remove_path(result, path)
    kept.append(
        _entry(
            manager, "Apply", api_version, _time(entries, manager, "Apply", applied, time), applied
        )
    )
    _set_entries(result, kept, _entries(live))
    return result


def _time(
    entries: list[dict],
    manager: str,
    operation: str,
    paths: set[Path],
    now: str,
    subresource: str = "",
) -> str:
    """An entry's time changes only with its field set: a no-op apply changes nothing."""
    for entry in entries:
        if (
            entry.get("manager") == manager
            and entry.get("operation") == operation
            and entry.get("subresource", "") == subresource
            and from_fields_v1(entry.get("fieldsV1") or {}) == paths
        ):
            return str(entry.get("time", now))
    return now


def record_update(
    old: dict | None, new: dict, *, manager: str, api_version: str, time: str, subresource: str = ""
) -> None:
    """A create, update or non-apply patch by `manager`: it owns what it set or changed, and
    other managers lose those fields (in place on `new`)."""
    entries = _entries(old) if old is not None else []
    if old is None:
        changed = leaf_paths(new)
    else:
        changed = {
            p for p in leaf_paths(new) | leaf_paths(old) if value_at(old, p) != value_at(new, p)
        }
    if not changed and old is not None:
        _set_entries(new, entries)
        return
    mine: set[Path] = set()
    kept: list[dict] = []
    for entry in entries:
        owned = from_fields_v1(entry.get("fieldsV1") or {})
        same = (
            entry.get("manager") == manager
            and entry.get("operation") == "Update"
            and entry.get("subresource", "") == subresource
        )
        if same:
            mine = owned
            continue
        entry["fieldsV1"] = to_fields_v1(
            {p for p in owned if not any(_overlaps(p, c) for c in changed)}
        )
        kept.append(entry)
    still_set = {p for p in mine | changed if value_at(new, p) is not _MISSING}
    when = _time(entries, manager, "Update", still_set, time, subresource)
    kept.append(_entry(manager, "Update", api_version, when, still_set, subresource))
    _set_entries(new, kept, _entries(old) if old is not None else None)
