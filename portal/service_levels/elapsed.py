"""Business time a case took, stored on the case so reports average it in SQL: from opening to the team's first
public answer (first_response_business_s) and to its last closing (resolution_business_s), in the calendar of
the workgroup handling it at that moment (24x7 without one); and the same two spans in calendar time
(first_response_s, resolution_s, whole seconds), so no report subtracts two times per case either. The clock's
pauses (waiting on the customer) are not taken out: this is how long the customer waited in the team's working
time, the figure a service manager compares across teams; the SLA targets are what count pauses.

elapsed_values() is called by case_targets.compute(), which every service runs in its transaction when the case's
status changes or the team first answers; portal.service_levels.backfill fills what cases stored before this
existed (the CLI's `caseport sla backfill`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from portal.models.cases import Case
from portal.service_levels.business_time import ALWAYS_OPEN, Calendar, business_time_between


def business_seconds(calendar: Calendar, start: datetime, end: datetime) -> int:
    if calendar == ALWAYS_OPEN:  # the common case needs no walk through the days
        return max(0, round((end - start).total_seconds()))
    return round(business_time_between(calendar, start, end).total_seconds())


def calendar_seconds(start: datetime, end: datetime) -> int:
    return round((end - start).total_seconds())


def elapsed_values(case: Case, calendar: Callable[[], Calendar], *, keep_resolution: bool = False) -> dict:
    """The stored figures as they should be now: the first response's, once it happened (kept once set), and
    the resolution's while the case is closed (a reopened case has none until it closes again), each in business
    and in calendar seconds. calendar() gives the case's workgroup calendar and is only called when a business
    figure is to be computed. keep_resolution (the backfill): a closed case's business figure already stored is
    kept (it was computed when the case closed) instead of being walked through the calendar again."""
    first, first_s = case.first_response_business_s, case.first_response_s
    if case.first_response_at is None:
        first = first_s = None
    else:
        if first is None:
            first = business_seconds(calendar(), case.opened_at, case.first_response_at)
        if first_s is None:
            first_s = calendar_seconds(case.opened_at, case.first_response_at)
    resolution = resolution_s = None
    if case.status.category == "closed" and case.last_closed_at is not None:
        resolution = case.resolution_business_s if keep_resolution else None
        if resolution is None:
            resolution = business_seconds(calendar(), case.opened_at, case.last_closed_at)
        resolution_s = calendar_seconds(case.opened_at, case.last_closed_at)
    return {"first_response_business_s": first, "resolution_business_s": resolution,
            "first_response_s": first_s, "resolution_s": resolution_s}
