"""Follow-up tasks on a case: create, edit, complete, reopen. Customer-visible tasks are the "next
steps" on the customer's case page; the others never leave the staff side.

Checks as in portal.staff.service (policy.can_manage_tasks: NotFound, NotAllowed; one transaction, a
feed entry); a task is changed only while it still holds what the change was decided on, so two
clicks on "Mark done" complete it once. The task's assignee hears of it through the task_assigned
notification (never of their own action).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal import policy
from portal.cases.rules import clean_text
from portal.cases.service.transitions import explain, write_case
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.events import case_events
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.cases import Case, CaseEvent
from portal.models.people import STAFF_ROLES, User
from portal.models.staff import CaseTask
from portal.notify.service import notify_case_event
from portal.staff.service.shared import OPEN, STAFF_ONLY, record, require_open
from portal.submissions import service as submissions

TITLE_MAX = 200


@dataclass
class TaskData:
    title: str = ""
    assignee_uuid: str = ""
    due_date: date | None = None
    customer_visible: bool = False


def _clean(case: Case, data: TaskData) -> dict:
    errors: dict = {}
    try:
        title = clean_text(data.title, field="title", required=_l("Say what needs doing."), limit=TITLE_MAX)
        if "\n" in title:
            errors["title"] = _l("Use a single line for the title.")
    except ValidationFailed as exc:
        errors.update(exc.fields)
        title = ""
    assignee = None
    if data.assignee_uuid:
        assignee = by_uuid(User, data.assignee_uuid)
        if (assignee is None or assignee.role not in STAFF_ROLES or not assignee.active
                or not policy.can_view_case(assignee, case)):
            errors["assignee"] = _l("Choose a member of staff who works on this case's workgroup.")
    if data.due_date is not None and not isinstance(data.due_date, date):
        errors["due_date"] = _l("Enter a date.")
    if errors:
        raise ValidationFailed(_l("Some answers need another look."), errors)
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
    due = task.due_date or ""  # a date: worded in the assignee's language
    notify_case_event("task_assigned", stand_in, event, actor=actor, audiences=("assignee",),
                      extra={"task_title": task.title, "due_date": due, "assigned_by": actor.display_name},
                      now=now)


def task_for_staff(actor: User, task_uuid: str) -> CaseTask:
    """The task if actor may manage the tasks of its case (policy.can_manage_tasks); NotFound
    otherwise, for customers too: tasks are a staff tool."""
    task = by_uuid(CaseTask, task_uuid)
    if task is None or not policy.can_manage_tasks(actor, task.case):
        raise NotFound()
    return task


TASK_EVENTS = ("task_updated", "task_completed", "task_reopened")


def _task_changed(actor: User, case: Case, task: CaseTask) -> Conflict:
    return Conflict(explain(actor, case, TASK_EVENTS, task_uuid=task.uuid)
                    or _l("The task was changed by someone else meanwhile. Look at it again."))


def create_task(actor: User, case: Case, data: TaskData, *, submission: str | None = None,
                now: datetime | None = None) -> CaseTask:
    """Add a task to an open case. Staff who may see the case; the assignee (optional) must be staff
    who may see it too. Raises NotFound, NotAllowed, InvalidTransition (closed), AlreadyDone (this
    submission key's task exists) or ValidationFailed."""
    policy.require(policy.can_manage_tasks, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    values = _clean(case, data)
    now = now or utcnow()
    with database.atomic():
        key = submissions.claim(actor, submission)
        write_case(actor, case, expect=OPEN, now=now)
        task = CaseTask.create(case=case, created_by=actor, created_at=now, updated_at=now, **values)
        event = record(case, "task_added", actor, now, data=_summary(task))
        _notify_assignee(task, case, event, actor, now)
        submissions.settle(actor, key, case.reference)
        case_events.task_created(case, actor, event, task, values["assignee"], now)
    return task


def update_task(actor: User, task_uuid: str, data: TaskData, *, now: datetime | None = None) -> CaseTask:
    """Edit a task of an open case; a new assignee is told. Raises NotFound, NotAllowed,
    InvalidTransition (closed case, nothing changed) or ValidationFailed."""
    task = task_for_staff(actor, task_uuid)
    case = task.case
    require_open(actor, case)
    values = _clean(case, data)
    before = {"title": task.title, "assignee": task.assignee_id, "due_date": task.due_date,
              "customer_visible": task.customer_visible}
    after = {**values, "assignee": values["assignee"].id if values["assignee"] else None}
    if before == after:
        raise InvalidTransition(_l("Nothing was changed."))
    typed_before = case_events.task_values(task, task.assignee if task.assignee_id else None)
    now = now or utcnow()
    unchanged = ((CaseTask.title == task.title) & (CaseTask.customer_visible == task.customer_visible)
                 & _is(CaseTask.assignee, task.assignee_id) & _is(CaseTask.due_date, task.due_date))
    with database.atomic():
        write_case(actor, case, expect=OPEN, now=now)
        if not CaseTask.update(updated_at=now, **values).where((CaseTask.id == task.id) & unchanged).execute():
            raise _task_changed(actor, case, task)
        task = CaseTask.get_by_id(task.id)
        event = record(case, "task_updated", actor, now, data=_summary(task))
        if after["assignee"] is not None and after["assignee"] != before["assignee"]:
            _notify_assignee(task, case, event, actor, now)
        case_events.task_updated(case, actor, event, task, typed_before,
                                 case_events.task_values(task, values["assignee"]), now)
    return task


def set_task_done(actor: User, task_uuid: str, done: bool, *, now: datetime | None = None) -> CaseTask:
    """Complete (done=True) or reopen a task; allowed on closed cases too, so follow-up work can be
    ticked off after closing. Raises NotFound, NotAllowed or InvalidTransition (already so)."""
    task = task_for_staff(actor, task_uuid)
    case = task.case
    if task.is_done == done:
        raise InvalidTransition(explain(actor, case, ("task_completed" if done else "task_reopened",),
                                        task_uuid=task.uuid)
                                or (_l("The task is already done.") if done else _l("The task is already open.")))
    now = now or utcnow()
    with database.atomic():
        written = (
            CaseTask.update(status="done" if done else "open", completed_at=now if done else None, updated_at=now)
            .where((CaseTask.id == task.id) & (CaseTask.status == task.status))
            .execute()
        )
        if not written:
            raise _task_changed(actor, case, task)
        task = CaseTask.get_by_id(task.id)
        write_case(actor, case, expect=(), now=now)
        event = record(case, "task_completed" if done else "task_reopened", actor, now, data=_summary(task))
        case_events.task_done(case, actor, event, task, done=done, now=now)
    return task


def _is(field, value):
    return field.is_null() if value is None else field == value


def _summary(task: CaseTask) -> dict:
    return {"title": task.title, "task_uuid": task.uuid,
            "assignee": task.assignee.display_name if task.assignee_id else None,
            "due_date": task.due_date.isoformat() if task.due_date else None,
            "customer_visible": task.customer_visible}
