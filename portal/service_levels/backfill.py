"""`caseport sla backfill`: the business-time figures (portal.service_levels.elapsed) of cases stored before
they existed, and the targets of open cases opened before service levels existed, computed in Python (business
time needs each workgroup's calendar) in batches, one transaction each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from portal.db import database
from portal.models.cases import Case
from portal.models.configuration import CaseStatus
from portal.service_levels.business_time import Calendar
from portal.service_levels.case_targets import refresh_targets
from portal.service_levels.elapsed import elapsed_values
from portal.service_levels.queries import calendar_of_workgroup

BATCH = 500
FIGURES = ("first_response_business_s", "resolution_business_s", "first_response_s", "resolution_s")


def backfill(*, now: datetime, progress: Callable[[int], object] = lambda n: None) -> dict[str, int]:
    """Fill the figures of cases stored before they existed, and store the targets of open cases opened before
    service levels existed (none stored yet), in batches of BATCH cases, one transaction each. Running it again
    changes nothing. Returns how many cases got a first-response figure, a resolution figure, targets."""
    closed = CaseStatus.select(CaseStatus.id).where(CaseStatus.category == "closed")
    needs_first = Case.first_response_at.is_null(False) & (Case.first_response_business_s.is_null()
                                                           | Case.first_response_s.is_null())
    needs_resolution = (Case.status.in_(closed) & Case.last_closed_at.is_null(False)
                        & (Case.resolution_business_s.is_null() | Case.resolution_s.is_null()))
    no_targets = (Case.status.not_in(closed) & Case.sla_due.is_null() & Case.first_response_due.is_null()
                  & Case.resolution_due.is_null() & Case.next_response_due.is_null() & Case.ola_due.is_null())
    calendars: dict[int | None, Calendar] = {}

    def calendar_of(case: Case) -> Calendar:
        if case.workgroup_id not in calendars:
            calendars[case.workgroup_id] = calendar_of_workgroup(case.workgroup_id)
        return calendars[case.workgroup_id]

    done = {"first_response": 0, "resolution": 0, "targets": 0}
    after = 0
    while True:
        ids = [row[0] for row in Case.select(Case.id)
               .where((Case.id > after) & (needs_first | needs_resolution | no_targets))
               .order_by(Case.id).limit(BATCH).tuples()]
        if not ids:
            return done
        with database.atomic():
            # The status joined: each case's category is read for every case (no query per case for it).
            for case in (Case.select(Case, CaseStatus).join(CaseStatus).where(Case.id.in_(ids))
                         .order_by(Case.id)):
                before = {name: getattr(case, name) for name in FIGURES}
                if case.status.category != "closed" and case.sla_due is None:
                    refresh_targets(case, now)  # stores the figures too
                    done["targets"] += case.sla_due is not None
                values = elapsed_values(case, lambda case=case: calendar_of(case), keep_resolution=True)
                if values != before:
                    Case.update(**values).where(Case.id == case.id).execute()
                # A case counts when one of its figures of that kind was missing and is stored now.
                done["first_response"] += any(before[name] is None and values[name] is not None
                                              for name in ("first_response_business_s", "first_response_s"))
                done["resolution"] += any(before[name] is None and values[name] is not None
                                          for name in ("resolution_business_s", "resolution_s"))
        after = ids[-1]
        progress(len(ids))
