"""Follow-up tasks on a case: create, edit, complete, reopen. Customer-visible tasks are the "next
steps" on the customer's case page; the others never leave the staff side.

Checks as in portal.staff.service (NotFound, NotAllowed, one transaction, a feed entry); the task's
assignee hears of it through the task_assigned notification (never of their own action).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal import policy
from portal.case_config.queries import by_uuid
from portal.cases.comments import clean_text
from portal.cases.notify import notify_case_event
from portal.clock import utcnow
from portal.db import database
from portal.errors import InvalidTransition, NotFound, ValidationFailed
from portal.models.cases import Case, CaseEvent
from portal.models.people import STAFF_ROLES, User
from portal.models.staff import CaseTask
from portal.staff.service import record, require_open, staff_case, touch

TITLE_MAX = 200


@dataclass
class TaskData:
    title: str = ""
    assignee_uuid: str = ""
    due_date: date | None = None
    customer_visible: bool = False


def _clean(case: Case, data: TaskData) -> dict:
    errors: dict[str, str] = {}
    try:
        title = clean_text(data.title, field="title", required="Say what needs doing.", limit=TITLE_MAX)
        if "\n" in title:
            errors["title"] = "Use a single line for the title."
    except ValidationFailed as exc:
        errors.update(exc.fields)
        title = ""
    assignee = None
    if data.assignee_uuid:
        assignee = by_uuid(User, data.assignee_uuid)
        if (assignee is None or assignee.role not in STAFF_ROLES or not assignee.active
                or not policy.can_view_case(assignee, case)):
            errors["assignee"] = "Choose a member of staff who works on this case's workgroup."
    if data.due_date is not None and not isinstance(data.due_date, date):
        errors["due_date"] = "Enter a date."
    if errors:
        raise ValidationFailed("Some answers need another look.", errors)
    return {"title": title, "assignee": assignee, "due_date": data.due_date,
            "customer_visible": bool(data.customer_visible)}


def _notify_assignee(task: CaseTask, case: Case, event: CaseEvent, actor: User, now: datetime) -> None:
    """task_assigned goes to the task's assignee. notify_case_event resolves the "assignee" audience
    from the case, so it gets an unsaved copy of the case whose assignee is the task's: rules,
    visibility check, preferences and skipping the actor stay in one place."""
    if task.assignee_id is None:
        return
    stand_in = Case(**case.__data__)
    stand_in.assignee = task.assignee
    due = task.due_date.strftime("%d %b %Y") if task.due_date else ""
    notify_case_event("task_assigned", stand_in, event, actor=actor, audiences=("assignee",),
                      extra={"task_title": task.title, "due_date": due, "assigned_by": actor.display_name},
                      now=now)


def task_for_staff(actor: User, task_uuid: str) -> CaseTask:
    """The task if actor is staff and may see its case; NotFound otherwise."""
    task = by_uuid(CaseTask, task_uuid)
    if task is None or not policy.is_staff(actor) or not policy.can_view_case(actor, task.case):
        raise NotFound()
    return task


def create_task(actor: User, case: Case, data: TaskData, *, now: datetime | None = None) -> CaseTask:
    """Add a task to an open case. Staff who may see the case; the assignee (optional) must be staff
    who may see it too. Raises NotFound, NotAllowed, InvalidTransition (closed) or ValidationFailed."""
    staff_case(actor, case)
    require_open(case)
    values = _clean(case, data)
    now = now or utcnow()
    with database.atomic():
        task = CaseTask.create(case=case, created_by=actor, created_at=now, updated_at=now, **values)
        touch(case, now)
        event = record(case, "task_added", actor, now, data=_summary(task))
        _notify_assignee(task, case, event, actor, now)
    return task


def update_task(actor: User, task_uuid: str, data: TaskData, *, now: datetime | None = None) -> CaseTask:
    """Edit a task of an open case; a new assignee is told. Raises NotFound, NotAllowed,
    InvalidTransition (closed case, nothing changed) or ValidationFailed."""
    task = task_for_staff(actor, task_uuid)
    case = staff_case(actor, task.case)
    require_open(case)
    values = _clean(case, data)
    before = {"title": task.title, "assignee": task.assignee_id, "due_date": task.due_date,
              "customer_visible": task.customer_visible}
    after = {**values, "assignee": values["assignee"].id if values["assignee"] else None}
    if before == after:
        raise InvalidTransition("Nothing was changed.")
    now = now or utcnow()
    with database.atomic():
        CaseTask.update(updated_at=now, **values).where(CaseTask.id == task.id).execute()
        task = CaseTask.get_by_id(task.id)
        touch(case, now)
        event = record(case, "task_updated", actor, now, data=_summary(task))
        if after["assignee"] is not None and after["assignee"] != before["assignee"]:
            _notify_assignee(task, case, event, actor, now)
    return task


def set_task_done(actor: User, task_uuid: str, done: bool, *, now: datetime | None = None) -> CaseTask:
    """Complete (done=True) or reopen a task; allowed on closed cases too, so follow-up work can be
    ticked off after closing. Raises NotFound, NotAllowed or InvalidTransition (already so)."""
    task = task_for_staff(actor, task_uuid)
    case = staff_case(actor, task.case)
    if task.is_done == done:
        raise InvalidTransition("The task is already done." if done else "The task is already open.")
    now = now or utcnow()
    with database.atomic():
        (
            CaseTask.update(status="done" if done else "open", completed_at=now if done else None, updated_at=now)
            .where(CaseTask.id == task.id)
            .execute()
        )
        task = CaseTask.get_by_id(task.id)
        touch(case, now)
        record(case, "task_completed" if done else "task_reopened", actor, now, data=_summary(task))
    return task


def _summary(task: CaseTask) -> dict:
    return {"title": task.title, "task_uuid": task.uuid,
            "assignee": task.assignee.display_name if task.assignee_id else None,
            "due_date": task.due_date.isoformat() if task.due_date else None,
            "customer_visible": task.customer_visible}
