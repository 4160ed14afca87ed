"""Business time: when a team is at work, and how much working time lies between two moments.

Pure functions over a Calendar value object (no Flask, no database), exact to the microsecond.

What "open" means: a moment is open when the clock on the team's wall shows a time inside that weekday's
working hours, on a date that is neither a public holiday nor one of the organisation's closed days. Everything
follows from that one definition, also across daylight-saving changes: when clocks go back, the repeated
wall-clock hour is worked twice (a 25-hour Sunday has one more working hour if the hour is a working hour); when
they go forward, the skipped wall-clock hour does not exist and is not worked. A time such as 02:30 that a
change skips or repeats needs no special case, because we never turn wall times into moments one by one: for
each local date we intersect its working hours with the stretches of UTC in which the zone's offset is constant.

Durations are counted in open time only, and never inside a pause (a stretch in which the clock is stopped,
e.g. while the case waits on the customer). The scan goes a day at a time (each day's open stretches are
computed once and cached), so a duration of months costs a few milliseconds, not a walk minute by minute.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_DAY = 24 * 60
ZERO = timedelta(0)
WEEKDAYS = 7
# Every UTC offset in the tz database lies within -12 h .. +14 h (plus local mean times of the 1800s, which
# stay within these margins): a local date's moments therefore lie within [midnight - 16 h, midnight + 38 h] UTC.
_BEFORE = timedelta(hours=16)
_AFTER = timedelta(hours=14)
# Offsets are sampled this far apart and transitions between samples found by bisection to the second. The tz
# database has no zone that changes its offset twice within six hours and returns to the first offset.
_SAMPLE = timedelta(hours=6)
# A calendar whose every day within ten years is closed never opens, and no target lies a century away: say so
# rather than scan for ever (or past the year 9999).
_GIVE_UP_DAYS = 3660
_HORIZON_DAYS = 36525

Span = tuple[datetime, datetime]  # naive UTC, start inclusive, end exclusive


class CalendarError(ValueError):
    """A calendar that cannot be used: unknown zone, bad hours, no working hours at all."""


@lru_cache(maxsize=512)
def zone_for(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise CalendarError(f"unknown time zone {name!r}") from exc


@lru_cache(maxsize=1024)
def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """The public holidays of a country (and subdivision) in a year. Raises CalendarError when unknown."""
    import holidays

    try:
        return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year).keys())
    except (NotImplementedError, KeyError, ValueError, AttributeError) as exc:
        raise CalendarError(f"unknown country or subdivision {country!r}/{subdivision!r}") from exc


@dataclass(frozen=True)
class Calendar:
    """A team's working time. hours: seven tuples (Monday first) of (start_minute, end_minute) wall-clock
    intervals, 0 <= start < end <= 1440, ordered and not overlapping. closed_days: the organisation's own closed
    dates; country/subdivision: public holidays from the holidays package (both in the calendar's zone)."""

    time_zone: str
    hours: tuple[tuple[tuple[int, int], ...], ...]
    closed_days: frozenset[date] = frozenset()
    country: str | None = None
    subdivision: str | None = None

    def __post_init__(self):
        zone_for(self.time_zone)
        if len(self.hours) != WEEKDAYS:
            raise CalendarError("hours must give the seven weekdays, Monday first")
        for day in self.hours:
            end = -1
            for start, stop in day:
                if not (0 <= start < stop <= MINUTES_PER_DAY) or start < end:
                    raise CalendarError("working hours must be ordered, non-empty and not overlapping")
                end = stop
        if not any(self.hours):
            raise CalendarError("a calendar needs working hours on at least one weekday")
        if self.country:
            public_holidays(self.country, self.subdivision, 2000)  # raises CalendarError when unknown

    @property
    def zone(self) -> ZoneInfo:
        return zone_for(self.time_zone)

    def is_closed_day(self, day: date) -> bool:
        if day in self.closed_days:
            return True
        return bool(self.country) and day in public_holidays(self.country, self.subdivision, day.year)


ALWAYS_OPEN = Calendar("UTC", (((0, MINUTES_PER_DAY),),) * WEEKDAYS)


# --- moments -----------------------------------------------------------------------------------------------

def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business time needs aware datetimes")
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _offset(zone: ZoneInfo, utc: datetime) -> timedelta:
    return zone.fromutc(utc.replace(tzinfo=zone)).utcoffset()


def _local_date(zone: ZoneInfo, utc: datetime) -> date:
    return (utc + _offset(zone, utc)).date()


def _transition_after(zone: ZoneInfo, start: datetime, end: datetime, offset: timedelta) -> datetime:
    """The first whole second in (start, end] whose offset differs from offset (which start has, end has not)."""
    low, high = 0, int((end - start).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, start + timedelta(seconds=middle)) == offset:
            low = middle
        else:
            high = middle
    return start + timedelta(seconds=high)


def _constant_offsets(zone: ZoneInfo, low: datetime, high: datetime) -> list[tuple[datetime, datetime, timedelta]]:
    """[low, high) (naive UTC) cut into stretches of constant UTC offset: (start, end, offset)."""
    pieces = []
    start, offset = low, _offset(zone, low)
    probe = low
    while probe < high:
        following = min(probe + _SAMPLE, high)
        if _offset(zone, following) == offset:
            probe = following
            continue
        moment = _transition_after(zone, probe, following, offset)
        pieces.append((start, moment, offset))
        start, offset, probe = moment, _offset(zone, moment), moment
    if start < high:
        pieces.append((start, high, offset))
    return pieces


@lru_cache(maxsize=16384)
def _day_spans(calendar: Calendar, day: date) -> tuple[Span, ...]:
    """The open stretches (naive UTC, ordered, merged) of one local date."""
    hours = calendar.hours[day.weekday()]
    if not hours or calendar.is_closed_day(day):
        return ()
    midnight = datetime(day.year, day.month, day.day)
    found = []
    window_end = midnight + timedelta(days=1) + _AFTER
    for low, high, offset in _constant_offsets(calendar.zone, midnight - _BEFORE, window_end):
        for first, last in hours:
            start = max(low, midnight + timedelta(minutes=first) - offset)
            end = min(high, midnight + timedelta(minutes=last) - offset)
            if start < end:
                found.append((start, end))
    return tuple(_merged(sorted(found)))


def _merged(spans: Iterable[Span]) -> Iterator[Span]:
    current = None
    for start, end in spans:
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current


def _open_spans(calendar: Calendar, start: datetime) -> Iterator[Span]:
    """The calendar's open stretches from start on (naive UTC, ordered, disjoint, the first cut at start;
    stretches may touch: a 24x7 calendar is one stretch a day).

    Local dates do not always follow each other in UTC (a zone that turns its clocks back at midnight shows
    the end of Saturday after the start of Sunday), so each day's stretches go into a heap and leave it only
    once no later date can have a stretch that starts earlier."""
    day = _local_date(calendar.zone, start) - timedelta(days=1)
    horizon = day + timedelta(days=_HORIZON_DAYS)
    waiting: list[Span] = []
    quiet_days = 0
    while True:
        spans = _day_spans(calendar, day)
        for span in spans:
            heapq.heappush(waiting, span)
        quiet_days = 0 if spans else quiet_days + 1
        if quiet_days > _GIVE_UP_DAYS:
            raise CalendarError("the calendar is never open")
        if day > horizon:
            raise CalendarError("more than a century of business time")
        day += timedelta(days=1)
        settled = datetime(day.year, day.month, day.day) - _BEFORE
        while waiting and waiting[0][0] < settled:
            low, high = heapq.heappop(waiting)
            if high <= start:
                continue
            yield max(low, start), high


def _normal_pauses(pauses: Iterable[tuple[datetime, datetime]]) -> list[Span]:
    spans = sorted((_naive_utc(a), _naive_utc(b)) for a, b in pauses)
    return list(_merged((a, b) for a, b in spans if a < b))


def _unpaused(spans: Iterator[Span], pauses: Sequence[Span]) -> Iterator[Span]:
    """spans without the paused stretches (pauses ordered and merged)."""
    ends = [end for _, end in pauses]
    for start, end in spans:
        index = bisect_right(ends, start)
        while start < end:
            if index >= len(pauses) or pauses[index][0] >= end:
                yield start, end
                break
            pause_start, pause_end = pauses[index]
            if pause_start > start:
                yield start, pause_start
            start = max(start, pause_end)
            index += 1


# --- the public functions ----------------------------------------------------------------------------------

def add_business_time(calendar: Calendar, start: datetime, duration: timedelta,
                      pauses: Iterable[tuple[datetime, datetime]] = ()) -> datetime:
    """The first moment (aware UTC) by which `duration` of open, unpaused time has passed since start: the
    earliest t with business_time_between(calendar, start, t, pauses) == duration. Zero gives start.
    Raises CalendarError when that lies more than a century after start."""
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    origin = _naive_utc(start)
    if duration == ZERO:
        return _aware(origin)
    remaining = duration
    for low, high in _unpaused(_open_spans(calendar, origin), _normal_pauses(pauses)):
        if high - low >= remaining:
            return _aware(low + remaining)
        remaining -= high - low
    raise AssertionError("unreachable: open spans never end")  # pragma: no cover


def business_time_between(calendar: Calendar, start: datetime, end: datetime,
                          pauses: Iterable[tuple[datetime, datetime]] = ()) -> timedelta:
    """Open, unpaused time in [start, end); zero when end is not after start. Raises CalendarError for a span
    of more than a century."""
    low_bound, high_bound = _naive_utc(start), _naive_utc(end)
    total = ZERO
    if high_bound <= low_bound:
        return total
    for low, high in _unpaused(_open_spans(calendar, low_bound), _normal_pauses(pauses)):
        if low >= high_bound:
            break
        total += min(high, high_bound) - low
    return total


def next_open(calendar: Calendar, moment: datetime) -> datetime:
    """moment itself when the team is at work then, else when it is back (aware UTC)."""
    low, _ = next(_open_spans(calendar, _naive_utc(moment)))
    return _aware(low)


def is_open(calendar: Calendar, moment: datetime) -> bool:
    return next_open(calendar, moment) == moment.astimezone(UTC)


def open_until(calendar: Calendar, moment: datetime) -> datetime | None:
    """When the open stretch around moment ends (aware UTC), or None when the team is not at work."""
    origin = _naive_utc(moment)
    spans = _open_spans(calendar, origin)
    low, high = next(spans)
    if low != origin:
        return None
    for _ in range(_GIVE_UP_DAYS):  # an always-open calendar has no end: give its horizon
        following, after = next(spans)
        if following != high:
            break
        high = after
    return _aware(high)
