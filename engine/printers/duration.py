"""kubectl's duration strings: HumanDuration, ShortHumanDuration and "time since".

Rules from k8s.io/apimachinery/pkg/util/duration/duration.go and the printers'
translateTimestampSince (pkg/printers/internalversion/printers.go).
"""

from __future__ import annotations

import math
from datetime import datetime

from engine.timeutil import parse_time

_DAY = 24
_YEAR_DAYS = 365


def _whole_seconds(seconds: float) -> int | None:
    """Seconds truncated toward zero as Go's int(d.Seconds()); None for `<invalid>`."""
    whole = math.trunc(seconds)
    # Up to 2 s in the future (exclusive) counts as "now", to tolerate clock skew.
    if whole < -1:
        return None
    return max(whole, 0)


def human_duration(seconds: float) -> str:
    """HumanDuration: about two significant figures, as in AGE and RESTARTS `(Xs ago)`."""
    s = _whole_seconds(seconds)
    if s is None:
        return "<invalid>"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < _DAY * 8:
        rest = hours % _DAY
        return f"{hours // _DAY}d" if rest == 0 else f"{hours // _DAY}d{rest}h"
    if hours < _DAY * _YEAR_DAYS * 2:
        return f"{hours // _DAY}d"
    if hours < _DAY * _YEAR_DAYS * 8:
        years, days = divmod(hours // _DAY, _YEAR_DAYS)
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // _DAY // _YEAR_DAYS}y"


def short_human_duration(seconds: float) -> str:
    """ShortHumanDuration: one unit only (`59s`, `59m`, `23h`, `364d`, `2y`)."""
    s = _whole_seconds(seconds)
    if s is None:
        return "<invalid>"
    if s < 60:
        return f"{s}s"
    if s // 60 < 60:
        return f"{s // 60}m"
    hours = s // 3600
    if hours < _DAY:
        return f"{hours}h"
    if hours < _DAY * _YEAR_DAYS:
        return f"{hours // _DAY}d"
    return f"{hours // _DAY // _YEAR_DAYS}y"


def parse_timestamp(value: object) -> datetime | None:
    """A metav1.Time / MicroTime field as found in an object; None when unset (zero)."""
    if not value or not isinstance(value, str):
        return None
    return parse_time(value)


# since()'s answers for the `now` they were computed at: a page of a Table (or one refresh
# of the console) asks at one instant, and pods made together share a creationTimestamp.
# Swapped whole when `now` moves, so a caller at another instant never reads a stale one.
_SINCE_MEMO_LIMIT = 4096
_since_memo: tuple[datetime | None, dict[str, str]] = (None, {})


def since(timestamp: object, now: datetime) -> str:
    """translateTimestampSince: HumanDuration(now - timestamp), `<unknown>` when unset."""
    global _since_memo
    if not timestamp or not isinstance(timestamp, str):
        return "<unknown>"
    memo_now, memo = _since_memo
    if memo_now is not now and memo_now != now:
        memo = {}
        _since_memo = (now, memo)
    else:
        text = memo.get(timestamp)
        if text is not None:
            return text
    text = human_duration((now - parse_time(timestamp)).total_seconds())
    if len(memo) >= _SINCE_MEMO_LIMIT:
        memo.clear()
    memo[timestamp] = text
    return text
