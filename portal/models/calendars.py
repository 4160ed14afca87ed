"""Business calendars: when a team works (time zone, weekly hours, public holidays, own closed days).

Kept apart from the SLA models because workgroups point at calendars, and SLA policies point at case templates
(which point at workgroups): two modules keep the imports one-way.
"""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid

# The calendar every installation has (seeded by migration 0021): open around the clock, no holidays. A
# workgroup without a calendar of its own works on it.
ALWAYS_OPEN_UUID = "00000000-0000-4000-8000-000000000024"


class BusinessCalendar(BaseModel):
    uuid = _uuid()
    name = peewee.CharField(max_length=120, unique=True)
    # An IANA time zone name: hours, holidays and closed days are dates and times on this zone's wall clock.
    time_zone = peewee.CharField(max_length=64)
    # Public holidays from the holidays package (ISO 3166 country code, optional subdivision code).
    country = peewee.CharField(max_length=3, null=True)
    subdivision = peewee.CharField(max_length=10, null=True)
    # The seeded 24x7 calendar: kept as it is (no edits), so "no calendar" always means around the clock.
    is_system = peewee.BooleanField(default=False)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    def __str__(self):
        return self.name


class WorkingHours(BaseModel):
    """One working interval of a weekday (0 = Monday), in minutes after local midnight; end may be 1440."""

    calendar = peewee.ForeignKeyField(BusinessCalendar, backref="working_hours", on_delete="CASCADE")
    weekday = peewee.IntegerField()
    start_minute = peewee.IntegerField()
    end_minute = peewee.IntegerField()

    class Meta:
        indexes = ((("calendar", "weekday", "start_minute"), True),)


class ClosedDay(BaseModel):
    """A date the organisation is closed beyond the public holidays (a company outing, the days between holidays)."""

    calendar = peewee.ForeignKeyField(BusinessCalendar, backref="closed_days", on_delete="CASCADE")
    day = peewee.DateField()
    label = peewee.CharField(max_length=120)

    class Meta:
        indexes = ((("calendar", "day"), True),)


MODELS = [BusinessCalendar, WorkingHours, ClosedDay]
