"""Clocks: calendar time (24/7) and business hours with holidays, both minus paused intervals.

Times are UTC epoch seconds (floats) inside the engine; datetimes only at the edges.
Business hours are wall-clock ranges in an IANA zone, so DST changes move them in UTC.
Long spans are counted by whole weeks in closed form; a DST change that falls *inside* business
hours is then counted at the nominal length of the day (none does with the usual 09:00-17:00).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import holidays

from policies.durations import format_duration

INF = float("inf")
Interval = tuple[float, float]  # [start, end); end may be INF (still paused)
_DAY_BREAK = 21  # above this many days, count whole weeks in closed form


class Clock:
    """Calendar time: every second counts."""

    name = "calendar"

    def span(self, seconds: int) -> int:
        """Clock seconds of a policy duration (a day is a calendar day here)."""
        return int(seconds)

    def describe(self, seconds: float) -> str:
        return format_duration(seconds)

    def elapsed(self, start: float, end: float) -> float:
        return end - start if end > start else 0.0

    def add(self, start: float, seconds: float) -> float:
        return start + seconds

    def active(self, start: float, end: float, pauses: Sequence[Interval]) -> float:
        """Clock time in [start, end) outside the paused intervals."""
        total = self.elapsed(start, end)
        for p_start, p_end in pauses:
            lo, hi = max(p_start, start), min(p_end, end)
            if hi > lo:
                total -= self.elapsed(lo, hi)
        return total

    def deadline(self, start: float, seconds: float, pauses: Sequence[Interval]) -> float:
        """When ``seconds`` of unpaused clock time have run from ``start`` (INF: paused now)."""
        cursor, remaining = start, seconds
        for p_start, p_end in pauses:
            if p_end <= cursor:
                continue
            if p_start > cursor:
                chunk = self.elapsed(cursor, p_start)
                if chunk >= remaining:
                    return self.add(cursor, remaining)
                remaining -= chunk
            cursor = p_end
            if cursor == INF:
                return INF
        return self.add(cursor, remaining)


class BusinessClock(Clock):
    """Weekly business hours in a time zone, minus public holidays and listed dates."""

    def __init__(
        self,
        name: str,
        zone: str,
        week: Sequence[Sequence[tuple[int, int]]],
        country: str | None = None,
        subdiv: str | None = None,
        dates: Iterable[dt.date] = (),
    ) -> None:
        self.name = name
        self.zone = ZoneInfo(zone)
        self.week = tuple(tuple(r) for r in week)  # Monday first; minutes after midnight
        self.nominal = tuple(sum(e - s for s, e in day) * 60 for day in self.week)
        self.week_seconds = sum(self.nominal)
        if self.week_seconds <= 0:
            raise ValueError(f"calendar {name!r} has no business hours")
        self.day_seconds = self.week_seconds // sum(1 for n in self.nominal if n)
        self._country, self._subdiv = country, subdiv
        self._dates = frozenset(d.toordinal() for d in dates)
        self._years: dict[int, list[int]] = {}
        self._days: dict[int, tuple[Interval, ...]] = {}

    def _holidays(self, year: int) -> list[int]:
        found = self._years.get(year)
        if found is None:
            days = {d for d in self._dates if dt.date.fromordinal(d).year == year}
            if self._country:
                table = holidays.country_holidays(self._country, subdiv=self._subdiv, years=year)
                days.update(d.toordinal() for d in table)
            found = self._years[year] = sorted(days)
        return found

    def describe(self, seconds: float) -> str:
        return format_duration(seconds, days=False) + " of business time"

    def span(self, seconds: int) -> int:
        """Business seconds of a policy duration: whole days count as business days."""
        days = getattr(seconds, "days", 0)
        return int(seconds) - days * 86400 + days * self.day_seconds

    def is_holiday(self, ordinal: int) -> bool:
        days = self._holidays(dt.date.fromordinal(ordinal).year)
        i = bisect_left(days, ordinal)
        return i < len(days) and days[i] == ordinal

    def day(self, ordinal: int) -> tuple[Interval, ...]:
        """The business intervals of one local day, as UTC epoch seconds."""
        found = self._days.get(ordinal)
        if found is None:
            date = dt.date.fromordinal(ordinal)
            found = ()
            if not self.is_holiday(ordinal):
                midnight = dt.datetime(date.year, date.month, date.day, tzinfo=self.zone)
                found = tuple(
                    (self._wall(midnight, s), self._wall(midnight, e))
                    for s, e in self.week[date.weekday()]
                )
            self._days[ordinal] = found
        return found

    def _wall(self, midnight: dt.datetime, minutes: int) -> float:
        # Wall-clock arithmetic (not timedelta on an aware time) keeps 09:00 at 09:00 across DST.
        when = midnight + dt.timedelta(minutes=minutes)
        return when.replace(tzinfo=None).replace(tzinfo=self.zone).timestamp()

    def _ordinal(self, t: float) -> int:
        return dt.datetime.fromtimestamp(t, self.zone).toordinal()

    def _whole_days(self, first: int, stop: int) -> float:
        """Nominal business seconds of the local days first..stop-1, in closed form."""
        days = stop - first
        if days <= 0:
            return 0.0
        weeks, rest = divmod(days, 7)
        total = weeks * self.week_seconds
        weekday = dt.date.fromordinal(first).weekday()
        total += sum(self.nominal[(weekday + i) % 7] for i in range(rest))
        for year in range(dt.date.fromordinal(first).year, dt.date.fromordinal(stop).year + 1):
            for holiday in self._holidays(year):
                if first <= holiday < stop:
                    total -= self.nominal[dt.date.fromordinal(holiday).weekday()]
        return total

    def _overlap(self, ordinal: int, start: float, end: float) -> float:
        total = 0.0
        for lo, hi in self.day(ordinal):
            lo, hi = max(lo, start), min(hi, end)
            if hi > lo:
                total += hi - lo
        return total

    def elapsed(self, start: float, end: float) -> float:
        if end <= start:
            return 0.0
        if end == INF:
            return INF
        first, last = self._ordinal(start), self._ordinal(end)
        if last - first <= _DAY_BREAK:
            return sum(self._overlap(d, start, end) for d in range(first, last + 1))
        inner = self._whole_days(first + 1, last)
        return self._overlap(first, start, end) + inner + self._overlap(last, start, end)

    def opens_at(self, t: float) -> float:
        """``t`` if business is open then, else the next moment it opens."""
        if t == INF:
            return INF
        ordinal = self._ordinal(t)
        # A calendar has hours every week, so some day of the coming year is open unless the
        # holidays close them all.
        for day in range(ordinal, ordinal + 370):
            for lo, hi in self.day(day):
                if hi > t:
                    return max(lo, t)
        return INF

    def add(self, start: float, seconds: float) -> float:
        remaining = seconds
        if remaining <= 0:
            return start
        ordinal = self._ordinal(start)
        while True:
            if remaining > 2 * self.week_seconds:
                # Skip whole weeks at once, keeping at least a week for the exact day walk.
                # Days from the next one on are whole; the current day is walked below.
                weeks = int(remaining // self.week_seconds) - 1
                skipped = self._whole_days(ordinal + 1, ordinal + 1 + 7 * weeks)
                tail = self._overlap(ordinal, start, INF)
                if skipped + tail < remaining:
                    remaining -= skipped + tail
                    ordinal += 1 + 7 * weeks
                    start = -INF
                    continue
            for lo, hi in self.day(ordinal):
                lo = max(lo, start)
                if hi <= lo:
                    continue
                if hi - lo >= remaining:
                    return lo + remaining
                remaining -= hi - lo
            ordinal += 1


class QuietHours:
    """A daily wall-clock window (may cross midnight) in which non-Critical pages wait."""

    def __init__(self, zone: str, start_min: int, end_min: int) -> None:
        self.zone = ZoneInfo(zone)
        self.start_min, self.end_min = start_min, end_min

    def ends_at(self, t: float) -> float | None:
        """The end of the quiet window containing ``t``, or None when ``t`` is not quiet."""
        local = dt.datetime.fromtimestamp(t, self.zone)
        minute = local.hour * 60 + local.minute
        s, e = self.start_min, self.end_min
        quiet = (s <= minute < e) if s < e else (minute >= s or minute < e)
        if not quiet:
            return None
        day = local.date() if minute < e else local.date() + dt.timedelta(days=1)
        end = dt.datetime(day.year, day.month, day.day, tzinfo=self.zone) + dt.timedelta(minutes=e)
        return end.replace(tzinfo=None).replace(tzinfo=self.zone).timestamp()
