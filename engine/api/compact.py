"""A stored pod's dicts rebuilt as key-sharing dicts: the same dicts, in less memory.

A large cluster holds one pod object per pod, and most of its bytes are dict hash tables:
the `spec` of every pod has the same 17 keys, its metadata the same 6, each container the
same 9. CPython can keep the keys of many dicts in one table that they all share (PEP 412,
key-sharing dictionaries, the `__dict__` of instances of one class); such a dict holds its
values alone. So, as engine/events.py does for events, the API server's copy of a new pod
(`copy_pod`, where it copies any other object with copy_object) makes each dict the
`__dict__` of an instance of a class made for its keys (one class for each set of keys in
their order, a bounded number of them): a 17-key spec takes 208 bytes instead of 464, a
2-key port 88 instead of 184 (Python 3.11). A class's table also has room for the keys that
defaulting, admission and later writers add to such a dict (`_LATER`), so adding them keeps
the dict compact; the few dicts admission makes itself are made compact there (`compact`).

Nothing is shared but the keys: each dict holds its own values, so a write to one pod's
container changes no other pod, and every dict is an ordinary `dict` (same keys, same
order, any key can be set, added or removed; a key its class was not made for gives that
dict a table of its own, as large as an ordinary dict's). What already is shared on purpose
(the token volume's sources, the default tolerations: `share`) is left as it is, and parts
the manifest shares within itself (YAML anchors) stay shared, as copy_object keeps them.
"""

from __future__ import annotations

import sys
from typing import Any

from engine.api.copying import copy_object

MAX_SHAPES = 4096
"""Classes made at most (one per set of keys): past it, new shapes stay ordinary dicts."""

MAX_KEYS = 24
"""CPython shares at most 30 keys a class (SHARED_KEYS_MAX_SIZE): a bigger dict stays an
ordinary dict."""

_META = (
    "name",  # from generateName, after admission
    "namespace",
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
_CONTAINER = (
    "imagePullPolicy",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "resources",
    "volumeMounts",
)
_PROBE = ("timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold")

# The keys that defaulting (engine/api/core/pod_defaults.py), admission
# (admission_plugins.py) and later writers (the store on create, a graceful delete, the
# scheduler's binding) add to the dicts found under a key of a pod: a dict's class is laid out
# with room for them. A key left out costs memory, never correctness (see above).
_LATER: dict[str, tuple[str, ...]] = {
    "metadata": _META,
    "spec": (
        "restartPolicy",
        "terminationGracePeriodSeconds",
        "dnsPolicy",
        "securityContext",
        "schedulerName",
        "enableServiceLinks",
        "serviceAccountName",
        "serviceAccount",
        "volumes",
        "priority",
        "preemptionPolicy",
        "tolerations",
        "nodeName",
    ),
    "containers": _CONTAINER,
    "initContainers": _CONTAINER,
    "ports": ("protocol",),
    "livenessProbe": _PROBE,
    "readinessProbe": _PROBE,
    "startupProbe": _PROBE,
    "httpGet": ("path", "scheme"),
    "fieldRef": ("apiVersion",),
}
_TOP = ("metadata", "spec", "status")

_shapes: dict[tuple[str, ...], type] = {}
_shared: set[int] = set()
_shared_objects: list[Any] = []
"""The objects `share` was given, kept alive so their ids stay theirs."""

_SCALARS = (str, int, float, bool, type(None))
_new = object.__new__


def share(value: Any) -> Any:
    """Mark a module-level constant that many pods hold on purpose (read-only): a pod holds
    it as it is, never a copy of it. Returns `value`."""
    _shared.add(id(value))
    _shared_objects.append(value)
    return value


def copy_pod(pod: dict) -> dict:
    """copy_object for a new pod: the same copy, its dicts compact. Label values are
    interned too (a Deployment's pods carry the same few)."""
    out = _copy_dict(pod, _TOP, {})
    meta = out.get("metadata")
    if type(meta) is dict:
        labels = meta.get("labels")
        if type(labels) is dict:
            for key, value in labels.items():
                if type(value) is str:
                    labels[key] = sys.intern(value)  # an existing key: safe while iterating
    return out


def compact(value: dict) -> dict:
    """A dict made by admission (not by copy_pod) as a compact dict with the same items (a
    shallow copy: the values are the same objects)."""
    if not value or len(value) > MAX_KEYS:
        return value
    keys = tuple(value)
    cls = _shapes.get(keys) or _shape(keys, ())
    if cls is None:
        return value
    out = _new(cls).__dict__
    # One key first, then the rest in one update: into a dict that is not empty, update
    # writes key by key into the shared table (into an empty one it would copy `value`'s).
    out[keys[0]] = None
    out.update(value)
    return out


def _copy_dict(value: dict, later: tuple[str, ...], memo: dict[int, Any]) -> dict:
    copied: dict
    if not value or len(value) > MAX_KEYS:
        copied = {}
    else:
        keys = tuple(value)
        cls = _shapes.get(keys) or _shape(keys, later)
        copied = {} if cls is None else _new(cls).__dict__
    memo[id(value)] = copied
    for key, item in value.items():
        kind = type(item)
        if kind in _SCALARS:
            copied[key] = item
        else:
            copied[key] = _copy(item, _LATER.get(key, ()), memo)
    return copied


def _copy(value: Any, later: tuple[str, ...], memo: dict[int, Any]) -> Any:
    if id(value) in _shared:
        return value
    found = memo.get(id(value))
    if found is not None:
        return found
    kind = type(value)
    if kind is dict:
        return _copy_dict(value, later, memo)
    if kind is list:
        copied: list = [None] * len(value)  # exactly as long (append would leave room)
        memo[id(value)] = copied
        for index, item in enumerate(value):
            copied[index] = item if type(item) in _SCALARS else _copy(item, later, memo)
        return copied
    return copy_object(value, memo)


def _shape(keys: tuple[str, ...], later: tuple[str, ...]) -> type | None:
    if len(_shapes) >= MAX_SHAPES or not all(type(k) is str for k in keys):
        return None
    cls = type("_Shape", (), {})
    # Lay the class's shared table out in this order (the dicts' own order), then the keys
    # written later, so that writing one of them keeps a dict compact.
    # Through the instance's __dict__, not setattr: a manifest's key may be "__class__".
    table = _new(cls).__dict__
    for key in (*keys, *(k for k in later if k not in keys)):
        table[key] = None
    # Each new instance of a class takes room for every key of its table and for the
    # table's spare places; the spare shrinks by one with each instance made, so a few
    # instances made now bring it down before any pod's dict is made.
    for _ in range(32):
        _new(cls)
    _shapes[keys] = cls
    return cls
