"""JSON read within limits, for JSON that is not a manifest (a checkpoint).

Python's json module recurses once per level: a deep enough document raises RecursionError,
and one just under Python's limit loads, then breaks whatever walks it next (deepcopy,
the replay). Like encoding/json (scanner.go, maxNestingDepth, "exceeded max depth"), the
depth is checked first, here by a scan that does not recurse; numbers JSON cannot hold
(NaN, Infinity) and integers past Python's 4300-digit conversion limit are refused too.
"""

from __future__ import annotations

import json
import re

# A string (with its escapes) or a bracket: brackets inside strings do not count.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset(b"[{")
_MAX_INT_DIGITS = 4300


class JSONRefused(ValueError):
    """The text is not JSON podtui reads; `line` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def nesting_problem(data: bytes, max_depth: int) -> JSONRefused | None:
    """Where `data` nests deeper than `max_depth`, without parsing it."""
    depth = 0
    for match in _TOKENS.finditer(data):
        token = match.group()
        if len(token) != 1:
            continue
        if token[0] in _OPENERS:
            depth += 1
            if depth > max_depth:
                line = data.count(b"\n", 0, match.start()) + 1
                return JSONRefused(f"exceeded max depth of {max_depth}", line)
        else:
            depth -= 1
    return None


def load_json(data: bytes, max_depth: int) -> object:
    """The JSON value of `data` (UTF-8); raises JSONRefused, never RecursionError."""
    problem = nesting_problem(data, max_depth)
    if problem is not None:
        raise problem

    def constant(name: str) -> object:
        raise JSONRefused(f"invalid character '{name[0]}' looking for beginning of value", 0)

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > _MAX_INT_DIGITS:
            raise JSONRefused(f"a number of more than {_MAX_INT_DIGITS} digits", 0)
        return int(digits)

    try:
        return json.loads(data.decode("utf-8"), parse_constant=constant, parse_int=integer)
    except JSONRefused:
        raise
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise JSONRefused(f"invalid UTF-8 (byte 0x{data[err.start]:02x})", line) from err
    except json.JSONDecodeError as err:
        raise JSONRefused(err.msg, err.lineno) from err
