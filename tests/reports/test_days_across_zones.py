"""Created and closed per day, and the backlog, in the viewer's own days: counted in SQL between the UTC moments
the viewer's days begin. Checked against days worked out here case by case (each moment put into its local day
with zoneinfo) for periods spanning DST changes in a whole-hour zone (Berlin), a half-hour zone with DST
(St. John's) and a half-hour zone without (Kolkata): cases a minute either side of each local midnight and of
each DST change."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.models.people import User
from tests import factories

MINUTE = timedelta(minutes=1)


def _moments(zone: ZoneInfo, first: date, last: date) -> list[datetime]:
    """A minute before and at each local midnight of the days (and the day after), a minute before and after
    each change of the zone's UTC offset in the period, and midday of each day: all in UTC."""
    moments = []
    day = first
    while day <= last + timedelta(days=1):
        midnight = datetime.combine(day, time(0), zone).astimezone(UTC)
        moments += [midnight - MINUTE, midnight, midnight + 12 * 60 * MINUTE]
        day += timedelta(days=1)
    start = datetime.combine(first, time(0), zone).astimezone(UTC)
    moment = start
    while moment < start + timedelta(days=(last - first).days + 1):
        if (moment + MINUTE).astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            moments += [moment, moment + MINUTE, moment + 2 * MINUTE]
        moment += MINUTE * 30 if moment.minute % 30 == 29 else MINUTE
    return sorted(set(moments))


@pytest.mark.parametrize("zone_name, first, last", [
    ("Europe/Berlin", date(2026, 10, 23), date(2026, 10, 27)),  # 25 October: 25 hours
    ("Europe/Berlin", date(2026, 3, 27), date(2026, 3, 31)),  # 29 March: 23 hours
    ("America/St_Johns", date(2026, 10, 30), date(2026, 11, 3)),  # UTC-2:30 to UTC-3:30 on 1 November
    ("Asia/Kolkata", date(2026, 11, 2), date(2026, 11, 6)),  # UTC+5:30 all year
])
def test_created_closed_and_backlog_per_day_are_the_viewers_days(client, login, people, zone_name, first, last):
    zone = ZoneInfo(zone_name)
    moments = _moments(zone, first, last)
    assert any(m.astimezone(zone).utcoffset() != moments[0].astimezone(zone).utcoffset() for m in moments) \
        or zone_name == "Asia/Kolkata"
    cases = []  # (opened, closed or None)
    before = datetime.combine(first, time(0), zone).astimezone(UTC) - timedelta(days=2)
    for number, opened in enumerate(moments):
        if number % 3 == 0:
            cases.append((opened, None))
        else:  # the others close at a later moment of the list (or a case opened before the period does)
            closes = moments[min(number + 1 + number % 5, len(moments) - 1)]
            cases.append((opened, closes if closes > opened else None))
            cases.append((before, opened))
    for opened, closed in cases:
        factories.case(people.customer, opened_at=opened, status="closed" if closed else "open",
                       last_closed_at=closed)

    User.update(time_zone=zone_name).where(User.id == people.admin.id).execute()
    login(people.admin)
    response = client.get(f"/reports/daily.csv?first_day={first.isoformat()}&last_day={last.isoformat()}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1:]

    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def local_day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    expected = []
    for day in days:
        created = sum(local_day(opened) == day for opened, _closed in cases)
        closed = sum(closed is not None and local_day(closed) == day for _opened, closed in cases)
        open_at_end = sum(local_day(opened) <= day and (closed is None or local_day(closed) > day)
                          for opened, closed in cases)
        expected.append([day.isoformat(), str(created), str(closed), str(open_at_end)])
    assert rows == expected
    assert sum(int(row[1]) for row in rows) >= 3 * len(days)  # the check had cases to count
