"""Simulated timestamps in the API server's RFC 3339 form (second precision, UTC)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

DEFAULT_START = datetime(2025, 1, 1, tzinfo=UTC)


def format_time(moment: datetime) -> str:
    """metav1.Time as it is serialized: seconds precision, `Z` suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_micro_time(moment: datetime) -> str:
    """metav1.MicroTime (events.k8s.io eventTime) with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@lru_cache(maxsize=65536)
def parse_time(value: str) -> datetime:
    """Parse an RFC 3339 timestamp as found in objects (`2025-01-01T00:00:05Z`)."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


class DurationError(ValueError):
    """A string that is not a duration such as `90s`, `5m` or `1h30m`."""


# Go's time.Duration is an int64 of nanoseconds: at most 2562047h47m16.854775807s.
MAX_DURATION_SECONDS = (2**63 - 1) / 1e9
_MAX_DURATION_TEXT = "2562047h47m16.854775807s"


def parse_duration(value: str | int | float) -> float:
    """Seconds in a DURATION: `90s`, `5m`, `1h30m`, `250ms`, or plain seconds.

    Bounded as Go's time.Duration is (about 292 years); NaN and infinities are refused.
    """
    if isinstance(value, bool):
        raise DurationError(f"invalid duration {value!r}")
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            raise DurationError("invalid duration .nan: not a number")
        if value < 0:
            raise DurationError(f"invalid duration {_shown(value)}: must not be negative")
        if value > MAX_DURATION_SECONDS:
            raise DurationError(
                f"invalid duration {_shown(value)}: must be at most {_MAX_DURATION_TEXT}"
            )
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        seconds = float(text)
        if seconds > MAX_DURATION_SECONDS:
            raise DurationError(
                f'invalid duration "{_clipped(text)}": must be at most {_MAX_DURATION_TEXT}'
            )
        return seconds
    pos = 0
    total = 0.0
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * units[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise DurationError(
            f'invalid duration "{_clipped(text)}": use forms like 90s, 5m, 1h30m or plain seconds'
        )
    if total > MAX_DURATION_SECONDS:
        raise DurationError(
            f'invalid duration "{_clipped(text)}": must be at most {_MAX_DURATION_TEXT}'
        )
    return total


def _shown(value: float) -> str:
    if isinstance(value, float):
        return ".inf" if math.isinf(value) else f"{value:g}"
    digits = len(str(value)) if value.bit_length() < 10_000 else None
    if digits is None:
        return "a number of thousands of digits"
    return str(value) if digits <= 20 else f"{str(value)[0]}e+{digits - 1}"


def _clipped(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"


def format_go_duration(seconds: float) -> str:
    """A duration as Go's time.Duration.String prints it (`5m0s`, `1m30s`, `10s`, `1.5s`)."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 1:
        millis = seconds * 1000
        text = f"{millis:.6f}".rstrip("0").rstrip(".")
        return f"{sign}{text}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    sec_text = f"{secs:.9f}".rstrip("0").rstrip(".")
    if hours:
        return f"{sign}{int(hours)}h{int(minutes)}m{sec_text}s"
    if minutes:
        return f"{sign}{int(minutes)}m{sec_text}s"
    return f"{sign}{sec_text}s"


def add_seconds(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)
