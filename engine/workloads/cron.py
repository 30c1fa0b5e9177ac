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
        none within five years, robfig's zero time). SpecSchedule.Next walks the fields in
        the schedule's zone the way robfig does, so a daylight-saving change moves or skips
        runs as it does for a real CronJob (a time in the skipped hour does not run)."""
        if self.every is not None:
            start = after.replace(microsecond=0)
            return start + timedelta(seconds=self.every)
        zone = ZoneInfo(self.location)
        t = _add(after.astimezone(zone).replace(microsecond=0), 1, zone)
        added = False
        year_limit = t.year + 5
        while True:
            if t.year > year_limit:
                return None
            wrapped = False
            while not (1 << t.month) & self.month:
                if not added:
                    added = True
                    t = _date(t.year, t.month, 1, 0, 0, 0, zone)
                t = _add_date(t, 1, 0, zone)
                if t.month == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not self._day_matches(t):
                if not added:
                    added = True
                    t = _date(t.year, t.month, t.day, 0, 0, 0, zone)
                t = _add_date(t, 0, 1, zone)
                # Midnight may have moved with a daylight-saving change.
                if t.hour != 0:
                    t = _add(t, (24 - t.hour) * 3600 if t.hour > 12 else -t.hour * 3600, zone)
                if t.day == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << t.hour) & self.hour:
                if not added:
                    added = True
                    t = _date(t.year, t.month, t.day, t.hour, 0, 0, zone)
                t = _add(t, 3600, zone)
                if t.hour == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << t.minute) & self.minute:
                if not added:
                    added = True
                    t = t.replace(second=0)
                t = _add(t, 60, zone)
                if t.minute == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            # The standard parser's seconds field is 0.
            while t.second != 0:
                added = True
                t = _add(t, 1, zone)
                if t.second == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            return t.astimezone(UTC)

    def _day_matches(self, t: datetime) -> bool:
        """dayMatches: both day fields must match when either is a star, else either."""
        dom = bool((1 << t.day) & self.dom)
        dow = bool((1 << ((t.weekday() + 1) % 7)) & self.dow)
        if self.dom & STAR or self.dow & STAR:
            return dom and dow
        return dom or dow


def _add(t: datetime, seconds: int, zone: ZoneInfo) -> datetime:
    """time.Add: absolute time, read back in the zone."""
    return (t.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(zone)


def _date(
    year: int, month: int, day: int, hour: int, minute: int, second: int, zone: ZoneInfo
) -> datetime:
    """time.Date in a zone: a wall time the zone skipped lands after the gap."""
    naive = datetime(year, month, 1) + timedelta(
        days=day - 1, hours=hour, minutes=minute, seconds=second
    )
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _add_date(t: datetime, months: int, days: int, zone: ZoneInfo) -> datetime:
    """time.AddDate: the same wall clock `months` and `days` later, normalised."""
    month_index = t.year * 12 + (t.month - 1) + months
    year, month = divmod(month_index, 12)
    return _date(year, month + 1, t.day + days, t.hour, t.minute, t.second, zone)


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
