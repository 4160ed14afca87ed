"""Recording typed events: one row per change, in a global gap-free order, inside the caller's
transaction (so an event exists exactly when its change was committed)."""

from __future__ import annotations

from datetime import datetime

from portal.clock import utcnow
from portal.db import database
from portal.events.types import EVENT_TYPES
from portal.models.cases import Case
from portal.models.events import Event, EventCounter
from portal.models.people import User
from portal.webhooks.deliveries import enqueue_for_event

COUNTER = "events"


def _next_position() -> int:
    """Raise the counter and read it back. The raise locks the counter's row (PostgreSQL) or the
    database (SQLite) until the caller commits, so two writers cannot take positions out of commit
    order, and a rolled-back change takes its position back with it: no gap, no reordering."""
    EventCounter.update(value=EventCounter.value + 1).where(EventCounter.name == COUNTER).execute()
    return (EventCounter
            .select(EventCounter.value)
            .where(EventCounter.name == COUNTER)
            .scalar())


def record(type: str, *, case: Case | None, actor: User | None, data: dict | None = None,
           internal: bool = False, now: datetime | None = None) -> Event:
    """Append one event. type is one of EVENT_TYPES; data holds ids (UUIDs, case references) and
    old/new values only. Call inside the transaction that makes the change."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    with database.atomic():
        event = Event.create(position=_next_position(), type=type, case=case, actor=actor,
                             internal=internal, data=data or {}, occurred_at=now or utcnow())
        # Webhook deliveries are queued in the same transaction: they exist exactly when the event does.
        enqueue_for_event(event)
        return event
