"""The breach job (every minute, from the scheduler): warns when a case reaches the warning share of a target
and, when it misses the target, records the breach and escalates it to its template's expert workgroup.

Every warning and breach is claimed with a conditional write (UPDATE ... WHERE <mark> IS NULL AND <moment> <= now),
so two schedulers running at once act once per case and target. After downtime it catches up without a flood:
a target whose warning and breach both passed meanwhile gets only the breach (its warning mark is set with it),
so each case gets one notification per target.
"""

from __future__ import annotations

from datetime import datetime

import peewee

from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict
from portal.events.case_events import iso_utc
from portal.events.service import record
from portal.models.cases import Case
from portal.models.configuration import CaseStatus
from portal.notify.service import notify_service_level
from portal.service_levels.case_targets import TARGETS, refresh_targets

BATCH = 200


def _pending(name: str):
    """The condition under which target `name` still runs (the first response only until it is met)."""
    return Case.first_response_at.is_null() if name == "first_response" else peewee.SQL("1 = 1")


def _claim(case_id: int, name: str, mark: str, moment_field: str, now: datetime, **also) -> bool:
    fields = Case._meta.fields
    condition = ((Case.id == case_id) & fields[f"{name}_{mark}"].is_null() & (fields[moment_field] <= now)
                 & (Case.sla_paused == False) & _pending(name))  # noqa: E712
    if mark == "warned_at":
        condition &= fields[f"{name}_breached_at"].is_null()
    return bool(Case.update(**{f"{name}_{mark}": now}, **also).where(condition).execute())


def act_on_case(case_id: int, now: datetime) -> list[tuple[str, str]]:
    """Warn about and breach the case's targets that are due (in one transaction). Returns what it did:
    (target, "warned" or "breached") pairs; empty when another scheduler got there first."""
    from portal.staff.service.handling import escalate_automatically

    done: list[tuple[str, str]] = []
    with database.atomic():
        case = Case.get_or_none(Case.id == case_id)
        if case is None or case.status.category == "closed":
            return done
        for name in TARGETS:
            due, warn_at = getattr(case, f"{name}_due"), getattr(case, f"{name}_warn_at")
            if due is not None and due <= now:
                # A breach also settles the warning: after downtime, one notification per target.
                if _claim(case.id, name, "breached_at", f"{name}_due", now, **{f"{name}_warned_at": now}
                          if getattr(case, f"{name}_warned_at") is None else {}):
                    done.append((name, "breached"))
            elif warn_at is not None and warn_at <= now and _claim(case.id, name, "warned_at", f"{name}_warn_at",
                                                                    now):
                done.append((name, "warned"))
        if not done:
            refresh_targets(case, now)  # nothing left to claim: only the next action moment moves on
            return done
        workgroup = str(case.workgroup.uuid) if case.workgroup_id else None
        for name, what in done:
            notify_service_level(case, name, what, now=now)
        for name, what in done:
            # Before the escalation a breach causes, so readers of the stream see the cause first.
            record(f"case.sla_{what}", case=case, actor=None, internal=True, now=now,
                   data={"target": name, "due": iso_utc(getattr(case, f"{name}_due")), "workgroup": workgroup})
        breached = [name for name, what in done if what == "breached"]
        if breached:
            try:
                with database.atomic():
                    escalate_automatically(case, breached[0], now=now)
            except Conflict:
                pass  # someone moved the case meanwhile: it stays where they put it
        refresh_targets(case, now)
    return done


def act_on_service_levels(*, now: datetime | None = None) -> int:
    """The job: every case whose next service-level action is due; returns how many warnings and breaches it
    acted on. Safe to run from two schedulers at once."""
    now = now or utcnow()
    closed = CaseStatus.select(CaseStatus.id).where(CaseStatus.category == "closed")
    acted = 0
    seen: set[int] = set()
    while True:
        ids = [row.id for row in Case.select(Case.id)
               .where((Case.sla_action_at <= now) & Case.status.not_in(closed) & Case.id.not_in(seen or [0]))
               .order_by(Case.sla_action_at).limit(BATCH)]
        if not ids:
            return acted
        for case_id in ids:
            seen.add(case_id)
            acted += len(act_on_case(case_id, now))
