"""IntOrString scaling (k8s.io/apimachinery/pkg/util/intstr/intstr.go).

A rollout's maxSurge / maxUnavailable is a YAML integer (`maxSurge: 1`) or a percentage
string (`maxSurge: "25%"`); the helpers take that plain value.
"""

from __future__ import annotations

import math
import re

IntOrString = int | str

_PERCENT = re.compile(r"^[0-9]+%$")


class IntOrStringError(ValueError):
    """A value that is neither an integer nor a percentage (upstream's message)."""


def is_valid_percent(value: str) -> bool:
    """validation.IsValidPercent: digits followed by `%`."""
    return bool(_PERCENT.match(value))


def get_scaled_value_from_int_or_percent(
    value: IntOrString | None, total: int, round_up: bool
) -> int:
    """GetScaledValueFromIntOrPercent: an int as is, `N%` of total rounded up or down.

    A nil value is an error upstream; callers that treat nil as 0 check for None first.
    """
    if value is None:
        raise IntOrStringError("nil value for IntOrString")
    if isinstance(value, bool):
        raise IntOrStringError(
            "invalid value for IntOrString: invalid type: neither int nor percentage"
        )
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if not value.endswith("%"):
            raise IntOrStringError(
                "invalid value for IntOrString: invalid type: string is not a percentage"
            )
        digits = value[:-1]
        if not re.fullmatch(r"[+-]?[0-9]+", digits):
            raise IntOrStringError(
                f'invalid value for IntOrString: invalid value "{value}": '
                f'strconv.Atoi: parsing "{digits}": invalid syntax'
            )
        percent = int(digits)
        # Upstream computes in float64: ceil(v * total / 100) or floor(...).
        scaled = float(percent) * float(total) / 100.0
        return math.ceil(scaled) if round_up else math.floor(scaled)
    raise IntOrStringError(
        "invalid value for IntOrString: invalid type: neither int nor percentage"
    )


def value_or_zero(value: IntOrString | None, total: int, round_up: bool) -> int:
    """Scale a value that may be unset (a nil pointer counts as 0)."""
    if value is None:
        return 0
    return get_scaled_value_from_int_or_percent(value, total, round_up)
