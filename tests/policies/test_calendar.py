"""Business hours across nights, weekends, holidays and DST changes; paused intervals."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.calendar import INF, BusinessClock, Clock, QuietHours

NINE_TO_FIVE = [[(540, 1020)]] * 5 + [[], []]
UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NY = ZoneInfo("America/New_York")


def ts(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: dt.tzinfo = UTC) -> float:
    return dt.datetime(y, mo, d, h, mi, tzinfo=tz).timestamp()


def clock(zone: str = "UTC", **kw: object) -> BusinessClock:
    return BusinessClock("business", zone, NINE_TO_FIVE, **kw)  # type: ignore[arg-type]


HOUR = 3600
# (start, business seconds to add, expected deadline); Mon 2025-03-03 .. Sun 2025-03-09
ADD_CASES = [
    ("inside the day", ts(2025, 3, 3, 10), 2 * HOUR, ts(2025, 3, 3, 12)),
    ("ends exactly at close", ts(2025, 3, 3, 9), 8 * HOUR, ts(2025, 3, 3, 17)),
    ("across the night", ts(2025, 3, 3, 15), 4 * HOUR, ts(2025, 3, 4, 11)),
    ("starts before opening", ts(2025, 3, 3, 6), HOUR, ts(2025, 3, 3, 10)),
    ("starts after closing", ts(2025, 3, 3, 20), HOUR, ts(2025, 3, 4, 10)),
    ("across the weekend", ts(2025, 3, 7, 16), 2 * HOUR, ts(2025, 3, 10, 10)),
    ("starts on Saturday", ts(2025, 3, 8, 12), HOUR, ts(2025, 3, 10, 10)),
    ("zero is now", ts(2025, 3, 8, 12), 0, ts(2025, 3, 8, 12)),
    ("three weeks", ts(2025, 3, 3, 9), 15 * 8 * HOUR, ts(2025, 3, 21, 17)),
    ("ten weeks (closed form)", ts(2025, 3, 3, 10), 50 * 8 * HOUR, ts(2025, 5, 12, 10)),
]


@pytest.mark.parametrize(("name", "start", "seconds", "expected"), ADD_CASES)
def test_add_business_time(name: str, start: float, seconds: float, expected: float) -> None:
    cal = clock()
    assert cal.add(start, seconds) == expected, name
    assert cal.elapsed(start, expected) == seconds, name


HOLIDAYS = [
    # New Year's Day 2025 is a Wednesday (US federal holiday).
    (
        "country holiday skipped",
        {"country": "US"},
        ts(2024, 12, 31, 16),
        2 * HOUR,
        ts(2025, 1, 2, 10),
    ),
    (
        "explicit date skipped",
        {"dates": [dt.date(2025, 3, 4)]},
        ts(2025, 3, 3, 16),
        2 * HOUR,
        ts(2025, 3, 5, 10),
    ),
    (
        "regional holiday (Bavaria, Epiphany)",
        {"country": "DE", "subdiv": "BY"},
        ts(2025, 1, 3, 16),
        2 * HOUR,
        ts(2025, 1, 7, 10),
    ),
    # The closed-form path over whole weeks, from Tuesday 2024-09-03 (after Labor Day).
    (
        "closed form subtracts holidays",
        {"country": "US"},
        ts(2024, 9, 3, 9),
        20 * 8 * HOUR,
        ts(2024, 9, 30, 17),
    ),
]


@pytest.mark.parametrize(("name", "kw", "start", "seconds", "expected"), HOLIDAYS)
def test_holidays(
    name: str, kw: dict[str, object], start: float, seconds: float, expected: float
) -> None:
    cal = clock(**kw)
    assert cal.add(start, seconds) == expected, name
    assert cal.elapsed(start, expected) == seconds, name


def test_columbus_day_counts_in_closed_form() -> None:
    # 30 business days from Tuesday 2024-09-03 cross Columbus Day (Monday 2024-10-14).
    cal = clock(country="US")
    end = cal.add(ts(2024, 9, 3, 9), 30 * 8 * HOUR)
    assert end == ts(2024, 10, 15, 17)
    assert cal.elapsed(ts(2024, 9, 3, 9), end) == 30 * 8 * HOUR


DST = [
    # Berlin springs forward on 2025-03-30 (Sunday): Monday 09:00 is 07:00 UTC, Friday 08:00 UTC.
    (
        "Berlin spring",
        "Europe/Berlin",
        ts(2025, 3, 28, 16, tz=BERLIN),
        2 * HOUR,
        ts(2025, 3, 31, 10, tz=BERLIN),
    ),
    (
        "Berlin autumn",
        "Europe/Berlin",
        ts(2025, 10, 24, 16, tz=BERLIN),
        2 * HOUR,
        ts(2025, 10, 27, 10, tz=BERLIN),
    ),
    (
        "New York spring",
        "America/New_York",
        ts(2025, 3, 7, 16, tz=NY),
        2 * HOUR,
        ts(2025, 3, 10, 10, tz=NY),
    ),
    (
        "New York autumn, closed form",
        "America/New_York",
        ts(2025, 10, 1, 9, tz=NY),
        25 * 8 * HOUR,
        ts(2025, 11, 4, 17, tz=NY),
    ),
]


@pytest.mark.parametrize(("name", "zone", "start", "seconds", "expected"), DST)
def test_dst_keeps_wall_clock_hours(
    name: str, zone: str, start: float, seconds: float, expected: float
) -> None:
    cal = clock(zone)
    assert cal.add(start, seconds) == expected, name
    assert cal.elapsed(start, expected) == seconds, name


def test_calendar_clock_and_pauses() -> None:
    c = Clock()
    pauses = [(100.0, 200.0), (300.0, INF)]
    assert c.deadline(0, 150, pauses) == 250
    assert c.deadline(0, 400, pauses) == INF
    assert c.active(0, 350, pauses) == 200
    assert c.deadline(150, 10, [(100.0, 200.0)]) == 210


def test_business_pause_over_the_weekend_is_not_double_counted() -> None:
    cal = clock()
    start = ts(2025, 3, 7, 15)  # Friday 15:00
    pause = [(ts(2025, 3, 7, 16), ts(2025, 3, 10, 11))]  # Fri 16:00 .. Mon 11:00
    assert cal.deadline(start, 2 * HOUR, pause) == ts(2025, 3, 10, 12)
    assert cal.active(start, ts(2025, 3, 10, 12), pause) == 2 * HOUR


def test_calendar_without_hours_is_rejected() -> None:
    with pytest.raises(ValueError, match="no business hours"):
        BusinessClock("empty", "UTC", [[]] * 7)


@pytest.mark.parametrize(
    ("local", "end"),
    [
        (dt.datetime(2025, 3, 3, 23, 0), dt.datetime(2025, 3, 4, 7, 0)),
        (dt.datetime(2025, 3, 4, 6, 59), dt.datetime(2025, 3, 4, 7, 0)),
        (dt.datetime(2025, 3, 4, 7, 0), None),
        (dt.datetime(2025, 3, 4, 21, 59), None),
    ],
)
def test_quiet_hours_cross_midnight(local: dt.datetime, end: dt.datetime | None) -> None:
    quiet = QuietHours("UTC", 22 * 60, 7 * 60)
    found = quiet.ends_at(local.replace(tzinfo=UTC).timestamp())
    assert found == (end.replace(tzinfo=UTC).timestamp() if end else None)


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(ts(2024, 1, 1), ts(2026, 12, 31)),
    seconds=st.integers(0, 60 * 8 * HOUR),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
)
def test_add_and_elapsed_agree(start: int, seconds: int, zone: str) -> None:
    cal = clock(zone, country="US")
    end = cal.add(start, seconds)
    assert cal.elapsed(start, end) == pytest.approx(seconds, abs=1e-6)
    if seconds:
        assert cal.elapsed(start, end - 1) < seconds
