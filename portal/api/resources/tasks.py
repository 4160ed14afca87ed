"""Tasks on cases: list and add on a case, change one (title, assignee, due date, visibility) or
complete and reopen it. Staff who handle the case only (policy.can_manage_tasks): a case the token's
user may not see is 404, one they see but may not handle (a customer's own case) is 403. The same
service as the case page's task panel (portal.staff.service.tasks).

A task answers with an ETag; a PATCH with If-Match is refused with 412 when the task changed since.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Literal

import pydantic
from flask import request
from flask_login import current_user

from portal import policy
from portal.api.framework import ApiError, Reply, operation
from portal.api.pagination import BAD_CURSOR, DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from portal.api.schemas import Model
from portal.cases.queries.case_page import case_for_viewer
from portal.db import database
from portal.i18n import _l
from portal.models.staff import CaseTask
from portal.staff import queries
from portal.staff.service import tasks as service

STALE = _l("The task changed since you read it. Get it again and retry.")
DETAILS_OR_STATUS = _l("Change the task's details or its status, not both in one request.")
NOTHING = _l("Send at least one value to change.")


class PersonRef(Model):
    id: str
    display_name: str


class TaskOut(Model):
    id: str
    case_reference: str
    title: str
    status: Literal["open", "done"]
    assignee: PersonRef | None
    due_date: date | None
    customer_visible: bool = pydantic.Field(description="Shown to the customer as a next step.")
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class TaskListQuery(Model):
    cursor: str | None = pydantic.Field(None, max_length=2000)
    limit: int = pydantic.Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class TaskIn(Model):
    title: str = pydantic.Field(max_length=200)
    assignee: str | None = pydantic.Field(None, max_length=36, description="A member of staff's user id.")
    due_date: date | None = None
    customer_visible: bool = False


class TaskPatch(Model):
    title: str | None = pydantic.Field(None, max_length=200)
    assignee: str | None = pydantic.Field(None, max_length=36, description="A user id; null: nobody.")
    due_date: date | None = None
    customer_visible: bool | None = None
    status: Literal["open", "done"] | None = pydantic.Field(
        None, description="done completes the task, open reopens it; not together with other changes.")


def task_out(task: CaseTask, reference: str) -> TaskOut:
    assignee = task.assignee if task.assignee_id else None
    return TaskOut(id=task.uuid, case_reference=reference, title=task.title, status=task.status,
                   assignee=PersonRef(id=assignee.uuid, display_name=assignee.display_name) if assignee else None,
                   due_date=task.due_date, customer_visible=task.customer_visible, created_at=task.created_at,
                   updated_at=task.updated_at, completed_at=task.completed_at)


def etag(task: CaseTask) -> str:
    stamp = f"{task.uuid}:{task.updated_at.isoformat()}:{task.status}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:20] + '"'


def _answer(task: CaseTask, status: int | None = None, **headers) -> Reply:
    task = CaseTask.get_by_id(task.id)  # as stored, with its case for the reference
    return Reply(task_out(task, task.case.reference), status=status, headers={"ETag": etag(task), **headers})


@operation("/cases/<reference>/tasks", "GET", scope="tasks:read", tag="Tasks", summary="List a case's tasks",
           query=TaskListQuery, response=Page[TaskOut])
def list_case_tasks(reference: str, query: TaskListQuery) -> Page[TaskOut]:
    """The case's tasks, oldest first. Staff who handle the case."""
    case = case_for_viewer(current_user, reference)
    policy.require(policy.can_manage_tasks, current_user, case, message=policy.STAFF_ONLY)
    kind = f"tasks:{case.id}"
    key = decode_cursor(kind, query.cursor)
    if key is not None and (len(key) != 1 or not isinstance(key[0], int) or isinstance(key[0], bool)):
        raise ApiError(400, "invalid_cursor", BAD_CURSOR, {"cursor": BAD_CURSOR})
    rows = queries.case_tasks_page(case, after_id=key[0] if key else None, limit=query.limit)
    items, more = rows[:query.limit], len(rows) > query.limit
    return Page[TaskOut](items=[task_out(task, case.reference) for task in items],
                         next_cursor=encode_cursor(kind, [items[-1].id]) if more else None)


@operation("/cases/<reference>/tasks", "POST", scope="tasks:write", tag="Tasks", summary="Add a task to a case",
           body=TaskIn, response=TaskOut, status=201,
           headers={"Location": "The new task's URL.", "ETag": "The task's version, for If-Match."})
def create_case_task(reference: str, body: TaskIn) -> Reply:
    """A task on an open case, optionally assigned to staff who may see the case (they are told)."""
    case = case_for_viewer(current_user, reference)
    task = service.create_task(current_user, case, service.TaskData(
        title=body.title, assignee_uuid=body.assignee or "", due_date=body.due_date,
        customer_visible=body.customer_visible))
    return _answer(task, Location=f"/api/v1/tasks/{task.uuid}")


@operation("/tasks/<task_id>", "GET", scope="tasks:read", tag="Tasks", summary="Get a task", response=TaskOut,
           headers={"ETag": "The task's version, for If-Match."})
def get_task(task_id: str) -> Reply:
    """One task. Staff who handle its case."""
    return _answer(service.task_for_staff(current_user, task_id))


@operation("/tasks/<task_id>", "PATCH", scope="tasks:write", tag="Tasks", summary="Change, complete or reopen a task",
           body=TaskPatch, response=TaskOut, errors=(412,), headers={"ETag": "The task's new version."})
def update_task(task_id: str, body: TaskPatch) -> Reply:
    """Send the values to change (assignee or due_date null clears them), or status done/open to
    complete or reopen the task. With If-Match, only while the task is still that version (else 412)."""
    task = service.task_for_staff(current_user, task_id)
    given = body.model_fields_set
    if not given:
        raise ApiError(422, "invalid", NOTHING)
    if "status" in given and len(given) > 1:
        raise ApiError(422, "invalid", DETAILS_OR_STATUS, {"status": DETAILS_OR_STATUS})
    if_match = (request.headers.get("If-Match") or "").strip() or None
    if if_match is not None and if_match not in ("*", etag(task)):
        raise ApiError(412, "precondition_failed", STALE)
    with database.atomic():
        # Claim the version the If-Match named inside the change's own transaction: a change committed
        # since the task was read makes this match nothing (412), and one that comes after waits for
        # this transaction (the row lock on PostgreSQL, the write lock on SQLite).
        if if_match not in (None, "*") and not (
                CaseTask
                .update(updated_at=CaseTask.updated_at)
                .where((CaseTask.id == task.id) & (CaseTask.updated_at == task.updated_at)
                       & (CaseTask.status == task.status))
                .execute()):
            raise ApiError(412, "precondition_failed", STALE)
        return _change(task, body, given)


def _change(task: CaseTask, body: TaskPatch, given: set[str]) -> Reply:
    if "status" in given:
        if body.status is None:
            raise ApiError(422, "invalid", DETAILS_OR_STATUS, {"status": DETAILS_OR_STATUS})
        task = service.set_task_done(current_user, task.uuid, body.status == "done")
        return _answer(task)
    if "title" in given and body.title is None:
        raise ApiError(422, "invalid", NOTHING, {"title": NOTHING})
    if "customer_visible" in given and body.customer_visible is None:
        raise ApiError(422, "invalid", NOTHING, {"customer_visible": NOTHING})
    current_assignee = task.assignee.uuid if task.assignee_id else ""
    data = service.TaskData(
        title=body.title if "title" in given else task.title,
        assignee_uuid=(body.assignee or "") if "assignee" in given else current_assignee,
        due_date=body.due_date if "due_date" in given else task.due_date,
        customer_visible=body.customer_visible if "customer_visible" in given else task.customer_visible)
    return _answer(service.update_task(current_user, task.uuid, data))
