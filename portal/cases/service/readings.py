"""Remembering that someone read a case, so their list can mark the cases that changed since.

Called by the case page for whoever it shows the case to (after the policy let them see it). A view
of a case unchanged since the last reading writes nothing: on most page views no write, and no read
either when the page read the last reading with the case (portal.cases.queries.case_page.last_reading)."""

from __future__ import annotations

from datetime import datetime

from portal.clock import utcnow
from portal.fixed_reads import FixedRead
from portal.models.cases import Case
from portal.models.people import User
from portal.models.readings import CaseReading

# Every case page view asks this: its SQL is written once (portal.fixed_reads).
_SEEN_AT = FixedRead(lambda user_id, case_id: (
    CaseReading.select(CaseReading.seen_at)
    .where((CaseReading.user == user_id) & (CaseReading.case == case_id))
    .limit(1)
    .tuples()
), "int", "int")


NOT_KNOWN = object()


def mark_read(user: User, case: Case, *, now: datetime | None = None, last_seen=NOT_KNOWN) -> None:
    """user has now seen case as it is. A newer reading (another tab) is never moved back. last_seen:
    when they last read it (None: never) if the caller read that with the case, else it is read here."""
    if last_seen is NOT_KNOWN:
        row = _SEEN_AT.first(user.id, case.id)
        last_seen = row[0] if row else None
    if last_seen is not None and last_seen >= case.updated_at:
        return
    now = now or utcnow()
    (CaseReading.insert(user=user.id, case=case.id, seen_at=now)
     .on_conflict(conflict_target=[CaseReading.user, CaseReading.case],
                  update={CaseReading.seen_at: now}, where=(CaseReading.seen_at < now))
     .execute())
