"""Remembering that someone read a case, so their list can mark the cases that changed since.

Called by the case page for whoever it shows the case to (after the policy let them see it). A view
of a case unchanged since the last reading writes nothing: one read, no write, on most page views."""

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


def mark_read(user: User, case: Case, *, now: datetime | None = None) -> None:
    """user has now seen case as it is. A newer reading (another tab) is never moved back."""
    row = _SEEN_AT.first(user.id, case.id)
    seen_at = row[0] if row else None
    if seen_at is not None and seen_at >= case.updated_at:
        return
    now = now or utcnow()
    (CaseReading.insert(user=user.id, case=case.id, seen_at=now)
     .on_conflict(conflict_target=[CaseReading.user, CaseReading.case],
                  update={CaseReading.seen_at: now}, where=(CaseReading.seen_at < now))
     .execute())
