"""The strict decoder's shortcut (schema.is_clean) against the full check it spares.

is_clean may only say "nothing to report": whenever it says so, Decoder.check must find no
unknown field and no type error and must leave the object as it was (a whole float in an
integer field is the one thing the check changes). Each manifest is checked both ways.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.api.core  # noqa: F401  (registers the core kinds)
from engine.api.kinds import lookup
from engine.api.schema import Decoder, decode_errors, definitions, dotted, is_clean

ROOT = Path(__file__).resolve().parents[2]


def full_check(obj: dict, definition: str) -> tuple[list, list, dict]:
    """What Decoder.check finds, on a copy: (type errors, unknown paths, the copy after)."""
    copied = copy.deepcopy(obj)
    decoder = Decoder()
    decoder.check(copied, definition, (), definitions()[definition]["go"])
    return decoder.type_errors, decoder.unknown, copied


def definition_of(obj: dict) -> str | None:
    info = lookup(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    if info is None:
        return None
    return info.schema.get(str(obj.get("apiVersion", "")).split("/")[-1])


def assert_agrees(obj: dict, definition: str) -> None:
    errors, unknown, after = full_check(obj, definition)
    if is_clean(obj, definition):
        assert errors == [] and unknown == [], (errors, unknown)
        assert after == obj and _same_types(after, obj)
    # decode_errors (shortcut first) says exactly what the full check says, and changes
    # the object as the full check does.
    expected = errors + [
        (path, f'strict decoding error: unknown field "{dotted(path)}"') for path in unknown
    ]
    got = copy.deepcopy(obj)
    assert decode_errors(got, definition) == expected
    assert got == after and _same_types(got, after)


def _same_types(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_types(a[k], b[k]) for k in a)  # type: ignore[index, union-attr]
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_types(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    return True


def sample_objects() -> list[dict]:
    out = []
    for path in sorted((ROOT / "sample_manifests").rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and definition_of(doc) is not None:
                out.append(doc)
    return out


def test_the_shortcut_agrees_with_the_full_check_on_every_sample_manifest() -> None:
    objects = sample_objects()
    assert len(objects) > 20
    clean = 0
    for obj in objects:
        definition = definition_of(obj)
        assert definition is not None
        assert_agrees(obj, definition)
        clean += is_clean(obj, definition)
    assert clean > len(objects) // 2  # the shortcut does take the common case


POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"a": "b"}},
    "spec": {
        "containers": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "ports": [{"containerPort": 80, "name": "http"}],
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 10},
                "env": [{"name": "A", "value": "1"}],
            }
        ],
        "tolerations": [{"key": "k", "operator": "Exists", "tolerationSeconds": 30}],
        "terminationGracePeriodSeconds": 30,
    },
}

# Values that each break some rule of the decoder (or look like they might).
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([2.0, 1e10, "1", "100m", "1Gi", "x-y", "", "2**31", "-1"]),
    st.just([]),
    st.just({}),
    st.just(["a", 1]),
    st.just({"a": 1}),
)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@settings(max_examples=400, deadline=None)
@given(
    where=st.integers(min_value=0, max_value=10_000),
    value=ODD_VALUES,
    new_key=st.sampled_from([None, "imagee", "port", "name", "value", "1"]),
)
def test_the_shortcut_agrees_with_the_full_check_on_odd_pods(
    where: int, value: object, new_key: str | None
) -> None:
    pod = copy.deepcopy(POD)
    paths = [p for p in _paths(pod) if p]
    path = paths[where % len(paths)]
    parent = pod
    for part in path[:-1]:
        parent = parent[part]
    if new_key is not None and isinstance(parent, dict):
        parent[new_key] = value  # a field that may not exist, or one replaced
    else:
        parent[path[-1]] = value
    assert_agrees(pod, "io.k8s.api.core.v1.Pod")
