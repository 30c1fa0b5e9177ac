"""YAML scalars as Kubernetes reads them: go-yaml v2's resolver, then sigs.k8s.io/yaml's
conversion to JSON.

kubectl and the API server read YAML with go-yaml v2 (go.yaml.in/yaml/v2, resolve.go) and
turn it into JSON with sigs.k8s.io/yaml (yaml.go, convertToJSONableObject). What follows
from that, and podtui reproduces:

- YAML 1.1 booleans include `y`/`n`/`yes`/`no`/`on`/`off`; timestamps stay strings.
- An integer is an int64, else a uint64, else (when it looks like a float) a float64, else
  the string itself: a 5000-digit number is a string, as it is there.
- A float that overflows float64 (`1e400`) is a string; `.nan` and `.inf` are floats,
  which JSON cannot hold (`json: unsupported value: NaN`).
- Map keys become strings: `1` -> "1", `true` -> "true", `1.5` -> "1.5" (the float key
  printed as a float32, as go-yaml does); a null or collection key is an error.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
BINARY = "tag:yaml.org,2002:binary"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"
_RESOLVABLE = {STR, BOOL, INT, FLOAT, NULL, TIMESTAMP}

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
UINT64_MAX = 2**64 - 1


class ScalarError(ValueError):
    """A scalar go-yaml refuses (`cannot decode !!str `x` as a !!int`)."""


_RESOLVE_MAP: dict[str, tuple[str, object]] = {}
for _value, _tag, _words in (
    (True, BOOL, ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")),
    (False, BOOL, ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")),
    (None, NULL, ("", "~", "null", "Null", "NULL")),
    (math.nan, FLOAT, (".nan", ".NaN", ".NAN")),
    (math.inf, FLOAT, (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")),
    (-math.inf, FLOAT, ("-.inf", "-.Inf", "-.INF")),
    ("<<", MERGE, ("<<",)),
):
    for _word in _words:
        _RESOLVE_MAP[_word] = (_tag, _value)

# resolve.go's resolveTable: the first character decides what a plain scalar may be.
_HINTS = {c: "S" for c in "+-"} | {c: "D" for c in "0123456789"}
_HINTS |= {c: "M" for c in "yYnNtTfFoO~"} | {".": "."}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# strconv.ParseInt(s, 0, 64): a sign, then 0x / 0o / 0b / 0 (octal) prefixes or decimal.
_GO_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")


def _go_parse_int(text: str, *, unsigned: bool) -> int | None:
    match = _GO_INT.fullmatch(text)
    if match is None or len(text) > 80:  # longer cannot fit 64 bits (and int() would balk)
        return None
    sign, body = match.groups()
    if unsigned and sign:
        return None
    lowered = body.lower()
    if lowered.startswith(("0x", "0o", "0b")):
        number = int(body[2:], {"x": 16, "o": 8, "b": 2}[lowered[1]])
    elif body.startswith("0"):
        number = int(body, 8)
    else:
        number = int(body)
    number = -number if sign == "-" else number
    low, high = (0, UINT64_MAX) if unsigned else (INT64_MIN, INT64_MAX)
    return number if low <= number <= high else None


def _go_parse_float(text: str) -> float | None:
    """strconv.ParseFloat on a YAML-style float: out of range is an error, not infinity."""
    if not _YAML_STYLE_FLOAT.fullmatch(text):
        return None
    value = float(text)
    return None if math.isinf(value) else value


def resolve_plain(text: str) -> tuple[str, object]:
    """go-yaml v2's resolve("", text): the tag and value of an untagged plain scalar."""
    hint = _HINTS.get(text[0]) if text else "M"
    if hint is None:
        return STR, text
    found = _RESOLVE_MAP.get(text)
    if found is not None:
        return found
    if hint == ".":
        number = _go_parse_float(text)
        if number is not None:
            return FLOAT, number
    elif hint in ("D", "S"):
        plain = text.replace("_", "")
        for unsigned in (False, True):
            integer = _go_parse_int(plain, unsigned=unsigned)
            if integer is not None:
                return INT, integer
        number = _go_parse_float(plain)
        if number is not None:
            return FLOAT, number
        if plain.startswith("-0b") and re.fullmatch(r"[01]+", plain[3:]) and len(plain) < 70:
            integer = -int(plain[3:], 2)
            if integer >= INT64_MIN:
                return INT, integer
    return STR, text


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


def resolve_scalar(value: str, tag: str | None, plain: bool) -> object:
    """A scalar event's value: untagged plain scalars are resolved, quoted ones are strings,
    explicit tags must agree with the value (go-yaml's `cannot decode` error)."""
    if tag is None or tag == "":
        return resolve_plain(value)[1] if plain else value
    if tag == BINARY:
        try:
            data = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError) as err:
            raise ScalarError("!!binary value contains invalid base64 data") from err
        # A Go string holds the bytes; JSON marshalling replaces invalid UTF-8 with U+FFFD.
        return data.decode("utf-8", "replace")
    if tag not in _RESOLVABLE:
        return value  # `!`, `!custom`, `!!set`...: go-yaml keeps the text
    if tag == STR:
        return value
    rtag, out = resolve_plain(value)
    if tag == TIMESTAMP:
        return value  # an interface{} target keeps a timestamp's text (decode.go)
    if rtag == tag:
        return out
    if tag == FLOAT and rtag == INT:
        return float(out)  # type: ignore[arg-type]
    raise ScalarError(f"cannot decode {_short(rtag)} `{value}` as a {_short(tag)}")


def json_unsupported(value: object) -> str | None:
    """Why encoding/json cannot hold a value (NaN and infinities), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        text = "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
        return f"json: unsupported value: {text}"
    return None


def key_string(key: object) -> str:
    """A map key as sigs.k8s.io/yaml turns it into a JSON object key."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return _format_float32(key)
    if key is None:
        raise ScalarError("unsupported map key of type: <nil>, key: <nil>")
    raise ScalarError("invalid map key: a mapping or a sequence cannot be a key")


def _format_float32(value: float) -> str:
    """strconv.FormatFloat(v, 'g', -1, 32), with go-yaml's names for NaN and infinities."""
    if math.isnan(value):
        return ".nan"
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        single = math.inf if value > 0 else -math.inf
    if math.isinf(single):
        return ".inf" if single > 0 else "-.inf"
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for precision in range(1, 10):  # the shortest digits that read back as the same float32
        text = f"{single:.{precision - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    mantissa, _, exp_text = text.partition("e")
    sign = "-" if mantissa.startswith("-") else ""
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    exponent = int(exp_text)
    if exponent < -4 or exponent >= 6:  # %e when shortest (Go uses eprec = 6)
        tail = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{tail}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    point = exponent + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"
