"""Strict decoding against the published API schema: unknown fields and wrong types.

The schema (engine/schema/*.json) is a compact form of Kubernetes' OpenAPI definitions,
written by tools/gen_schema.py. Messages use the API server's words:
`strict decoding error: unknown field "spec.containers[0].imagee"` and
`json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
FieldPath = tuple[str | int, ...]


@cache
def definitions() -> dict[str, dict]:
    """Every definition from every schema file in engine/schema."""
    merged: dict[str, dict] = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        merged.update(json.loads(path.read_text())["definitions"])
    return merged


def dotted(path: FieldPath) -> str:
    """`spec.containers[0].image` for ("spec", "containers", 0, "image")."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _go_path(path: FieldPath) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int))


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


_SCALAR_GO_TYPES = {
    "Quantity": "resource.Quantity",
    "IntOrString": "intstr.IntOrString",
    "Time": "v1.Time",
}


def _go_type(spec: object) -> str:
    if isinstance(spec, list):
        inner = _go_type(spec[1])
        return f"[]{inner}" if spec[0] == "array" else f"map[string]{inner}"
    if spec in ("string",):
        return "string"
    if spec == "boolean":
        return "bool"
    if spec == "number":
        return "float64"
    if spec in ("int32", "int64"):
        return str(spec)
    if isinstance(spec, str) and spec in definitions():
        entry = definitions()[spec]
        if "type" in entry and "fields" not in entry:
            return _SCALAR_GO_TYPES.get(entry["go"], entry["go"])
        return f"v1.{entry['go']}"
    return "interface {}"


class Decoder:
    """Checks one object against its definition, collecting every problem."""

    def __init__(self) -> None:
        self.unknown: list[FieldPath] = []
        self.type_errors: list[tuple[FieldPath, str]] = []

    def check(self, value: object, spec: object, path: FieldPath, owner: str) -> None:
        if value is None:
            return
        if isinstance(spec, list):
            container, item = spec
            if container == "array":
                if not isinstance(value, list):
                    self._type_error(value, spec, path, owner)
                    return
                for index, element in enumerate(value):
                    self.check(element, item, (*path, index), owner)
            else:
                if not isinstance(value, dict):
                    self._type_error(value, spec, path, owner)
                    return
                for key, element in value.items():
                    self.check(element, item, (*path, key), owner)
            return
        if spec == "any" or spec == "object":
            return
        if spec in ("string", "boolean", "number", "int32", "int64") or "|" in str(spec):
            if not _scalar_ok(value, str(spec)):
                self._type_error(value, spec, path, owner)
            return
        entry = definitions().get(str(spec))
        if entry is None:
            return
        if "fields" not in entry:
            scalar = str(entry.get("type", "any"))
            if scalar != "any" and not _scalar_ok(value, scalar):
                self._type_error(value, spec, path, owner)
            return
        if not isinstance(value, dict):
            self._type_error(value, spec, path, owner)
            return
        fields = entry["fields"]
        for key, element in value.items():
            if key not in fields:
                self.unknown.append((*path, key))
                continue
            self.check(element, fields[key], (*path, key), entry["go"])

    def _type_error(self, value: object, spec: object, path: FieldPath, owner: str) -> None:
        message = (
            f"json: cannot unmarshal {_json_kind(value)} into Go struct field "
            f"{owner}.{_go_path(path)} of type {_go_type(spec)}"
        )
        self.type_errors.append((path, message))


def _scalar_ok(value: object, spec: str) -> bool:
    allowed = spec.split("|")
    if isinstance(value, bool):
        return "boolean" in allowed
    if isinstance(value, int):
        return bool({"int32", "int64", "integer", "number"} & set(allowed))
    if isinstance(value, float):
        if "number" in allowed:
            return True
        return value.is_integer() and bool({"int32", "int64", "integer"} & set(allowed))
    if isinstance(value, str):
        return "string" in allowed
    return False


def decode_errors(obj: dict, definition: str) -> list[tuple[FieldPath, str]]:
    """Strict-decoding problems of an object against a definition, as (path, message)."""
    entry = definitions().get(definition)
    if entry is None:
        return []
    decoder = Decoder()
    decoder.check(obj, definition, (), entry["go"])
    problems = list(decoder.type_errors)
    problems += [
        (path, f'strict decoding error: unknown field "{dotted(path)}"') for path in decoder.unknown
    ]
    return problems
