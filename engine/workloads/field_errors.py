"""Field errors as the workload validations word them (k8s.io/apimachinery
pkg/util/validation/field): a bad value printed the Go way, Invalid and the non-negative
rule."""

from __future__ import annotations

import json

from engine.api.kinds import FieldErrors
from engine.api.validation import render

Path = tuple[str | int, ...]


def go_value(value: object) -> str:
    """A bad value as field errors print it: strings quoted, numbers bare, the rest as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str | int | float):
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def invalid(path: Path, value: object, detail: str) -> tuple[Path, str]:
    return path, f"{render(path)}: Invalid value: {go_value(value)}: {detail}"


def nonnegative(path: Path, value: object) -> FieldErrors:
    """ValidateNonnegativeField."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")]
    return []
