"""Deep copies of API objects: dicts, lists and scalars, as the API server decodes them."""

from __future__ import annotations

import copy
from typing import Any

_SCALARS = (str, int, float, bool, type(None))


def copy_object(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """`copy.deepcopy` for JSON-shaped data, several times faster on the API server's path.

    Shared parts stay shared (YAML anchors), as deepcopy's memo keeps them; anything that is
    not a plain dict, list or scalar is handed to deepcopy itself with the same memo.
    """
    if memo is None:
        memo = {}
    return _copy(value, memo)


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    found = memo.get(id(value))
    if found is not None:
        return found
    if kind is dict:
        copied: Any = {}
        memo[id(value)] = copied
        for key, item in value.items():
            copied[key] = item if type(item) in _SCALARS else _copy(item, memo)
        return copied
    if kind is list:
        copied = []
        memo[id(value)] = copied
        for item in value:
            copied.append(item if type(item) in _SCALARS else _copy(item, memo))
        return copied
    return copy.deepcopy(value, memo)
