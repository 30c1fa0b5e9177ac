"""Field errors printed as the 1.24 API server printed them (apimachinery `field.Error`).

PSP, RBAC and PodPreset messages quote Go values: `field.Error.ErrorBody` (≈1.15–1.27)
prints nil and nil pointers as "null", ints and bools bare, strings with %q and anything
else with Go's %#v (`[]int64{1000}`, `[]core.Capability{"NET_ADMIN"}`). The engine's own
helpers in engine.api.validation quote with JSON, which matches for scalars only; these
keep the Go renderings the PSP messages need.
"""

from __future__ import annotations

import json

from engine.api.errors import aggregate as aggregate  # utilerrors.NewAggregate, said once
from engine.api.validation import render

Path = tuple[str | int, ...] | str


class GoSlice:
    """A typed Go slice for %#v: GoSlice("int64", [1, 2]) -> `[]int64{1, 2}`; None -> `[]int64(nil)`."""

    def __init__(self, type_name: str, items: list | None) -> None:
        self.type_name = type_name
        self.items = items

    def __repr__(self) -> str:
        if self.items is None:
            return f"[]{self.type_name}(nil)"
        return "[]" + self.type_name + "{" + ", ".join(go_quote(i) for i in self.items) + "}"


class GoStruct:
    """A Go struct for %#v: GoStruct("rbac.RoleRef", [("Kind", "Role")]) -> `rbac.RoleRef{Kind:"Role"}`."""

    def __init__(self, type_name: str, fields: list[tuple[str, object]]) -> None:
        self.type_name = type_name
        self.fields = fields

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}:{go_quote(value)}" for name, value in self.fields)
        return f"{self.type_name}{{{inner}}}"


def go_quote(value: object) -> str:
    """%#v of a scalar or GoSlice/GoStruct (strings quoted like Go's %q)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def go_value(value: object) -> str:
    """The bad value as ErrorBody prints it (nil and nil pointers are the string "null")."""
    if value is None:
        return '"null"'
    return go_quote(value)


def path_text(path: Path) -> str:
    return path if isinstance(path, str) else render(path)


def invalid(path: Path, value: object, detail: str) -> str:
    """`<path>: Invalid value: <value>: <detail>` (no trailing `: ` when detail is empty)."""
    text = f"{path_text(path)}: Invalid value: {go_value(value)}"
    return f"{text}: {detail}" if detail else text


def required(path: Path, detail: str = "") -> str:
    text = f"{path_text(path)}: Required value"
    return f"{text}: {detail}" if detail else text


def forbidden(path: Path, detail: str) -> str:
    text = f"{path_text(path)}: Forbidden"
    return f"{text}: {detail}" if detail else text


def not_supported(path: Path, value: object, supported: list[str]) -> str:
    values = ", ".join(json.dumps(s) for s in supported)
    return f"{path_text(path)}: Unsupported value: {go_value(value)}: supported values: {values}"


def error_list(errors: list[str]) -> str:
    """A field.ErrorList printed with %v: `[e1 e2]` (space separated, as Go prints a slice)."""
    return "[" + " ".join(errors) + "]"
