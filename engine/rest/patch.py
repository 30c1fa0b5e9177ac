"""The PATCH bodies kubectl sends: JSON merge patch (RFC 7386; `edit` of kinds kubectl has
no Go type for, `scale`), JSON patch (RFC 6902; `rollout undo`), and strategic merge
patch with its directives (`edit`, `apply`, `cordon`, `rollout restart`).

Strategic merge follows k8s.io/apimachinery/pkg/util/strategicpatch/patch.go: lists of
named things merge item by item on their patchMergeKey (the same table `engine.apply`
uses), `$patch: replace|delete|merge`, `$retainKeys`, `$deleteFromPrimitiveList/<field>`
and `$setElementOrder/<field>`; `null` deletes a field.
"""

from __future__ import annotations

import copy

import jsonpatch

from engine.api import errors
from engine.apply import MERGE_KEYS, MERGE_PRIMITIVE_LISTS

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (MERGE_PATCH, JSON_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"
_ELEMENT_ORDER = "$setElementOrder/"


def merge_patch(target: object, patch: object) -> object:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target: dict, operations: object) -> dict:
    """RFC 6902 JSON patch; a failed operation or `test` is the API server's 422."""
    if not isinstance(operations, list):
        raise errors.bad_request(
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        )
    try:
        return jsonpatch.apply_patch(target, operations)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as err:
        raise errors.APIError(
            422, "Invalid", f"the server rejected our request due to an error in our request: {err}"
        ) from err


def strategic_merge_patch(target: dict, patch: dict) -> dict:
    """A strategic merge patch applied to a copy of `target`."""
    if not isinstance(patch, dict):
        raise errors.bad_request(
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        )
    return _merge_map(copy.deepcopy(target), patch)


def _merge_map(target: dict, patch: dict) -> dict:
    directive = patch.get(_DIRECTIVE)
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != _DIRECTIVE}
    if directive == "delete":
        return {}
    retain = patch.get(_RETAIN_KEYS)
    for key, value in patch.items():
        if key in (_DIRECTIVE, _RETAIN_KEYS) or key.startswith(_ELEMENT_ORDER):
            continue
        if key.startswith(_DELETE_PRIMITIVE):
            field = key[len(_DELETE_PRIMITIVE) :]
            if isinstance(target.get(field), list) and isinstance(value, list):
                target[field] = [item for item in target[field] if item not in value]
            continue
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            if value.get(_DIRECTIVE) == "delete":
                target.pop(key, None)
                continue
            current = target.get(key)
            target[key] = _merge_map(current if isinstance(current, dict) else {}, value)
        elif isinstance(value, list):
            target[key] = _merge_list(key, target.get(key), value)
        else:
            target[key] = copy.deepcopy(value)
    if isinstance(retain, list):
        for key in [k for k in target if k not in retain]:
            del target[key]
    for key, order in patch.items():
        if key.startswith(_ELEMENT_ORDER) and isinstance(order, list):
            field = key[len(_ELEMENT_ORDER) :]
            if isinstance(target.get(field), list):
                target[field] = _order(field, target[field], order)
    return target


def _merge_key(field: str, items: list) -> str | None:
    for key in MERGE_KEYS.get(field, ()):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def _merge_list(field: str, current: object, patch: list) -> list:
    live = current if isinstance(current, list) else []
    if any(isinstance(i, dict) and i.get(_DIRECTIVE) == "replace" for i in patch):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and _DIRECTIVE in i)]
    if field in MERGE_PRIMITIVE_LISTS and all(not isinstance(i, dict | list) for i in patch):
        return [*live, *(i for i in patch if i not in live)]
    named = [i for i in patch if isinstance(i, dict)]
    key = _merge_key(field, named)
    if key is None or not all(isinstance(i, dict) and key in i for i in live):
        return copy.deepcopy(patch)
    out = [copy.deepcopy(i) for i in live]
    for item in named:
        index = next((n for n, o in enumerate(out) if o.get(key) == item[key]), None)
        if item.get(_DIRECTIVE) == "delete":
            if index is not None:
                del out[index]
            continue
        if index is None:
            out.append(_merge_map({}, item))
        else:
            out[index] = _merge_map(out[index], item)
    return out


def _order(field: str, items: list, order: list) -> list:
    key = _merge_key(field, [o for o in order if isinstance(o, dict)])
    if key is None:
        position = {repr(v): n for n, v in enumerate(order)}
        return sorted(items, key=lambda i: position.get(repr(i), len(order)))
    position = {o[key]: n for n, o in enumerate(order) if isinstance(o, dict)}
    return sorted(
        items,
        key=lambda i: position.get(i.get(key), len(order)) if isinstance(i, dict) else len(order),
    )


def _json_type(value: object) -> str:
    """encoding/json's name for a JSON value's type (UnmarshalTypeError.Value)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else "object"


def apply_patch(content_type: str, target: dict, patch: object) -> dict:
    """The patched object for one of the PATCH content types."""
    if content_type == MERGE_PATCH:
        result = merge_patch(target, patch)
        if not isinstance(result, dict):
            # RFC 7386: a patch that is not an object replaces the whole document, which is
            # then no object at all (encoding/json's words for decoding it into one).
            raise errors.bad_request(
                f"json: cannot unmarshal {_json_type(result)} into Go value of type "
                "map[string]interface {}"
            )
        return result
    if content_type == JSON_PATCH:
        return json_patch(target, patch)
    if content_type in (STRATEGIC_MERGE_PATCH, APPLY_PATCH):
        if not isinstance(patch, dict):
            raise errors.bad_request(
                "json: cannot unmarshal array into Go value of type map[string]interface {}"
            )
        return strategic_merge_patch(target, patch)
    raise errors.APIError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: {', '.join(PATCH_TYPES)}",
    )
