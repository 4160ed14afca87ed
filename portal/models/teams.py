"""Workgroups (teams of agents and supervisors) and their members."""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid
from portal.models.calendars import BusinessCalendar
from portal.models.people import User


class Workgroup(BaseModel):
    uuid = _uuid()
    name = peewee.CharField(max_length=120, unique=True)
    description = peewee.TextField(default="")
    # Where "new case in your queue" style mail goes when nobody is assigned; optional.
    email = peewee.CharField(max_length=254, null=True)
    active = peewee.BooleanField(default=True)
    # When the team works, for service-level targets in business time; none means around the clock (24x7).
    calendar = peewee.ForeignKeyField(BusinessCalendar, null=True, backref="workgroups", on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)

    def __str__(self):
        return self.name


class WorkgroupMember(BaseModel):
    workgroup = peewee.ForeignKeyField(Workgroup, backref="members", on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    added_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("workgroup", "user"), True),)


MODELS = [Workgroup, WorkgroupMember]
