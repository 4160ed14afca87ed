"""GET /events: the event stream, polled with a cursor (the last position seen), as an integrator
polls Amazon Connect's case event stream. Every change to a case or its tasks, typed, with ids and
old/new values, in one global gap-free order (portal.events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import pydantic
from flask_login import current_user

from portal import policy
from portal.api.framework import operation
from portal.api.schemas import Model
from portal.errors import NotFound
from portal.events.queries import MAX_LIMIT, event_payload, events_for
from portal.events.types import EVENT_TYPES
from portal.models.cases import Case

EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]


class EventCase(Model):
    id: str = pydantic.Field(description="The case's UUID.")
    reference: str = pydantic.Field(description="The case's 8-digit reference.")


class Event(Model):
    """One change. `data` holds ids (UUIDs, references) and old/new values, never display names."""

    id: str = pydantic.Field(description="The event's UUID (the webhook-id of its webhook deliveries).")
    position: int = pydantic.Field(description="Its place in the global order: 1, 2, 3 ... with no gap, in "
                                               "the order the changes were committed.")
    type: EventType
    occurred_at: datetime
    case: EventCase | None
    actor: str | None = pydantic.Field(description="The UUID of who made the change; null for the system.")
    internal: bool = pydantic.Field(description="Staff-only (internal notes, tasks, contact logs): never "
                                                "shown to customer-side tokens.")
    data: dict[str, Any]


class EventQuery(Model):
    after: int | None = pydantic.Field(None, ge=0, le=2**62, description="Only events after this position: "
                                       "the next_after of the previous page. Omit it to start from the first.")
    limit: int = pydantic.Field(100, ge=1, le=MAX_LIMIT, description="At most this many events.")
    type: list[EventType] | None = pydantic.Field(None, description="Only these types (repeat the parameter).")
    case: str | None = pydantic.Field(None, max_length=40, description="Only this case's events (its reference).")


class EventPage(Model):
    items: list[Event]
    next_after: int | None = pydantic.Field(description="Pass as `after` next time (the last position in "
                                                        "this page, or your `after` when it is empty).")


@operation("/events", "GET", scope="events:read", tag="Events", summary="Poll the event stream",
           query=EventQuery, response=EventPage)
def list_events(query: EventQuery) -> EventPage:
    """Every change the token's user may see, oldest first, after the position you last saw. Positions are
    global and gap-free in commit order, so polling with `after=next_after` never misses or repeats an event
    (your own stream skips positions of events you may not see). Internal events reach staff tokens only."""
    case = None
    if query.case is not None:
        case = Case.get_or_none(Case.reference == query.case)
        if case is None or not policy.can_view_case(current_user, case):
            raise NotFound()
    events = events_for(current_user, after=query.after, limit=query.limit, types=query.type, case=case)
    items = [Event.model_validate(event_payload(event)) for event in events]
    return EventPage(items=items, next_after=items[-1].position if items else query.after)
