"""Writing a case change only while the case is still in the state its service checked.

A service checks the case it was handed (status, assignee, workgroup ...), then writes with
`write_case(...)`: one `UPDATE case SET ... WHERE id = ? AND <each checked field> = <the value it
checked>`, as the first write of its transaction. When another request changed one of those fields
in between, the UPDATE matches no row and write_case raises Conflict before anything else is
written, so no event, feedback or outbox row of the losing request exists; its message says who got
there first and when, read from the case's latest relevant event.

Why this is safe on both backends: on SQLite every transaction takes the write lock when it begins
(portal.db), so writers run one after the other and the WHERE sees every earlier commit; on
PostgreSQL (READ COMMITTED) an UPDATE that waited for another transaction's row lock evaluates its
WHERE again on the row that transaction committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

import peewee

from portal.errors import Conflict, NotFound
from portal.i18n import _, _l, current_locale, format_moment
from portal.models.cases import Case, CaseEvent
from portal.models.configuration import CaseStatus
from portal.models.people import User
from portal.service_levels import case_targets

# Pseudo-field: "the case is not closed", whatever its exact status (comments, priority, tasks ... need
# only that, and should not fail because a colleague moved an open case to "waiting").
NOT_CLOSED = "not_closed"

# Which feed entries change which field: what a refusal reads to say who changed it.
STATUS_EVENTS = ("status_changed", "resolution_proposed", "resolution_accepted", "resolution_rejected", "closed",
                 "reopened")
_MOVES = ("workgroup_changed", "escalated", "deescalated")
EVENTS_BY_FIELD = {
    "status": STATUS_EVENTS,
    NOT_CLOSED: STATUS_EVENTS,
    "resolution": ("resolution_proposed",),
    "assignee": ("assigned", *_MOVES),
    "workgroup": _MOVES,
    "escalated": ("escalated", "deescalated"),
    "priority": ("priority_changed",),
    "title": ("field_changed",),
    "summary": ("field_changed",),
    "reason": ("field_changed",),
}


def _closed_statuses():
    return CaseStatus.select(CaseStatus.id).where(CaseStatus.category == "closed")


def _condition(case: Case, expect: Iterable[str]):
    condition = Case.id == case.id
    for name in expect:
        if name == NOT_CLOSED:
            condition &= Case.status.not_in(_closed_statuses())
            continue
        field = Case._meta.fields[name]
        checked = case.__data__.get(name)
        condition &= field.is_null() if checked is None else (field == checked)
    return condition


def write_case(actor: User | None, case: Case, *, expect: Iterable[str], now: datetime, **changes) -> None:
    """Apply changes (and updated_at = now) to case if every field in expect still holds the value
    it has on `case`, the state the caller checked; NOT_CLOSED asks only that the case is not closed.
    Then set the changes on `case` too, and store its service-level targets again when a change touches what
    they depend on (status, priority, template, workgroup, escalation). Call it first in the transaction.
    Raises Conflict naming who changed the case meanwhile (nothing is written), NotFound when the case is gone."""
    expect = tuple(expect)
    changes["updated_at"] = now
    if not Case.update(**changes).where(_condition(case, expect)).execute():
        raise Conflict(lost_message(actor, case, expect))
    for name, value in changes.items():
        setattr(case, name, value)
    if case_targets.INPUTS.intersection(changes):
        case_targets.refresh_targets(case, now)


def lost_message(actor: User | None, case: Case, expect: tuple[str, ...]) -> str:
    """Why a conditional write of case matched nothing: what changed since it was checked, by whom."""
    current = Case.get_or_none(Case.id == case.id)
    if current is None:
        raise NotFound()
    changed = []
    for name in expect:
        if name == NOT_CLOSED:
            if current.status.category == "closed":
                changed.append(name)
        elif current.__data__.get(name) != case.__data__.get(name):
            changed.append(name)
    kinds = tuple(dict.fromkeys(kind for name in changed for kind in EVENTS_BY_FIELD.get(name, ())))
    return explain(actor, current, kinds) or _l("Someone else changed this case in the meantime, so your change "
                                                "was not saved. Look at the case again and repeat it if needed.")


def latest_event(case: Case, kinds: Iterable[str], **data) -> CaseEvent | None:
    """The case's newest feed entry of one of kinds (whose data holds the given values), or None."""
    kinds = tuple(kinds)
    if not kinds:
        return None
    events = (
        CaseEvent.select(CaseEvent, User)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(CaseEvent.actor == User.id))
        .where((CaseEvent.case == case.id) & CaseEvent.kind.in_(kinds))
        .order_by(CaseEvent.created_at.desc(), CaseEvent.id.desc())
    )
    for event in events.limit(20 if data else 1):
        if all((event.data or {}).get(key) == value for key, value in data.items()):
            return event
    return None


def explain(actor: User | None, case: Case, kinds: Iterable[str], **data) -> str | None:
    """A sentence saying who last changed case by one of the event kinds, and when (in the actor's
    time zone), e.g. "This case was already closed by Cora Customer at 12 Mar 2026, 10:02 UTC."
    None when the case has no such event (then the caller's own message stands). The sentence is
    marked for translation: it is put into words in the reader's language when shown."""
    event = latest_event(case, kinds, **data)
    return describe(event, actor) if event is not None else None


def _when(moment: datetime, actor: User | None) -> str:
    """moment in the actor's time zone, in the language of the request (the actor's)."""
    try:
        zone = ZoneInfo((actor.time_zone if actor is not None else "") or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return format_moment(moment, zone, current_locale())


def _closes(status_name: str | None) -> bool:
    return bool(status_name) and (
        CaseStatus.select()
        .where((CaseStatus.name == status_name) & (CaseStatus.category == "closed"))
        .exists()
    )


def by_whom_when(event: CaseEvent, actor: User | None) -> tuple[str, str]:
    """("by Cora Customer" | "by you" | "automatically", "at 12 Mar 2026, 10:02 UTC") for event, told to
    actor, translated. Prefer explain()/describe(), which give whole sentences translators can order."""
    when = _when(event.created_at, actor)
    if event.actor_id is None:
        by = _("automatically")
    elif actor is not None and event.actor_id == actor.id:
        by = _("by you")
    else:
        by = _("by %(name)s", name=event.actor.display_name)
    return by, _("at %(when)s", when=when)


def describe(event: CaseEvent, actor: User | None) -> str:
    """One feed entry as "what was already done, by whom, when": one whole sentence marked for
    translation, with the names and the time as parameters."""
    data = event.data or {}
    to = data.get("to")
    kind = event.kind
    if kind == "status_changed" and _closes(to):
        kind = "closed"
    elif kind == "assigned":
        if to is None:
            kind = "assigned_to_queue"
        elif event.actor_id is not None and to == event.actor.display_name:
            kind = "assigned_taken"
    params = {"when": _when(event.created_at, actor), "to": to, "customer": data.get("customer")}
    if event.actor_id is None:
        by = 2
    elif actor is not None and event.actor_id == actor.id:
        by = 0
    else:
        by = 1
        params["name"] = event.actor.display_name
    sentences = _already(params)
    return sentences.get(kind, sentences["changed"])[by]


def _already(p: dict) -> dict[str, tuple]:
    """Per event kind: the sentence when the reader did it, when someone named did, when it was
    done automatically (lazy: only the one shown is put into words)."""
    return {
        "resolution_accepted": (
            _l("The resolution was already accepted by you at %(when)s, so the case is closed.", **p),
            _l("The resolution was already accepted by %(name)s at %(when)s, so the case is closed.", **p),
            _l("The resolution was already accepted automatically at %(when)s, so the case is closed.", **p)),
        "resolution_rejected": (
            _l("The resolution was already rejected by you at %(when)s, so the case is open again.", **p),
            _l("The resolution was already rejected by %(name)s at %(when)s, so the case is open again.", **p),
            _l("The resolution was already rejected automatically at %(when)s, so the case is open again.", **p)),
        "resolution_proposed": (
            _l("A resolution was already proposed by you at %(when)s.", **p),
            _l("A resolution was already proposed by %(name)s at %(when)s.", **p),
            _l("A resolution was already proposed automatically at %(when)s.", **p)),
        "closed": (
            _l("This case was already closed by you at %(when)s.", **p),
            _l("This case was already closed by %(name)s at %(when)s.", **p),
            _l("This case was already closed automatically at %(when)s.", **p)),
        "reopened": (
            _l("This case was already reopened by you at %(when)s.", **p),
            _l("This case was already reopened by %(name)s at %(when)s.", **p),
            _l("This case was already reopened automatically at %(when)s.", **p)),
        "status_changed": (
            _l("The status was already changed to %(to)s by you at %(when)s.", **p),
            _l("The status was already changed to %(to)s by %(name)s at %(when)s.", **p),
            _l("The status was already changed to %(to)s automatically at %(when)s.", **p)),
        "workgroup_changed": (
            _l("The case was already moved to %(to)s by you at %(when)s.", **p),
            _l("The case was already moved to %(to)s by %(name)s at %(when)s.", **p),
            _l("The case was already moved to %(to)s automatically at %(when)s.", **p)),
        "escalated": (
            _l("The case was already escalated to %(to)s by you at %(when)s.", **p),
            _l("The case was already escalated to %(to)s by %(name)s at %(when)s.", **p),
            _l("The case was already escalated to %(to)s automatically at %(when)s.", **p)),
        "deescalated": (
            _l("The case was already sent back to %(to)s by you at %(when)s.", **p),
            _l("The case was already sent back to %(to)s by %(name)s at %(when)s.", **p),
            _l("The case was already sent back to %(to)s automatically at %(when)s.", **p)),
        "priority_changed": (
            _l("The priority was already changed to %(to)s by you at %(when)s.", **p),
            _l("The priority was already changed to %(to)s by %(name)s at %(when)s.", **p),
            _l("The priority was already changed to %(to)s automatically at %(when)s.", **p)),
        "field_changed": (
            _l("The details were already changed by you at %(when)s.", **p),
            _l("The details were already changed by %(name)s at %(when)s.", **p),
            _l("The details were already changed automatically at %(when)s.", **p)),
        "customer_linked": (
            _l("%(customer)s was already added to the case by you at %(when)s.", **p),
            _l("%(customer)s was already added to the case by %(name)s at %(when)s.", **p),
            _l("%(customer)s was already added to the case automatically at %(when)s.", **p)),
        "customer_unlinked": (
            _l("%(customer)s was already taken off the case by you at %(when)s.", **p),
            _l("%(customer)s was already taken off the case by %(name)s at %(when)s.", **p),
            _l("%(customer)s was already taken off the case automatically at %(when)s.", **p)),
        "task_completed": (
            _l("The task was already marked done by you at %(when)s.", **p),
            _l("The task was already marked done by %(name)s at %(when)s.", **p),
            _l("The task was already marked done automatically at %(when)s.", **p)),
        "task_reopened": (
            _l("The task was already opened again by you at %(when)s.", **p),
            _l("The task was already opened again by %(name)s at %(when)s.", **p),
            _l("The task was already opened again automatically at %(when)s.", **p)),
        "task_updated": (
            _l("The task was already changed by you at %(when)s.", **p),
            _l("The task was already changed by %(name)s at %(when)s.", **p),
            _l("The task was already changed automatically at %(when)s.", **p)),
        "assigned": (
            _l("The case was already assigned to %(to)s by you at %(when)s.", **p),
            _l("The case was already assigned to %(to)s by %(name)s at %(when)s.", **p),
            _l("The case was already assigned to %(to)s automatically at %(when)s.", **p)),
        "assigned_to_queue": (
            _l("The case was already put back in the queue by you at %(when)s.", **p),
            _l("The case was already put back in the queue by %(name)s at %(when)s.", **p),
            _l("The case was already put back in the queue automatically at %(when)s.", **p)),
        "assigned_taken": (
            _l("The case was already taken by you at %(when)s.", **p),
            _l("The case was already taken by %(name)s at %(when)s.", **p),
            _l("The case was already taken by %(name)s at %(when)s.", **p)),
        "changed": (
            _l("This case was already changed by you at %(when)s.", **p),
            _l("This case was already changed by %(name)s at %(when)s.", **p),
            _l("This case was already changed automatically at %(when)s.", **p)),
    }
