"""HumanDuration / ShortHumanDuration (apimachinery util/duration) and timestamp ages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.printers import human_duration, short_human_duration, since

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
YEAR = 365 * DAY


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        # More than 1 s in the future is invalid; up to 2 s (exclusive) counts as now.
        (-2, "<invalid>"),
        (-10 * MINUTE, "<invalid>"),
        (-1.9, "0s"),
        (-1, "0s"),
        (-0.5, "0s"),
        (0, "0s"),
        (0.9, "0s"),
        (1, "1s"),
        (10, "10s"),
        (119, "119s"),
        (119.99, "119s"),
        (120, "2m"),
        (185, "3m5s"),
        (9 * MINUTE + 59, "9m59s"),
        (10 * MINUTE, "10m"),
        (10 * MINUTE + 30, "10m"),
        (45 * MINUTE, "45m"),
        (3 * HOUR - 1, "179m"),
        (3 * HOUR, "3h"),
        (3 * HOUR + 20 * MINUTE, "3h20m"),
        (8 * HOUR - 1, "7h59m"),
        (8 * HOUR, "8h"),
        (47 * HOUR + 59 * MINUTE, "47h"),
        (48 * HOUR, "2d"),
        (3 * DAY + 5 * HOUR, "3d5h"),
        (8 * DAY - 1, "7d23h"),
        (8 * DAY, "8d"),
        (2 * YEAR - 1, "729d"),
        (2 * YEAR, "2y"),
        (2 * YEAR + 10 * DAY, "2y10d"),
        (8 * YEAR - 1, "7y364d"),
        (8 * YEAR, "8y"),
        (10 * YEAR + 100 * DAY, "10y"),
    ],
)
def test_human_duration_follows_apimachinery_table(seconds: float, expected: str) -> None:
    assert human_duration(seconds) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (-2, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (59, "59s"),
        (60, "1m"),
        (HOUR - 1, "59m"),
        (HOUR, "1h"),
        (DAY - 1, "23h"),
        (DAY, "1d"),
        (YEAR - 1, "364d"),
        (YEAR, "1y"),
        (10 * YEAR + DAY, "10y"),
    ],
)
def test_short_human_duration_prints_one_unit(seconds: float, expected: str) -> None:
    assert short_human_duration(seconds) == expected


NOW = datetime(2025, 1, 1, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2025-01-01T00:59:50Z", "10s"),
        ("2025-01-01T00:00:00Z", "60m"),
        ("2024-12-30T01:00:00Z", "2d"),
        ("2025-01-01T00:59:59.500000Z", "0s"),
        ("2025-01-01T01:00:01Z", "0s"),
        ("2025-01-01T01:00:05Z", "<invalid>"),
        (None, "<unknown>"),
        ("", "<unknown>"),
    ],
)
def test_age_is_human_duration_since_timestamp_or_unknown_when_unset(
    timestamp: str | None, expected: str
) -> None:
    assert since(timestamp, NOW) == expected
