"""Business-time arithmetic against a brute-force reference that walks minute by minute.

The reference is written here, independently of portal.service_levels.business_time: a minute is open when the
wall clock of the calendar's zone, at that minute, shows a working time of that weekday on a date that is no
holiday (asked of the holidays package directly) and no closed day; it counts when no pause covers it.
Calendars, zones, holidays and pauses are random; starts cluster around the zones' daylight-saving changes.
"""

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from portal.service_levels.business_time import (
    Calendar,
    add_business_time,
    business_time_between,
    is_open,
    next_open,
)

# Berlin and New York: one-hour changes at 02:00; Lord Howe: a 30-minute change; Kathmandu: +05:45, no
# change; Santiago: changes at midnight (a Sunday that starts at 01:00, a Saturday with 23:00-24:00 twice).
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Santiago"]
COUNTRIES = {"Europe/Berlin": ("DE", "BY"), "America/New_York": ("US", "NY"), "Australia/Lord_Howe": ("AU", "NSW"),
             "Asia/Kathmandu": ("NP", None), "America/Santiago": ("CL", None)}
MINUTE = timedelta(minutes=1)
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def transitions(zone_name: str) -> list[datetime]:
    """The zone's offset changes 2024-2027, found by walking hour by hour and then minute by minute."""
    zone, found = ZoneInfo(zone_name), []
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    while moment.year < 2028:
        following = moment + timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            probe = moment
            while probe.astimezone(zone).utcoffset() == moment.astimezone(zone).utcoffset():
                probe += MINUTE
            found.append(probe)
        moment = following
    return found


# --- the reference -----------------------------------------------------------------------------------------

@cache
def reference_holidays(country, subdivision, year):
    return set(holidays.country_holidays(country, subdiv=subdivision, years=year))


def reference_open(calendar: Calendar, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(calendar.time_zone))
    day = local.date()
    if day in calendar.closed_days:
        return False
    if calendar.country and day in reference_holidays(calendar.country, calendar.subdivision, day.year):
        return False
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in calendar.hours[local.weekday()])


def reference_counts(calendar, moment, pauses) -> bool:
    return reference_open(calendar, moment) and not any(a <= moment < b for a, b in pauses)


def reference_add(calendar, start, minutes, pauses, limit_days=10):
    moment, counted = start, 0
    while counted < minutes:
        if moment - start > timedelta(days=limit_days):
            return None
        if reference_counts(calendar, moment, pauses):
            counted += 1
        moment += MINUTE
    return moment


def reference_between(calendar, start, end, pauses):
    minutes, moment = 0, start
    while moment < end:
        minutes += reference_counts(calendar, moment, pauses)
        moment += MINUTE
    return timedelta(minutes=minutes)


# --- random calendars --------------------------------------------------------------------------------------

# Boundaries on the half hour most of the time, so they meet the changes at 00:00, 01:30, 02:00 and 03:00.
boundary = st.one_of(st.integers(0, 48).map(lambda half_hours: half_hours * 30), st.integers(0, 1440))


@st.composite
def day_hours(draw):
    count = draw(st.integers(0, 3))
    points = sorted(draw(st.sets(boundary, min_size=2 * count, max_size=2 * count)))
    return tuple(zip(points[::2], points[1::2]))


@st.composite
def calendars(draw, near: date):
    zone = draw(st.sampled_from(ZONES))
    hours = tuple(draw(day_hours()) for _ in range(7))
    assume(sum(end - start for day in hours for start, end in day) >= 120)
    closed = frozenset(near + timedelta(days=k) for k in draw(st.sets(st.integers(-2, 8), max_size=3)))
    country, subdivision = COUNTRIES[zone] if draw(st.booleans()) else (None, None)
    return Calendar(zone, hours, closed, country, subdivision)


@st.composite
def scenarios(draw):
    """A calendar and a whole-minute start in UTC, often within a day of a daylight-saving change."""
    zone = draw(st.sampled_from(ZONES))
    changes = transitions(zone)
    if changes and draw(st.booleans()):
        anchor = draw(st.sampled_from(changes)) + timedelta(minutes=draw(st.integers(-1800, 600)))
    else:
        anchor = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 366 * 1440)))
    calendar = draw(calendars(anchor.date()))
    calendar = Calendar(zone, calendar.hours, calendar.closed_days,
                        *(COUNTRIES[zone] if calendar.country else (None, None)))
    return calendar, anchor


@st.composite
def pause_lists(draw, start):
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        begin = start + timedelta(minutes=draw(st.integers(-120, 3 * 1440)))
        pauses.append((begin, begin + timedelta(minutes=draw(st.integers(0, 900)))))
    return pauses


# --- properties --------------------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(st.data())
def test_adding_business_time_matches_the_minute_by_minute_reference(data):
    calendar, start = data.draw(scenarios())
    pauses = data.draw(pause_lists(start))
    minutes = data.draw(st.integers(0, 720))
    expected = reference_add(calendar, start, minutes, pauses)
    assume(expected is not None)
    assert add_business_time(calendar, start, timedelta(minutes=minutes), pauses) == expected


@PROPERTY_SETTINGS
@given(st.data())
def test_business_time_between_matches_the_minute_by_minute_reference(data):
    calendar, start = data.draw(scenarios())
    pauses = data.draw(pause_lists(start))
    end = start + timedelta(minutes=data.draw(st.integers(-60, 2 * 1440)))
    assert business_time_between(calendar, start, end, pauses) == reference_between(calendar, start, end, pauses)


@PROPERTY_SETTINGS
@given(st.data())
def test_open_and_next_open_match_the_reference(data):
    calendar, moment = data.draw(scenarios())
    assert is_open(calendar, moment) == reference_open(calendar, moment)
    back = moment
    while not reference_open(calendar, back):
        back += MINUTE
        assume(back - moment < timedelta(days=10))
    assert next_open(calendar, moment) == back


@PROPERTY_SETTINGS
@given(st.data())
def test_adding_the_time_between_lands_at_the_end_or_the_last_working_moment_before_it(data):
    calendar, start = data.draw(scenarios())
    pauses = data.draw(pause_lists(start))
    # Any microsecond, not only whole minutes: the arithmetic is exact, not rounded to minutes.
    end = start + timedelta(microseconds=data.draw(st.integers(0, 5 * 24 * 3600 * 10**6)))
    between = business_time_between(calendar, start, end, pauses)
    due = add_business_time(calendar, start, between, pauses)
    assert due <= end
    assert business_time_between(calendar, start, due, pauses) == between
    assert business_time_between(calendar, due, end, pauses) == timedelta(0)


@PROPERTY_SETTINGS
@given(st.data())
def test_more_business_time_is_never_due_earlier(data):
    calendar, start = data.draw(scenarios())
    pauses = data.draw(pause_lists(start))
    shorter = timedelta(seconds=data.draw(st.integers(0, 3 * 24 * 3600)))
    longer = shorter + timedelta(seconds=data.draw(st.integers(0, 24 * 3600)))
    first = add_business_time(calendar, start, shorter, pauses)
    second = add_business_time(calendar, start, longer, pauses)
    assert first <= second
    assert business_time_between(calendar, start, second, pauses) == longer
