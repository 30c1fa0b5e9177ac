"""Cron schedules as the CronJob controller reads them: robfig/cron v3's ParseStandard
(parser.go, spec.go) — five fields (minute hour day-of-month month day-of-week), `*` and
`?`, ranges, steps, month and weekday names, the @yearly/@monthly/@weekly/@daily/@hourly
descriptors and `@every`, an optional `TZ=`/`CRON_TZ=` prefix — and Schedule.Next.

Written out rather than taken from a library because the controller's arithmetic depends
on robfig's exact rules (the day-of-month / day-of-week "star" rule, the five-year search
limit, `N/step` meaning `N-max/step`), which Python's cron packages do not all share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STAR = 1 << 63


class CronError(ValueError):
    """A schedule robfig/cron cannot parse; the message is robfig's."""


@dataclass(frozen=True)
class Bounds:
    low: int
    high: int
    names: dict[str, int]


MONTHS = Bounds(
    1,
    12,
    {
        m: i + 1
        for i, m in enumerate(
            ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
        )
    },
)
DOW = Bounds(0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))})
MINUTES = Bounds(0, 59, {})
HOURS = Bounds(0, 23, {})
DOM = Bounds(1, 31, {})

DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: bit sets per field (robfig's SpecSchedule), or a fixed period
    (ConstantDelaySchedule for `@every`)."""

    minute: int = 0
    hour: int = 0
    dom: int = 0
    month: int = 0
    dow: int = 0
    location: str = "UTC"
    every: float | None = None

    def next(self, after: datetime) -> datetime | None:
        """Schedule.Next: the first activation strictly after `after` (None if there is
        none within five years, robfig's zero time)."""
        if self.every is not None:
            start = after.replace(microsecond=0)
            return start + timedelta(seconds=self.every)
        zone = ZoneInfo(self.location)
        t = after.astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
        t += timedelta(minutes=1)
        year_limit = t.year + 5
        while t.year <= year_limit:
            if not (1 << t.month) & self.month:
                t = (t.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
                continue
            if not self._day_matches(t):
                t = t.replace(hour=0, minute=0) + timedelta(days=1)
                continue
            if not (1 << t.hour) & self.hour:
                t = t.replace(minute=0) + timedelta(hours=1)
                continue
            if not (1 << t.minute) & self.minute:
                t += timedelta(minutes=1)
                continue
            return t.replace(tzinfo=zone).astimezone(UTC)
        return None

    def _day_matches(self, t: datetime) -> bool:
        """dayMatches: both day fields must match when either is a star, else either."""
        dom = bool((1 << t.day) & self.dom)
        dow = bool((1 << ((t.weekday() + 1) % 7)) & self.dow)
        if self.dom & STAR or self.dow & STAR:
            return dom and dow
        return dom or dow


def parse_standard(spec: str) -> Schedule:
    """cron.ParseStandard."""
    if not spec:
        raise CronError("empty spec string")
    location = "UTC"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        head, _, spec = spec.partition(" ")
        location = head.split("=", 1)[1]
        try:
            ZoneInfo(location)
        except (ZoneInfoNotFoundError, ValueError):
            raise CronError(
                f"provided bad location {location}: unknown time zone {location}"
            ) from None
        spec = spec.strip()
    if spec.startswith("@"):
        if spec.startswith("@every "):
            return Schedule(location=location, every=_parse_every(spec[len("@every ") :]))
        if spec not in DESCRIPTORS:
            raise CronError(f"unrecognized descriptor: {spec}")
        spec = DESCRIPTORS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    return Schedule(
        minute=get_field(fields[0], MINUTES),
        hour=get_field(fields[1], HOURS),
        dom=get_field(fields[2], DOM),
        month=get_field(fields[3], MONTHS),
        dow=get_field(fields[4], DOW),
        location=location,
    )


def get_field(field: str, bounds: Bounds) -> int:
    """getField: a comma-separated list of ranges, OR'ed together."""
    bits = 0
    for expr in field.split(","):
        bits |= get_range(expr, bounds)
    return bits


def get_range(expr: str, bounds: Bounds) -> int:
    """getRange: `*`, `?`, `N`, `N-M`, each with an optional `/step`."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single_digit = len(low_and_high) == 1
    extra = 0
    if low_and_high[0] in ("*", "?"):
        start, end = bounds.low, bounds.high
        extra = STAR
    else:
        start = _parse_int_or_name(low_and_high[0], bounds.names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _parse_int_or_name(low_and_high[1], bounds.names)
        else:
            raise CronError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _must_parse_int(range_and_step[1])
        # "N/step" means "N-max/step".
        if single_digit:
            end = bounds.high
        if step > 1:
            extra = 0
    else:
        raise CronError(f"too many slashes: {expr}")
    if start < bounds.low:
        raise CronError(f"beginning of range ({start}) below minimum ({bounds.low}): {expr}")
    if end > bounds.high:
        raise CronError(f"end of range ({end}) above maximum ({bounds.high}): {expr}")
    if start > end:
        raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronError(f"step of range should be a positive number: {expr}")
    bits = 0
    for value in range(start, end + 1, step):
        bits |= 1 << value
    return bits | extra


def _parse_int_or_name(expr: str, names: dict[str, int]) -> int:
    if names and expr.lower() in names:
        return names[expr.lower()]
    return _must_parse_int(expr)


def _must_parse_int(expr: str) -> int:
    try:
        number = int(expr)
    except ValueError:
        raise CronError(
            f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax'
        ) from None
    if number < 0:
        raise CronError(f"negative number ({number}) not allowed: {expr}")
    return number


def _parse_every(text: str) -> float:
    """time.ParseDuration for the simple forms (`1h30m`, `90s`), rounded up to a second."""
    import re

    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text.strip())
    if not parts or not text.strip():
        raise CronError(f'failed to parse duration {text}: time: invalid duration "{text}"')
    hours, minutes, seconds = (int(p or 0) for p in parts.groups())
    return max(float(hours * 3600 + minutes * 60 + seconds), 1.0)
