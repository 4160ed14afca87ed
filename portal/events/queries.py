"""Reading typed events: the page of events a user may see after a position, and the JSON-ready form
an integrator receives (the API's event stream and webhooks send exactly event_payload())."""

from __future__ import annotations

from collections.abc import Collection

import peewee

from portal import policy
from portal.events.case_events import iso_utc
from portal.models.cases import Case
from portal.models.events import Event
from portal.models.people import User

MAX_LIMIT = 1000


def events_for(user: User | None, *, after: int | None, limit: int, types: Collection[str] | None = None,
               case: Case | None = None) -> list[Event]:
    """The events user may see (policy.event_visibility) with a position above `after` (None: from
    the first), oldest first, at most `limit` (1 to MAX_LIMIT), optionally only of `types` and of
    one `case`. Positions are given out in commit order, so a reader that asks again after the last
    position it got never misses an event. One statement (the viewer's scope may cost one more,
    once per request), whatever the number of events: each event comes with its case's UUID and
    reference and its actor's UUID."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    query = (
        Event.select(Event, Case.id, Case.uuid, Case.reference, User.id, User.uuid)
        .join(Case, peewee.JOIN.LEFT_OUTER, on=(Event.case == Case.id))
        .switch(Event)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(Event.actor == User.id))
        .where(policy.event_visibility(user))
        .order_by(Event.position)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Event.position > after)
    if types is not None:
        query = query.where(Event.type.in_(sorted(set(types))))
    if case is not None:
        query = query.where(Event.case == case.id)
    return list(query)


def event_payload(event: Event) -> dict:
    """What an integrator sees of event: plain JSON values. Read the event through events_for() (its
    case and actor come with it); another Event costs a query for each of them."""
    return {
        "id": str(event.uuid),
        "position": event.position,
        "type": event.type,
        "occurred_at": iso_utc(event.occurred_at),
        "case": ({"id": str(event.case.uuid), "reference": event.case.reference}
                 if event.case_id is not None else None),
        "actor": str(event.actor.uuid) if event.actor_id is not None else None,
        "internal": bool(event.internal),
        "data": dict(event.data or {}),
    }
