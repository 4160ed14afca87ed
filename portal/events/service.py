"""Recording typed events: one row per change, in a global gap-free order, inside the caller's
transaction (so an event exists exactly when its change was committed).

Call record() (through portal.events.case_events) LAST in the transaction, after every other row the
change writes: from the counter's raise until the commit, every other writer of events waits (the
counter row's lock on PostgreSQL), so the lock is held as briefly as possible, and a transaction that
holds it never goes on to wait for a case row another writer holds (no deadlock).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from portal.clock import utcnow
from portal.db import database
from portal.events.types import EVENT_TYPES
from portal.models.cases import Case
from portal.models.events import Event, EventCounter
from portal.models.people import User

COUNTER = "events"

# Called with every recorded event inside its transaction, after its row is written (portal.webhooks
# queues its deliveries so: they exist exactly when the event does). Registered at start-up by
# create_app, so this module depends on none of them.
_followers: list[Callable[[Event], object]] = []


def follow(callback: Callable[[Event], object]) -> None:
    """Have callback(event) called for every event recorded from now on (registering twice is harmless)."""
    if callback not in _followers:
        _followers.append(callback)


def _next_position() -> int:
    """Raise the counter and read it back, in one statement. The raise locks the counter's row
    (PostgreSQL) or the database (SQLite) until the caller commits, so two writers cannot take
    positions out of commit order, and a rolled-back change takes its position back with it: no gap,
    no reordering."""
    raised = (
        EventCounter.update(value=EventCounter.value + 1)
        .where(EventCounter.name == COUNTER)
        .returning(EventCounter.value)
        .tuples()
        .execute()
    )
    return next(iter(raised))[0]


def record(type: str, *, case: Case | None, actor: User | None, data: dict | None = None,
           internal: bool = False, now: datetime | None = None) -> Event:
    """Append one event. type is one of EVENT_TYPES; data holds ids (UUIDs, case references) and
    old/new values only. Call inside the transaction that makes the change, after its other writes."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    if not database.in_transaction():  # alone, it still takes its position and row together
        with database.atomic():
            return record(type, case=case, actor=actor, data=data, internal=internal, now=now)
    event = Event.create(position=_next_position(), type=type, case=case, actor=actor,
                         internal=internal, data=data or {}, occurred_at=now or utcnow())
    for callback in _followers:
        callback(event)
    return event
