"""Kubernetes resource quantities ("100m", "128Mi", "1.5", "2e3") as exact numbers.

A quantity's magnitude is held to MAX_ALLOWED (2^63-1, resource.Quantity's maxAllowed in
apimachinery quantity.go, where binary-suffixed quantities are capped): the API server
keeps bigger decimal quantities, but its int64 accessors (Value, MilliValue) cannot hold
them either, and podtui never computes with a 5000-digit number. An exponent must fit an
int32, as ParseQuantity requires.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(1000),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
_QUANTITY = re.compile(
    r"^(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE](?P<exp>[+-]?\d+))?$"
)


MAX_ALLOWED = 2**63 - 1
# Digits beyond these cannot change a value held to MAX_ALLOWED (or below a nano unit).
_MAX_INT_DIGITS = 40
_MAX_FRAC_DIGITS = 40


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity."""


# Parsed strings (Fractions are immutable, so one can be shared): a cluster asks for the same
# few quantities ("100m", "128Mi", a node's allocatable) for every pod it admits and schedules.
PARSE_CACHE_LIMIT = 10_000
"""The parse caches remember a pure function: past this many strings they start over."""
_PARSED: dict[str, Fraction] = {}
_MILLIS: dict[str, int] = {}
_BYTES: dict[str, int] = {}


def parse_quantity(value: str | int | float) -> Fraction:
    """Parse a quantity exactly as the API server's resource.Quantity does."""
    if type(value) is str:
        found = _PARSED.get(value)
        if found is None:
            found = _cached(_PARSED, value, _parse(value))
        return found
    return _parse(value)


def _parse(value: str | int | float) -> Fraction:
    if isinstance(value, bool):
        raise QuantityError(f"quantities must match the regular expression: {value!r}")
    if isinstance(value, int):
        return _clamp(Fraction(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QuantityError(_FORMAT_WRONG)
        return _clamp(Fraction(repr(value)))
    match = _QUANTITY.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise QuantityError(_FORMAT_WRONG)
    number = _number(match.group("num"))
    exp = match.group("exp")
    if exp is not None:
        exponent = int(exp) if len(exp) <= 12 else None
        if exponent is None or not -(2**31) <= exponent < 2**31:
            raise QuantityError("unable to parse quantity's suffix")
        if number == 0:
            return Fraction(0)
        if exponent > 2 * _MAX_INT_DIGITS:
            return Fraction(MAX_ALLOWED if number > 0 else -MAX_ALLOWED)
        if exponent < -2 * _MAX_FRAC_DIGITS:
            # ParseQuantity rounds a non-zero value up to the smallest it holds, 1n.
            return Fraction(1 if number > 0 else -1, 10**9)
        return _clamp(number * Fraction(10) ** exponent)
    suffix = match.group("suffix") or ""
    if suffix in _BINARY:
        return _clamp(number * _BINARY[suffix])
    return _clamp(number * _DECIMAL[suffix])


_FORMAT_WRONG = (
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)


def _number(text: str) -> Fraction:
    """The numeric part, without int() ever seeing thousands of digits."""
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.lstrip("+-").partition(".")
    whole = whole.lstrip("0")
    if len(whole) > _MAX_INT_DIGITS:
        return Fraction(sign * (MAX_ALLOWED + 1))  # clamped by the caller
    rest = frac[_MAX_FRAC_DIGITS:]
    frac = frac[:_MAX_FRAC_DIGITS]
    number = Fraction(int(whole or "0")) + (
        Fraction(int(frac), 10 ** len(frac)) if frac else Fraction(0)
    )
    if rest.strip("0"):
        number += Fraction(1, 10**_MAX_FRAC_DIGITS)  # rounded up, as ParseQuantity does
    return sign * number


def _clamp(number: Fraction) -> Fraction:
    if number > MAX_ALLOWED:
        return Fraction(MAX_ALLOWED)
    if number < -MAX_ALLOWED:
        return Fraction(-MAX_ALLOWED)
    return number


def cpu_millis(value: str | int | float) -> int:
    """CPU quantity in millicores, rounded up as the API server rounds MilliValue."""
    if type(value) is str:
        found = _MILLIS.get(value)
        if found is None:
            found = _cached(_MILLIS, value, _ceil(parse_quantity(value) * 1000))
        return found
    return _ceil(parse_quantity(value) * 1000)


def memory_bytes(value: str | int | float) -> int:
    """Memory (or any byte) quantity in bytes, rounded up."""
    if type(value) is str:
        found = _BYTES.get(value)
        if found is None:
            found = _cached(_BYTES, value, _ceil(parse_quantity(value)))
        return found
    return _ceil(parse_quantity(value))


def _cached(cache: dict, value: str, result: Any) -> Any:
    """Remember `result` for `value` (a bounded cache: it starts over past 10,000 strings)."""
    if len(cache) > PARSE_CACHE_LIMIT:
        cache.clear()
    cache[value] = result
    return result


def _ceil(q: Fraction) -> int:
    return int(-(-q.numerator // q.denominator))


def format_cpu_millis(millis: int) -> str:
    """Canonical CPU string: whole cores when exact, else millicores."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def format_bytes(value: int) -> str:
    """Canonical byte string using the largest exact binary suffix (as Quantity.String does)."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = _BINARY[suffix]
        if value and value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)
