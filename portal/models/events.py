"""Typed events: one append-only record per change to a case or its tasks, in one global, gap-free
order. The API's event stream, webhooks, reports and service-level clocks read them; they hold ids
and old/new values, never display names or sentences (the edge words them for its reader)."""

import peewee

from portal.models.base import BaseModel, JSONField, UTCDateTimeField, utcnow, uuid_field
from portal.models.cases import Case
from portal.models.people import User


class Event(BaseModel):
    """position counts 1, 2, 3 ... with no gap, in the order the changes were committed (see
    portal.events.service.record). internal events (internal notes, staff-only tasks, internal
    contacts) are for staff only."""

    position = peewee.BigIntegerField(unique=True)
    uuid = uuid_field()
    type = peewee.CharField(max_length=60)
    case = peewee.ForeignKeyField(Case, null=True, backref="typed_events", on_delete="CASCADE")
    actor = peewee.ForeignKeyField(User, null=True, backref="typed_events", on_delete="SET NULL")
    internal = peewee.BooleanField(default=False)
    data = JSONField(default=dict)
    occurred_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "event"


class EventCounter(BaseModel):
    """One row: the last position handed out. Raising it inside the writer's transaction holds the row
    (PostgreSQL) or the database (SQLite) until commit, so positions are gap-free and commit-ordered."""

    name = peewee.CharField(max_length=20, primary_key=True)
    value = peewee.BigIntegerField(default=0)

    class Meta:
        table_name = "event_counter"


MODELS = [Event, EventCounter]
