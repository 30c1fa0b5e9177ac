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


def json_kind(value: object) -> str:
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
                    if type(element) is str and item == "string":
                        continue  # what check would accept, without the call
                    self.check(element, item, (*path, index), owner)
                    if isinstance(element, float):
                        _as_integer(value, index, item)
            else:
                if not isinstance(value, dict):
                    self._type_error(value, spec, path, owner)
                    return
                for key, element in value.items():
                    if type(element) is str and item == "string":
                        continue
                    self.check(element, item, (*path, key), owner)
                    if isinstance(element, float):
                        _as_integer(value, key, item)
            return
        if spec == "any" or spec == "object":
            return
        if spec in ("string", "boolean", "number", "int32", "int64") or "|" in str(spec):
            if not _scalar_ok(value, str(spec)):
                self._type_error(value, spec, path, owner)
            elif isinstance(spec, str) and spec in INT_RANGES and not _in_range(value, spec):
                # encoding/json (decode.go, literalStore): a number that does not fit the
                # field's Go integer type is an UnmarshalTypeError naming the number.
                self.type_errors.append(
                    (
                        path,
                        f"json: cannot unmarshal number {go_json_number(value)} into Go struct "
                        f"field {owner}.{_go_path(path)} of type {spec}",
                    )
                )
            return
        entry = definitions().get(str(spec))
        if entry is None:
            return
        if "fields" not in entry:
            scalar = str(entry.get("type", "any"))
            if scalar != "any" and not _scalar_ok(value, scalar):
                self._type_error(value, spec, path, owner)
            elif entry.get("go") == "Quantity":
                self._quantity(value, path)
            elif entry.get("go") == "IntOrString" and not _in_range(value, "int32"):
                # intstr.IntOrString.UnmarshalJSON decodes a number into its int32 IntVal.
                self.type_errors.append(
                    (
                        path,
                        f"json: cannot unmarshal number {go_json_number(value)} into Go value "
                        "of type int32",
                    )
                )
            return
        if not isinstance(value, dict):
            self._type_error(value, spec, path, owner)
            return
        fields = entry["fields"]
        go = entry["go"]
        for key, element in value.items():
            field = fields.get(key)
            if field is None:
                if key not in fields:
                    self.unknown.append((*path, key))
                    continue
            elif type(element) is str and field == "string":
                continue  # the commonest field of all, checked without a call
            self.check(element, field, (*path, key), go)
            # Only a float can become an int (what _as_integer looks at is this element).
            if isinstance(element, float):
                _as_integer(value, key, field)

    def _quantity(self, value: object, path: FieldPath) -> None:
        """resource.Quantity.UnmarshalJSON: ParseQuantity's error, as it is."""
        from engine.quantity import QuantityError, parse_quantity

        try:
            parse_quantity(value)  # type: ignore[arg-type]
        except QuantityError as err:
            self.type_errors.append((path, str(err)))

    def _type_error(self, value: object, spec: object, path: FieldPath, owner: str) -> None:
        kind = json_kind(value)
        if kind == "number" and isinstance(spec, str) and spec in INT_RANGES:
            kind = f"number {go_json_number(value)}"  # ParseInt failed on the literal
        message = (
            f"json: cannot unmarshal {kind} into Go struct field "
            f"{owner}.{_go_path(path)} of type {_go_type(spec)}"
        )
        self.type_errors.append((path, message))


INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _in_range(value: object, spec: str) -> bool:
    """A number that fits the Go integer type (a float only when it is a whole number:
    Go marshals float64(2) as `2`, which decodes into an int; `2.5` does not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True  # not a number: the type check speaks for it
    if isinstance(value, float) and not value.is_integer():
        return False
    low, high = INT_RANGES[spec]
    return low <= value <= high


def _as_integer(container: dict | list, key: object, spec: object) -> None:
    """A whole float in an integer field becomes an int, as it does through JSON in Go."""
    value = container[key]  # type: ignore[index]
    if not isinstance(value, float) or not value.is_integer():
        return
    entry = definitions().get(str(spec)) or {}
    if (isinstance(spec, str) and spec in INT_RANGES) or entry.get("go") == "IntOrString":
        container[key] = int(value)  # type: ignore[index]


def go_json_number(value: object) -> str:
    """A number as Go's encoding/json writes it (float64: shortest digits, %f between 1e-6
    and 1e21, else %e with `e-7` rather than `e-07`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if value == 0:
        return "0"
    if 1e-6 <= abs(value) < 1e21:
        from decimal import Decimal

        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, _, exponent = repr(value).partition("e")
    number = int(exponent)
    digits = f"{abs(number):02d}"
    if number < 0 and digits.startswith("0"):
        digits = digits[1:]
    return f"{mantissa}e{'-' if number < 0 else '+'}{digits}"


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


_INTEGER_SPECS = frozenset({"int32", "int64", "integer", "number"})
_SCALAR_SPECS = ("string", "boolean", "number", "int32", "int64")


def is_clean(value: object, spec: object) -> bool:
    """Whether Decoder.check would find nothing to say and change nothing: a shortcut for
    the objects nearly every write brings, without the field paths the messages need.

    False is only "look closer": anything this does not vouch for (a float, which the
    check may turn into an int; a type it would refuse; an unknown field) goes to the
    full check, which finds what is wrong and says so.
    """
    if value is None:
        return True
    kind = type(value)
    if kind is float:
        return False
    if type(spec) is list:
        container, item = spec
        if container == "array":
            if kind is not list:
                return False
            elements = value
        else:
            if kind is not dict:
                return False
            elements = value.values()  # type: ignore[attr-defined]
        if item == "string":
            for element in elements:
                if type(element) is not str and not is_clean(element, item):
                    return False
            return True
        for element in elements:  # noqa: SIM110 - a loop: all() over a generator costs more
            if not is_clean(element, item):
                return False
        return True
    if spec == "any" or spec == "object":
        return True
    if spec in _SCALAR_SPECS or "|" in str(spec):
        return _clean_scalar(value, kind, str(spec))
    entry = definitions().get(str(spec))
    if entry is None:
        return True
    fields = entry.get("fields")
    if fields is None:
        scalar = str(entry.get("type", "any"))
        if scalar != "any" and not _clean_scalar(value, kind, scalar, ranged=False):
            return False
        go = entry.get("go")
        if go == "Quantity":
            from engine.quantity import parse_quantity

            try:
                parse_quantity(value)  # type: ignore[arg-type]
            except Exception:  # the full check says what it is (or raises it)
                return False
        elif go == "IntOrString" and not _in_range(value, "int32"):
            return False
        return True
    if kind is not dict:
        return False
    for key, element in value.items():  # type: ignore[attr-defined]
        field = fields.get(key)
        if field is None:
            if key not in fields:
                return False  # an unknown field
            continue  # a field without a type: nothing to check
        if field == "string" and type(element) is str:
            continue
        if not is_clean(element, field):
            return False
    return True


def _clean_scalar(value: object, kind: type, spec: str, *, ranged: bool = True) -> bool:
    """_scalar_ok (and the integer range check) for the values is_clean lets through."""
    if kind is str:
        return spec == "string" or "string" in spec.split("|")
    if kind is bool:
        return spec == "boolean" or "boolean" in spec.split("|")
    if kind is int:
        if not _INTEGER_SPECS.intersection(spec.split("|")):
            return False
        return not ranged or spec not in INT_RANGES or _in_range(value, spec)
    return False


def decode_errors(obj: dict, definition: str) -> list[tuple[FieldPath, str]]:
    """Strict-decoding problems of an object against a definition, as (path, message)."""
    entry = definitions().get(definition)
    if entry is None:
        return []
    if is_clean(obj, definition):
        return []
    decoder = Decoder()
    decoder.check(obj, definition, (), entry["go"])
    problems = list(decoder.type_errors)
    problems += [
        (path, f'strict decoding error: unknown field "{dotted(path)}"') for path in decoder.unknown
    ]
    return problems
