"""The patch client-side `kubectl apply` sends for an object that exists.

kubectl (pkg/cmd/apply/patcher.go) compares three documents: the last applied
configuration (the `kubectl.kubernetes.io/last-applied-configuration` annotation of the
live object), the modified one (the manifest, carrying its own new annotation) and the
live object. For kinds it has Go types for it sends the three-way strategic merge patch
(k8s.io/apimachinery/pkg/util/strategicpatch CreateThreeWayMergePatch): the changes and
additions from live to modified, plus the deletions from last applied to modified, with
`$setElementOrder`, `$retainKeys`, `$patch: delete` and `$deleteFromPrimitiveList`
directives. For kinds it has no Go type for (custom resources, and PodSecurityPolicy and
PodPreset, gone from kubectl 1.32's scheme) it sends the three-way JSON merge patch
(k8s.io/apimachinery/pkg/util/jsonmergepatch CreateThreeWayJSONMergePatch).

Which lists merge item by item, on which key, and which structs retain keys are the
engine's own tables (engine.apply), so the served cluster applies this patch the way the
engine's apply merges: the merge rules are written once.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.apply import MERGE_KEYS, MERGE_PRIMITIVE_LISTS, RETAIN_KEYS

DIRECTIVE = "$patch"
RETAIN_KEYS_DIRECTIVE = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/"
SET_ELEMENT_ORDER = "$setElementOrder/"

UNTYPED = frozenset(
    {
        ("policy/v1beta1", "PodSecurityPolicy"),
        ("extensions/v1beta1", "PodSecurityPolicy"),
        ("settings.k8s.io/v1alpha1", "PodPreset"),
    }
)
"""(apiVersion, kind) the engine serves that kubectl 1.32 has no Go type for: it patches
them with a JSON merge patch, as it does custom resources."""


class PatchError(ValueError):
    """The patch cannot be made (kubectl's words)."""


def is_strategic(api_version: str, kind: str) -> bool:
    """Whether kubectl sends a strategic merge patch for this kind (else a JSON merge patch)."""
    return (api_version, kind) not in UNTYPED


# -- JSON categories (Go's reflect.TypeOf over decoded JSON) ---------------------------------
def _category(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _same(a: object, b: object) -> bool:
    """reflect.DeepEqual over JSON values (True is not 1 there)."""
    if _category(a) != _category(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _go_string(value: object) -> str:
    """fmt.Sprintf("%v"): how strategicpatch compares merge keys and scalars when sorting."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- patch metadata from the engine's tables -------------------------------------------------
def _merge_key(field: str, items: list) -> str | None:
    """The patchMergeKey of a list of maps that merges item by item, or None (replace)."""
    for key in MERGE_KEYS.get(field, ()):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def _merges_scalars(field: str, items: list) -> bool:
    return field in MERGE_PRIMITIVE_LISTS and all(not isinstance(i, dict | list) for i in items)


# -- diffMaps --------------------------------------------------------------------------------
def _diff_maps(
    original: dict,
    modified: dict,
    *,
    ignore_deletions: bool,
    ignore_changes: bool,
    retain_keys: bool = False,
) -> dict:
    """strategicpatch.diffMaps with SetElementOrder on."""
    patch: dict[str, Any] = {}
    retained: list[str] = []
    for key, mod in modified.items():
        if retain_keys and mod is not None:
            retained.append(key)
        if key not in original:
            if not ignore_changes:
                patch[key] = copy.deepcopy(mod)
            continue
        orig = original[key]
        if _category(orig) != _category(mod):
            if not ignore_changes:
                patch[key] = copy.deepcopy(mod)
            continue
        if isinstance(orig, dict):
            sub = _diff_maps(
                orig,
                mod,
                ignore_deletions=ignore_deletions,
                ignore_changes=ignore_changes,
                retain_keys=key in RETAIN_KEYS,
            )
            if sub:
                patch[key] = sub
        elif isinstance(orig, list):
            _diff_slices(key, orig, mod, patch, ignore_deletions, ignore_changes)
        elif not ignore_changes and not _same(orig, mod):
            patch[key] = copy.deepcopy(mod)
    if not ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    additional = any(v is not None and k not in modified for k, v in original.items())
    if retained and (patch or additional):
        patch[RETAIN_KEYS_DIRECTIVE] = sorted(retained)
    return patch


def _diff_slices(
    key: str,
    original: list,
    modified: list,
    patch: dict,
    ignore_deletions: bool,
    ignore_changes: bool,
) -> None:
    """handleSliceDiff: merge lists give items, deletions and their order; others replace."""
    both = [*original, *modified]
    merge_key = _merge_key(key, both)
    if merge_key is None and not _merges_scalars(key, both):
        if not ignore_changes and not _same(original, modified):
            patch[key] = copy.deepcopy(modified)
        return
    if not original:
        if modified and not ignore_changes:
            patch[key] = copy.deepcopy(modified)
        return
    if merge_key is None:
        added, deleted, order = _diff_scalars(original, modified, ignore_deletions, ignore_changes)
    else:
        added, order = _diff_maps_list(
            key, original, modified, merge_key, ignore_deletions, ignore_changes
        )
        deleted = []
    if added:
        patch[key] = added
    if deleted:
        patch[DELETE_FROM_PRIMITIVE_LIST + key] = deleted
    if order:
        patch[SET_ELEMENT_ORDER + key] = order


def _diff_maps_list(
    field: str,
    original: list,
    modified: list,
    merge_key: str,
    ignore_deletions: bool,
    ignore_changes: bool,
) -> tuple[list, list | None]:
    """diffListsOfMaps, then diffLists' ordering: changed and added items in the manifest's
    order, `$patch: delete` items after them, and the `$setElementOrder` list."""
    before = {_go_string(i[merge_key]): i for i in original}
    after = {_go_string(i[merge_key]): i for i in modified}
    changed: list[dict] = []
    deletions: list[dict] = []
    for name in sorted(before.keys() | after.keys()):
        if name in before and name in after:
            sub = _diff_maps(
                before[name],
                after[name],
                ignore_deletions=ignore_deletions,
                ignore_changes=ignore_changes,
                retain_keys=field == "volumes",
            )
            if sub:
                sub[merge_key] = after[name][merge_key]
                changed.append(sub)
        elif name in after:
            if not ignore_changes:
                changed.append(copy.deepcopy(after[name]))
        elif not ignore_deletions:
            deletions.append({merge_key: before[name][merge_key], DIRECTIVE: "delete"})
    position = {_go_string(i[merge_key]): n for n, i in enumerate(modified)}
    changed.sort(key=lambda i: position.get(_go_string(i[merge_key]), len(modified)))
    same_order = len(original) == len(modified) and all(
        _same(a.get(merge_key), b.get(merge_key)) for a, b in zip(original, modified, strict=True)
    )
    items = changed + deletions
    order = None
    if (not ignore_changes and (items or not same_order)) or (not ignore_deletions and items):
        order = [{merge_key: i[merge_key]} for i in modified]
    return items, order


def _diff_scalars(
    original: list, modified: list, ignore_deletions: bool, ignore_changes: bool
) -> tuple[list, list, list | None]:
    """diffListsOfScalars and its ordering: additions, deletions, `$setElementOrder`."""
    before = {_go_string(v) for v in original}
    after = {_go_string(v) for v in modified}
    added = [] if ignore_changes else [v for v in modified if _go_string(v) not in before]
    added = list({_go_string(v): v for v in added}.values())
    deleted: list = []
    if not ignore_deletions:
        seen: set[str] = set()
        for v in sorted(original, key=_go_string):
            if _go_string(v) not in after and _go_string(v) not in seen:
                seen.add(_go_string(v))
                deleted.append(v)
    order = None
    if (not ignore_deletions and deleted) or (not ignore_changes and not _same(original, modified)):
        order = list(modified)
    return added, deleted, order


# -- merging the deletions with the changes (mergeMap without parallel lists) ---------------
def _merge_patches(base: dict, patch: dict) -> dict:
    """strategicpatch.mergeMap(deletions, delta) as CreateThreeWayMergePatch calls it: the
    directives are carried over, lists of named items meet item by item."""
    for key, value in patch.items():
        if key == RETAIN_KEYS_DIRECTIVE or key.startswith(SET_ELEMENT_ORDER):
            base.setdefault(key, copy.deepcopy(value))
            continue
        if key not in base or value is None or _category(base[key]) != _category(value):
            base[key] = copy.deepcopy(value)
        elif isinstance(value, dict):
            base[key] = _merge_patches(base[key], value)
        elif isinstance(value, list):
            base[key] = _merge_patch_lists(key, base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _merge_patch_lists(field: str, base: list, patch: list) -> list:
    merge_key = _merge_key(field, [i for i in (*base, *patch) if isinstance(i, dict)])
    if merge_key is None:
        if _merges_scalars(field, [*base, *patch]):
            return list({_go_string(v): v for v in (*base, *patch)}.values())
        return copy.deepcopy(patch)
    merged = [copy.deepcopy(i) for i in base]
    ours: list[dict] = []
    for item in patch:
        index = next(
            (n for n, o in enumerate(merged) if _same(o.get(merge_key), item.get(merge_key))), None
        )
        if index is None:
            ours.append(copy.deepcopy(item))
        else:
            ours.append(_merge_patches(merged.pop(index), item))
    # normalizeElementOrder: the patch's items first, in its order, then the others.
    return ours + merged


# -- the two patches kubectl sends ----------------------------------------------------------
def three_way_strategic_patch(original: dict | None, modified: dict, current: dict) -> dict:
    """CreateThreeWayMergePatch(original, modified, current) with overwrite (kubectl's
    default): what to send so that the live object takes the manifest's values and loses
    what the last applied configuration had and the manifest no longer has."""
    delta = _diff_maps(current, modified, ignore_deletions=True, ignore_changes=False)
    deletions = _diff_maps(original or {}, modified, ignore_deletions=False, ignore_changes=True)
    return _merge_patches(deletions, delta)


def _merge_patch_diff(a: dict, b: dict) -> dict:
    """jsonpatch.CreateMergePatch (RFC 7386) from a to b."""
    into: dict[str, Any] = {}
    for key, bv in b.items():
        if key not in a or _category(a[key]) != _category(bv):
            into[key] = copy.deepcopy(bv)
        elif isinstance(bv, dict):
            sub = _merge_patch_diff(a[key], bv)
            if sub:
                into[key] = sub
        elif not _same(a[key], bv):
            into[key] = copy.deepcopy(bv)
    for key in a:
        if key not in b:
            into[key] = None
    return into


def _keep_or_delete_null(patch: dict, keep_null: bool) -> dict:
    """jsonmergepatch.keepOrDeleteNullInObj: only the deletions, or only the rest."""
    out: dict[str, Any] = {}
    for key, value in patch.items():
        if value is None:
            if keep_null:
                out[key] = None
        elif isinstance(value, dict):
            if not value:
                if not keep_null:
                    out[key] = value
                continue
            sub = _keep_or_delete_null(value, keep_null)
            if sub:
                out[key] = sub
        elif not keep_null:
            out[key] = value
    return out


def _apply_merge_patch(target: dict, patch: dict) -> dict:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _apply_merge_patch(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def three_way_json_merge_patch(original: dict | None, modified: dict, current: dict) -> dict:
    """CreateThreeWayJSONMergePatch with kubectl's preconditions (buildMergePatch)."""
    changes = _keep_or_delete_null(_merge_patch_diff(current, modified), keep_null=False)
    deletions = _keep_or_delete_null(_merge_patch_diff(original or {}, modified), keep_null=True)
    patch = _apply_merge_patch(deletions, changes)
    if "apiVersion" in patch or "kind" in patch or "name" in (patch.get("metadata") or {}):
        raise PatchError("At least one of apiVersion, kind and name was changed")
    return patch
