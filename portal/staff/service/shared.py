"""What every staff action on a case shares: refusing a closed case (naming who closed it), the
staff-only refusal message, and the feed entry a staff action writes (internal unless said otherwise)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from portal import policy
from portal.cases.service.transitions import NOT_CLOSED, STATUS_EVENTS, explain
from portal.errors import InvalidTransition
from portal.i18n import _l, format_moment, match_language
from portal.models.cases import Case, CaseEvent
from portal.models.people import User

CLOSED_MESSAGE = _l("This case is closed. Reopen it first.")
STAFF_ONLY = policy.STAFF_ONLY
# What a staff action on the case as a whole checked: that it is not closed. Assignment and moves
# check more (their own fields), see each function.
OPEN = (NOT_CLOSED,)


def require_open(actor: User, case: Case) -> None:
    """InvalidTransition for a closed case, naming who closed it when the feed says so."""
    if case.status.category == "closed":
        closed_by = explain(actor, case, STATUS_EVENTS)
        raise InvalidTransition(_l("%(closed_by)s Reopen it first.", closed_by=closed_by) if closed_by
                                else CLOSED_MESSAGE)


def record(case: Case, kind: str, actor: User, now: datetime, *, body: str = "", public: bool = False,
           data: dict | None = None) -> CaseEvent:
    """A feed entry; staff actions are internal unless said otherwise."""
    return CaseEvent.create(case=case, kind=kind, actor=actor, public=public, body=body, data=data,
                            created_at=now)


def moment_for(actor: User, value: datetime) -> str:
    """A time inside a refusal told to actor: in their language and time zone, the zone named. Made
    when the refusal is, so it needs no request (services also run in jobs and the CLI)."""
    try:
        zone = ZoneInfo(actor.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return format_moment(value, zone, match_language(actor.language) or "en")
