"""Business-time arithmetic by example: what a service manager would check by hand."""

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.service_levels.business_time import (
    ALWAYS_OPEN,
    Calendar,
    CalendarError,
    add_business_time,
    business_time_between,
    is_open,
    next_open,
    open_until,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SPLIT_DAY = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))  # 08:00-12:00 and 13:00-17:00
OFFICE = Calendar("Europe/Berlin", (SPLIT_DAY,) * 5 + ((), ()))
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


def whole_day(zone):
    return Calendar(zone, (((0, 1440),),) * 7)


def test_friday_half_past_four_plus_one_business_hour_is_monday_half_past_eight():
    assert add_business_time(OFFICE, berlin(2026, 11, 27, 16, 30), HOUR) == berlin(2026, 11, 30, 8, 30)


def test_the_lunch_break_is_skipped():
    assert add_business_time(OFFICE, berlin(2026, 12, 1, 11, 30), HOUR) == berlin(2026, 12, 1, 13, 30)


def test_a_start_outside_hours_counts_from_the_next_opening():
    assert add_business_time(OFFICE, berlin(2026, 12, 1, 6, 0), HOUR) == berlin(2026, 12, 1, 9, 0)
    assert add_business_time(OFFICE, berlin(2026, 12, 5, 10, 0), HOUR) == berlin(2026, 12, 7, 9, 0)


def test_a_working_day_holds_eight_hours_and_a_week_forty():
    assert business_time_between(OFFICE, berlin(2026, 12, 1, 0, 0), berlin(2026, 12, 2, 0, 0)) == 8 * HOUR
    assert business_time_between(OFFICE, berlin(2026, 11, 30), berlin(2026, 12, 7)) == 40 * HOUR


def test_zero_is_due_at_once_even_when_closed():
    saturday = berlin(2026, 12, 5, 10, 0)
    assert add_business_time(OFFICE, saturday, timedelta(0)) == saturday


def test_public_holidays_of_the_region_and_own_closed_days_are_skipped():
    # 2026-12-24 is the organisation's own closed day; 25 and 26 December are public holidays in Bavaria.
    calendar = Calendar("Europe/Berlin", OFFICE.hours, frozenset({date(2026, 12, 24)}), "DE", "BY")
    assert add_business_time(calendar, berlin(2026, 12, 23, 16, 0), 2 * HOUR) == berlin(2026, 12, 28, 9, 0)
    # 6 January (Epiphany) is a holiday in Bavaria, not in Berlin.
    bavaria, berlin_state = (Calendar("Europe/Berlin", OFFICE.hours, country="DE", subdivision=region)
                             for region in ("BY", "BE"))
    assert not is_open(bavaria, berlin(2027, 1, 6, 10, 0))
    assert is_open(berlin_state, berlin(2027, 1, 6, 10, 0))


def test_the_spring_forward_night_has_one_hour_less():
    # New York, 8 March 2026: 02:00 EST becomes 03:00 EDT; the team works 01:00-04:00 on Sundays.
    calendar = Calendar("America/New_York", ((),) * 6 + (((60, 240),),))
    sunday = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert business_time_between(calendar, sunday, sunday + timedelta(days=1)) == 2 * HOUR


def test_the_fall_back_night_works_the_repeated_hour_twice():
    # New York, 1 November 2026: 02:00 EDT becomes 01:00 EST; the team works 00:00-03:00 on Sundays.
    calendar = Calendar("America/New_York", ((),) * 6 + (((0, 180),),))
    sunday = datetime(2026, 11, 1, tzinfo=NEW_YORK)
    assert business_time_between(calendar, sunday, sunday + timedelta(days=1)) == 4 * HOUR
    # 4 business hours from Sunday 00:00 EDT end at 03:00 EST, 08:00 UTC.
    assert add_business_time(calendar, sunday, 4 * HOUR) == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def test_lord_howe_moves_its_clocks_by_half_an_hour():
    # Lord Howe Island, 5 April 2026: 02:00 (+11) becomes 01:30 (+10:30).
    calendar = Calendar("Australia/Lord_Howe", ((),) * 6 + (((0, 180),),))
    sunday = datetime(2026, 4, 5, tzinfo=ZoneInfo("Australia/Lord_Howe"))
    assert business_time_between(calendar, sunday, sunday + timedelta(days=1)) == timedelta(hours=3, minutes=30)


@pytest.mark.parametrize("zone, hours", [("Europe/Berlin", 23), ("America/New_York", 24)])
def test_a_day_of_a_whole_day_calendar_has_the_local_day_length(zone, hours):
    # 29 March 2026 is Berlin's 23-hour day; New York changed on 8 March.
    start = datetime(2026, 3, 29, tzinfo=ZoneInfo(zone))
    end = datetime(2026, 3, 30, tzinfo=ZoneInfo(zone))
    assert business_time_between(whole_day(zone), start, end) == timedelta(hours=hours)


def test_kathmandu_works_on_its_quarter_hour_offset():
    calendar = Calendar("Asia/Kathmandu", (((540, 1020),),) * 5 + ((), ()))
    # 09:00 in Kathmandu (+05:45) is 03:15 UTC.
    assert next_open(calendar, datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == datetime(2026, 12, 1, 3, 15, tzinfo=UTC)


def test_midnight_joins_a_night_shift_split_at_midnight():
    night = ((0, 360), (22 * 60, 1440))
    calendar = Calendar("Europe/Berlin", (night,) * 7)
    assert add_business_time(calendar, berlin(2026, 12, 1, 23, 0), 2 * HOUR) == berlin(2026, 12, 2, 1, 0)
    assert open_until(calendar, berlin(2026, 12, 1, 23, 0)) == berlin(2026, 12, 2, 6, 0)


def test_pauses_stop_the_clock():
    start = berlin(2026, 12, 1, 9, 0)
    pause = (berlin(2026, 12, 1, 10, 0), berlin(2026, 12, 1, 15, 0))  # waiting on the customer
    assert add_business_time(OFFICE, start, 2 * HOUR, [pause]) == berlin(2026, 12, 1, 16, 0)
    assert business_time_between(OFFICE, start, berlin(2026, 12, 1, 17, 0), [pause]) == 3 * HOUR


def test_is_open_next_open_and_open_until():
    assert is_open(OFFICE, berlin(2026, 12, 1, 8, 0)) and not is_open(OFFICE, berlin(2026, 12, 1, 12, 0))
    assert next_open(OFFICE, berlin(2026, 12, 1, 12, 10)) == berlin(2026, 12, 1, 13, 0)
    assert next_open(OFFICE, berlin(2026, 12, 1, 9, 0)) == berlin(2026, 12, 1, 9, 0)
    assert open_until(OFFICE, berlin(2026, 12, 1, 9, 0)) == berlin(2026, 12, 1, 12, 0)
    assert open_until(OFFICE, berlin(2026, 12, 1, 12, 0)) is None


def test_calendar_time_is_wall_clock_time():
    start = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert add_business_time(ALWAYS_OPEN, start, timedelta(days=3)) == start + timedelta(days=3)


def test_durations_of_months_are_fast():
    calendar = Calendar("Europe/Berlin", OFFICE.hours, country="DE", subdivision="BY")
    started = time.perf_counter()
    due = add_business_time(calendar, berlin(2026, 1, 5, 8, 0), 8 * 250 * HOUR)  # about a working year
    assert berlin(2026, 12, 1) < due < berlin(2027, 2, 1)
    assert business_time_between(calendar, berlin(2026, 1, 5, 8, 0), due) == 8 * 250 * HOUR
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("make", [
    lambda: Calendar("Mars/Olympus_Mons", OFFICE.hours),
    lambda: Calendar("Europe/Berlin", ((),) * 7),
    lambda: Calendar("Europe/Berlin", (((600, 540),),) + ((),) * 6),
    lambda: Calendar("Europe/Berlin", (((480, 720), (700, 800)),) + ((),) * 6),
    lambda: Calendar("Europe/Berlin", OFFICE.hours, country="DE", subdivision="XX"),
    lambda: Calendar("Europe/Berlin", OFFICE.hours, country="XX"),
])
def test_unusable_calendars_are_refused(make):
    with pytest.raises(CalendarError):
        make()


def test_naive_moments_are_refused():
    with pytest.raises(ValueError):
        add_business_time(OFFICE, datetime(2026, 12, 1, 9, 0), HOUR)


def test_a_clock_turned_back_across_midnight_keeps_the_moments_in_order():
    # Antarctica/Casey, 4 March 2010, 15:00 UTC: Friday 02:00 (+11) became Thursday 23:00 (+08), so an hour of
    # Thursday comes after two hours of Friday. The only such change in the tz database since 1970.
    calendar = Calendar("Antarctica/Casey", ((), (), (), ((0, 1440),), ((0, 1440),), (), ()))
    start = datetime(2010, 3, 4, 12, 0, tzinfo=UTC)
    assert add_business_time(calendar, start, 2 * HOUR) == datetime(2010, 3, 4, 14, 0, tzinfo=UTC)
    assert business_time_between(calendar, start, datetime(2010, 3, 4, 17, 0, tzinfo=UTC)) == 5 * HOUR
    thursday_only = Calendar("Antarctica/Casey", ((), (), (), ((0, 1440),), (), (), ()))
    # Thursday had 25 hours: its own 24, then 23:00-24:00 once more (15:00-16:00 UTC).
    thursday = (datetime(2010, 3, 3, 13, 0, tzinfo=UTC), datetime(2010, 3, 4, 16, 0, tzinfo=UTC))
    assert business_time_between(thursday_only, *thursday) == 25 * HOUR
    assert business_time_between(thursday_only, thursday[0], thursday[1] + 9 * HOUR) == 25 * HOUR
    assert add_business_time(thursday_only, thursday[0], 24 * HOUR + 30 * MINUTE) == datetime(2010, 3, 4, 15, 30,
                                                                                             tzinfo=UTC)
