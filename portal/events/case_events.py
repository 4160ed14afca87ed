"""What each change to a case or its tasks records as a typed event: one function per change, which
builds the event's data from the objects the service already holds and calls record() with the
right `internal` flag.

The data holds ids and values, never display names or sentences: UUIDs (of statuses, users,
workgroups, customers, templates, reasons, assets, tasks, attachments), the case reference, codes
(priority, status category, contact channel), field keys, and the text people wrote (comments,
reasons, resolutions, titles). A change carries {"old": ..., "new": ...}. "feed_event" is the UUID of
the activity-feed entry (CaseEvent) the same change wrote, so consumers can link the two.

`internal` follows the feed: what the feed shows only to staff (its CaseEvent is not public) is an
internal event, seen only by staff.

Services call these last in their transaction (see portal.events.service).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from portal.events.service import record
from portal.models.cases import Case, CaseEvent
from portal.models.configuration import CaseStatus
from portal.models.events import Event
from portal.models.people import User
from portal.models.staff import CaseTask

# The events that change a case's status; each one's data holds "status": {"old", "new"}.
STATUS_TYPES = ("case.status_changed", "case.resolution_proposed", "case.resolution_accepted",
                "case.resolution_rejected", "case.closed", "case.reopened")
# Why a case closed by itself ("automatic" in case.closed).
UNANSWERED_RESOLUTION = "unanswered_resolution"


def iso_utc(moment: datetime) -> str:
    """An aware time as ISO 8601 in UTC with "Z": how every time in events and the API reads."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def uuid_of(item) -> str | None:
    """The public id of a model instance, None for none."""
    return str(item.uuid) if item is not None else None


def change(old, new) -> dict:
    return {"old": old, "new": new}


def status_ref(status: CaseStatus) -> dict:
    """A status as events name it: its UUID and its category (open, waiting, resolved, closed), the
    category being what rules and reports act on whatever admins call the status."""
    return {"id": str(status.uuid), "category": status.category}


def _case_ref(case: Case | None) -> dict | None:
    return {"id": str(case.uuid), "reference": case.reference} if case is not None else None


def _record(type: str, case: Case, actor: User | None, feed: CaseEvent | None, now: datetime, data: dict,
            *, internal: bool) -> Event:
    if feed is not None:
        data = {"feed_event": str(feed.uuid), **data}
    return record(type, case=case, actor=actor, data=data, internal=internal, now=now)


# --- opening and the conversation ----------------------------------------------------------------


def case_created(case: Case, actor: User, feed: CaseEvent, *, fields: Mapping[str, str],
                 attachments: Iterable, now: datetime) -> Event:
    """A case was opened. fields: the custom values the customer side may see, by field key, as
    stored (ISO dates, numbers, option values, true/false); internal ones go in internal_values_set()."""
    return _record("case.created", case, actor, feed, now, {
        "template": uuid_of(case.template),
        "title": case.title,
        "summary": case.summary,
        "customer": uuid_of(case.customer),
        "status": status_ref(case.status),
        "priority": case.priority,
        "reason": uuid_of(case.reason) if case.reason_id else None,
        "workgroup": uuid_of(case.workgroup) if case.workgroup_id else None,
        "internal_contact": uuid_of(case.internal_contact) if case.internal_contact_id else None,
        "asset": uuid_of(case.asset) if case.asset_id else None,
        "follow_up_of": _case_ref(case.follow_up_of) if case.follow_up_of_id else None,
        "language": case.language,
        "channel": case.channel,
        "fields": dict(fields),
        "attachments": [uuid_of(a) for a in attachments],
    }, internal=False)


def internal_values_set(case: Case, actor: User, feed: CaseEvent, values: Mapping[str, str],
                        now: datetime) -> Event:
    """Staff opened a case with values of internal fields: those are a staff-only case.updated right
    after case.created (which the customer side sees), so no customer-side reader ever gets them."""
    return details_changed(case, actor, feed, {key: change(None, value) for key, value in values.items()}, now)


def commented(case: Case, actor: User, feed: CaseEvent, *, public: bool, body: str, attachments: Iterable,
              now: datetime, channel: str = "web") -> Event:
    """A public comment (either side) or a staff-only internal note, with its files. "comment" is
    the feed entry's UUID: the comment's id."""
    return _record("case.commented" if public else "case.internal_note_added", case, actor, feed, now, {
        "comment": str(feed.uuid),
        "body": body,
        "attachments": [uuid_of(a) for a in attachments],
        "channel": channel,
    }, internal=not public)


# --- status --------------------------------------------------------------------------------------


def status_event(type: str, case: Case, actor: User | None, feed: CaseEvent, old: CaseStatus, now: datetime,
                 **details) -> Event:
    """One of STATUS_TYPES: the case went from status old to case.status (both may be "resolved"
    when a resolution replaces a pending one). details: the type's own values (resolution, rating,
    reason ...). The status feed entries are public: so are these."""
    if type not in STATUS_TYPES:
        raise ValueError(f"{type!r} is not a status event")
    return _record(type, case, actor, feed, now, {"status": change(status_ref(old), status_ref(case.status)),
                                                  **details}, internal=False)


def status_changed(case: Case, actor: User, feed: CaseEvent, old: CaseStatus, now: datetime) -> Event:
    """Staff chose another status. Choosing a status of the closed category closes the case, and
    that is what integrators listen for: it is recorded as case.closed."""
    if case.status.category == "closed":
        return status_event("case.closed", case, actor, feed, old, now, reason="", automatic=None)
    return status_event("case.status_changed", case, actor, feed, old, now)


# --- handling ------------------------------------------------------------------------------------


def assigned(case: Case, actor: User, feed: CaseEvent, old_assignee: User | None, now: datetime, *,
             reason: str | None = None) -> Event:
    """The assignee changed (new: case.assignee; None is the workgroup's queue). reason: None, or why
    the case went back to the queue by itself: "deactivated" or "left_staff" (its assignee's account)."""
    new = case.assignee if case.assignee_id else None
    return _record("case.assigned", case, actor, feed, now, {
        "assignee": change(uuid_of(old_assignee), uuid_of(new)),
        "reason": reason,
    }, internal=True)


MOVE_TYPES = {"workgroup_changed": "case.moved", "escalated": "case.escalated", "deescalated": "case.deescalated"}


def moved(kind: str, case: Case, actor: User, feed: CaseEvent, *, old_workgroup, old_assignee: User | None,
          old_escalated: bool, reason: str, now: datetime) -> Event:
    """The case went to another workgroup: a move, an escalation or its end (kind: the feed entry's
    kind). The assignee changes too when they are not a member there."""
    type = MOVE_TYPES[kind]
    new_assignee = case.assignee if case.assignee_id else None
    data = {
        "workgroup": change(uuid_of(old_workgroup), uuid_of(case.workgroup) if case.workgroup_id else None),
        "assignee": change(uuid_of(old_assignee), uuid_of(new_assignee)),
    }
    if type != "case.moved":
        data["escalated"] = change(old_escalated, case.escalated)
        data["reason"] = reason
    return _record(type, case, actor, feed, now, data, internal=True)


def priority_changed(case: Case, actor: User, feed: CaseEvent, old: str, now: datetime) -> Event:
    """Priorities are codes: low, normal, high, urgent."""
    return _record("case.priority_changed", case, actor, feed, now, {"priority": change(old, case.priority)},
                   internal=True)


def details_changed(case: Case, actor: User, feed: CaseEvent, changes: Mapping[str, dict], now: datetime) -> Event:
    """Details changed: changes maps "title", "summary", "reason" (a reason UUID) and custom field keys
    (values as stored; None when absent) to {"old", "new"}. Staff-only, like the feed entry: it may
    name internal fields."""
    return _record("case.updated", case, actor, feed, now, {"changes": dict(changes)}, internal=True)


# --- customers and contacts ----------------------------------------------------------------------


def customer_linked(case: Case, actor: User, feed: CaseEvent, customer, now: datetime, *, linked: bool) -> Event:
    return _record("case.customer_linked" if linked else "case.customer_unlinked", case, actor, feed, now,
                   {"customer": uuid_of(customer)}, internal=True)


def contact_logged(case: Case, actor: User, feed: CaseEvent, *, channel: str, direction: str,
                   contacted_at: datetime, summary: str, now: datetime) -> Event:
    """channel: phone, email, chat, in_person, other; direction: inbound, outbound."""
    return _record("case.contact_logged", case, actor, feed, now, {
        "channel": channel,
        "direction": direction,
        "contacted_at": iso_utc(contacted_at),
        "summary": summary,
    }, internal=True)


# --- tasks ---------------------------------------------------------------------------------------


def task_values(task: CaseTask, assignee: User | None) -> dict:
    """A task's values as task events hold them (assignee: the user, passed in as the caller has it)."""
    return {
        "title": task.title,
        "assignee": uuid_of(assignee),
        "due_date": _day(task.due_date),
        "customer_visible": bool(task.customer_visible),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def task_created(case: Case, actor: User, feed: CaseEvent, task: CaseTask, assignee: User | None,
                 now: datetime) -> Event:
    """Tasks are a staff tool (customer-visible ones show as next steps, but the feed keeps every
    task change staff-only): task events are internal."""
    return _record("task.created", case, actor, feed, now, {"task": uuid_of(task), **task_values(task, assignee)},
                   internal=True)


def task_updated(case: Case, actor: User, feed: CaseEvent, task: CaseTask, before: dict, after: dict,
                 now: datetime) -> Event:
    """before, after: task_values() of the task before and after; only what changed is recorded."""
    changes = {name: change(before[name], after[name]) for name in after if before[name] != after[name]}
    return _record("task.updated", case, actor, feed, now, {"task": uuid_of(task), "changes": changes},
                   internal=True)


def task_done(case: Case, actor: User, feed: CaseEvent, task: CaseTask, *, done: bool, now: datetime) -> Event:
    return _record("task.completed" if done else "task.reopened", case, actor, feed, now, {"task": uuid_of(task)},
                   internal=True)
