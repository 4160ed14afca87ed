"""A case's service-level targets, stored on the case: the one function every service calls (inside its
transaction) when something a target depends on changed: the status (pausing or resuming the clock), the
priority, the template, the workgroup or escalation, a staff answer or a customer comment.

targets_for (pure) computes the moments; this module reads its inputs from the database (the template's policy,
the workgroup's calendar and OLA, the status history from the typed events) and writes the result, keeping the
warning and breach marks of the breach job while a target's moment stays in the past (a target that moved into
the future may warn and breach again).
"""

from __future__ import annotations

from datetime import datetime

from portal.events.case_events import STATUS_TYPES
from portal.models.cases import Case
from portal.models.events import Event
from portal.service_levels.elapsed import elapsed_values
from portal.service_levels.queries import ola_value, policy_value_of, workgroup_calendar
from portal.service_levels.targets import CaseTargets, targets_for

TARGETS = ("first_response", "next_response", "resolution", "ola")
# The case fields the targets depend on: a write_case that changes one of them stores the targets again.
# What others write on their own (the breach job's marks, the conversation's moments): read again before storing.
MARKS = ("first_response_at", "awaiting_reply_since", "first_response_due", "first_response_warn_at",
         *(f"{name}_{mark}" for name in TARGETS for mark in ("warned_at", "breached_at")))
INPUTS = frozenset({"status", "priority", "template", "workgroup", "escalated", "first_response_at",
                    "awaiting_reply_since"})


def status_history(case: Case, now: datetime) -> list[tuple[datetime, str]]:
    """(moment, status category) per status change, from the typed events, the case's current status last (a
    change being written now has no event yet)."""
    history: list[tuple[datetime, str]] = []
    rows = (Event.select(Event.type, Event.data, Event.occurred_at)
            .where((Event.case == case.id) & Event.type.in_(("case.created", *STATUS_TYPES)))
            .order_by(Event.position))
    for row in rows:
        status = (row.data or {}).get("status") or {}
        category = status.get("category") if row.type == "case.created" else (status.get("new") or {}).get("category")
        if category:
            history.append((row.occurred_at, category))
    if not history:
        history.append((case.opened_at, "open"))
    current = case.status.category
    if history[-1][1] != current:
        history.append((now, current))
    return history


def _escalated_at(case: Case, now: datetime) -> datetime | None:
    if not case.escalated:
        return None
    latest = (Event.select(Event.occurred_at)
              .where((Event.case == case.id) & (Event.type == "case.escalated"))
              .order_by(Event.position.desc()).first())
    return latest.occurred_at if latest is not None else now


def compute(case: Case, now: datetime, *, history: list[tuple[datetime, str]] | None = None) -> dict:
    """The service-level fields of case as they should be stored now (a dict of Case field values)."""
    escalated_at = _escalated_at(case, now)
    workgroup = case.workgroup if case.workgroup_id else None  # the messages of the change read it too
    policy = policy_value_of(case.template_id)  # by id: the configuration cache answers without loading the row
    ola = ola_value(workgroup) if escalated_at else None
    calendar = None
    if policy is None and ola is None:  # no target at all: nothing to read or count
        targets = CaseTargets()
    else:
        calendar = workgroup_calendar(workgroup)
        targets = targets_for(
            policy, priority=case.priority, calendar=calendar, opened_at=case.opened_at, now=now,
            status_history=history if history is not None else status_history(case, now),
            awaiting_reply_since=case.awaiting_reply_since if case.first_response_at else None,
            escalated_at=escalated_at, ola=ola, ola_calendar=calendar)
    computed = targets.as_dict()
    closed = case.status.category == "closed"
    values: dict = {"sla_paused": bool(targets.paused) and not closed}
    pending = {"first_response": case.first_response_at is None,
               "next_response": case.first_response_at is not None and case.awaiting_reply_since is not None,
               "resolution": True, "ola": escalated_at is not None}
    dues, actions = [], []
    for name in TARGETS:
        due, warn_at = computed[f"{name}_due"], computed[f"{name}_warn_at"]
        if name == "first_response" and case.first_response_at is not None:
            # Met: its moments stay as they were when it was met (reports compare them with the answer).
            due, warn_at = getattr(case, f"{name}_due"), getattr(case, f"{name}_warn_at")
        elif not pending[name]:
            due = warn_at = None
        values[f"{name}_due"], values[f"{name}_warn_at"] = due, warn_at
        warned, breached = getattr(case, f"{name}_warned_at"), getattr(case, f"{name}_breached_at")
        if warned is not None and (warn_at is None or warn_at > now):
            warned = None
        if breached is not None and (due is None or due > now):
            breached = None
        values[f"{name}_warned_at"], values[f"{name}_breached_at"] = warned, breached
        if closed or not pending[name] or due is None:
            continue
        dues.append(due)
        if warned is None and breached is None:
            actions.append(warn_at)
        if breached is None:
            actions.append(due)
    values["sla_due"] = min(dues) if dues else None
    values.update(elapsed_values(case, lambda: calendar or workgroup_calendar(workgroup)))
    # Paused: nothing can warn or breach until the clock runs again (resuming stores the targets again).
    values["sla_action_at"] = min(actions) if actions and not values["sla_paused"] else None
    return values


def refresh_targets(case: Case, now: datetime) -> None:
    """Store the case's targets again (inside the caller's transaction) and set them on `case`. What the breach
    job and the conversation wrote since `case` was read is read again first, so no mark is lost."""
    fresh = Case.select(*(getattr(Case, name) for name in MARKS)).where(Case.id == case.id).dicts().get()
    for name, value in fresh.items():
        setattr(case, name, value)
    values = compute(case, now)
    Case.update(**values).where(Case.id == case.id).execute()
    for name, value in values.items():
        setattr(case, name, value)


def opening_targets(case: Case, now: datetime) -> dict:
    """The targets of a case about to be inserted (it opened now, in its current status): set on it before the
    insert, so opening reads them before its transaction and writes nothing more."""
    return compute(case, now, history=[(now, case.status.category)])


def at_risk(now: datetime):
    """Cases past the warning moment of a target still running, or past its due moment (overdue), whose clock
    runs: a WHERE condition on Case from the stored, indexed moments (no computing)."""
    warned = ((Case.first_response_at.is_null() & (Case.first_response_warn_at <= now))
              | (Case.next_response_warn_at <= now) | (Case.resolution_warn_at <= now) | (Case.ola_warn_at <= now))
    return (Case.sla_paused == False) & ((Case.sla_due <= now) | warned)  # noqa: E712


def sla_state(case: Case, now: datetime) -> str | None:
    """How a case stands against its targets, for staff lists and the case page: "paused", "overdue" (a target
    still running is past due), "at_risk" (past a warning moment), "on_track", or None (no target runs)."""
    if case.status.category == "closed" or case.sla_due is None:
        return None
    if case.sla_paused:
        return "paused"
    if case.sla_due <= now:
        return "overdue"
    for name in TARGETS:
        warn_at = getattr(case, f"{name}_warn_at")
        if name == "first_response" and case.first_response_at is not None:
            continue
        if warn_at is not None and warn_at <= now:
            return "at_risk"
    return "on_track"
