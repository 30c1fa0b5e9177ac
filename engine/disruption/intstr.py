"""IntOrString as the PDB fields use it (k8s.io/apimachinery/pkg/util/intstr/intstr.go).

In a manifest an IntOrString is a YAML integer (`minAvailable: 2`) or a string
(`minAvailable: "50%"`); these helpers take that plain value.
"""

from __future__ import annotations

import json
import math
import re

IntOrString = int | str

_PERCENT = re.compile(r"^[0-9]+%$")
PERCENT_MSG = (
    "a valid percent string must be a numeric string followed by an ending '%' "
    "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
)


class IntOrStringError(ValueError):
    """A value that is neither an integer nor a percentage (the message is upstream's)."""


def to_string(value: IntOrString) -> str:
    """IntOrString.String(): the string as given, or the integer in decimal."""
    return value if isinstance(value, str) else str(value)


def go_syntax(value: IntOrString) -> str:
    """`%#v` of an intstr.IntOrString, as field errors print it when it is the bad value."""
    if isinstance(value, str):
        return f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{json.dumps(value)}}}"
    return f'intstr.IntOrString{{Type:0, IntVal:{value}, StrVal:""}}'


def is_valid_percent(value: str) -> bool:
    """validation.IsValidPercent."""
    return bool(_PERCENT.match(value))


def percent_value(value: IntOrString) -> int | None:
    """getPercentValue: the number in a valid percent string, else None."""
    if isinstance(value, str) and is_valid_percent(value):
        return int(value[:-1])
    return None


def _value_safely(value: IntOrString) -> tuple[int, bool]:
    """getIntOrPercentValueSafely: (value, is_percent)."""
    if isinstance(value, int):
        return value, False
    if not value.endswith("%"):
        raise IntOrStringError("invalid type: string is not a percentage")
    text = value[:-1]
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise IntOrStringError(
            f"invalid value {json.dumps(value)}: strconv.Atoi: parsing {json.dumps(text)}: invalid syntax"
        )
    return int(text), True


def scaled_value(value: IntOrString, total: int, round_up: bool) -> int:
    """GetScaledValueFromIntOrPercent: an int as is; `N%` of `total`, ceil or floor.

    Go computes in float64: `math.Ceil(float64(value) * float64(total) / 100)`.
    """
    try:
        number, is_percent = _value_safely(value)
    except IntOrStringError as err:
        raise IntOrStringError(f"invalid value for IntOrString: {err}") from None
    if not is_percent:
        return number
    scaled = float(number) * float(total) / 100
    return int(math.ceil(scaled) if round_up else math.floor(scaled))
