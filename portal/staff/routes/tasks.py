"""Tasks on a case, for staff: adding one from the case page, editing it on its own page, marking it
done or open again. Thin views: parse, call one service, flash, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.cases.queries.case_page import case_for_viewer
from portal.cases.routes.case_page import act_on_case
from portal.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.i18n import _
from portal.models.people import STAFF_ROLES
from portal.staff import queries
from portal.staff.forms import ConfirmForm, TaskForm
from portal.staff.routes.case_panel import task_assignee_choices
from portal.staff.service import tasks
from portal.web_helpers import apply_errors, role_required

staff_only = role_required(*STAFF_ROLES)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/cases/<reference>/tasks", view_func=add_task, methods=["POST"])
    bp.add_url_rule("/tasks/<task_uuid>/edit", view_func=edit_task, methods=["GET", "POST"])
    bp.add_url_rule("/tasks/<task_uuid>/<any(complete, reopen):action>", view_func=set_task_state,
                    methods=["POST"])


def _task_data(form: TaskForm) -> tasks.TaskData:
    return tasks.TaskData(title=form.title.data, assignee_uuid=form.assignee.data or "",
                          due_date=form.due_date.data, customer_visible=form.customer_visible.data)


@staff_only
def add_task(reference):
    case = case_for_viewer(current_user, reference)
    form = TaskForm(prefix="task")
    return act_on_case(case, form, "task_form",
                       lambda: tasks.create_task(current_user, case, _task_data(form), submission=form.submission.data),
                       _("Task added."), "#case-tasks")


def _task_or_404(task_uuid):
    try:
        return tasks.task_for_staff(current_user, task_uuid)
    except NotFound:
        abort(404)


@staff_only
def edit_task(task_uuid):
    task = _task_or_404(task_uuid)
    case = task.case
    form = TaskForm(prefix="task", data=None if request.method == "POST" else {
        "title": task.title, "assignee": task.assignee.uuid if task.assignee_id else "",
        "due_date": task.due_date, "customer_visible": task.customer_visible})
    members = queries.members_by_workgroup([case.workgroup_id]).get(case.workgroup_id, []) if case.workgroup_id else []
    form.assignee.choices = task_assignee_choices(members)
    status = 200
    if form.validate_on_submit():
        try:
            tasks.update_task(current_user, task.uuid, _task_data(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except (InvalidTransition, NotAllowed, Conflict) as exc:  # Conflict: changed by someone meanwhile
            form.form_errors.append(exc.message)
        else:
            flash(_("Task saved."), "success")
            return redirect(url_for("cases.detail", reference=case.reference) + "#case-tasks")
    if request.method == "POST":
        status = 400
    return render_template("staff/task_form.html", form=form, task=task, case=case), status


@staff_only
def set_task_state(task_uuid, action):
    task = _task_or_404(task_uuid)
    case = case_for_viewer(current_user, task.case.reference)
    return act_on_case(case, ConfirmForm(prefix="taskstate"), "task_state_form",
                       lambda: tasks.set_task_done(current_user, task.uuid, action == "complete"),
                       _("Task done.") if action == "complete" else _("Task open again."), "#case-tasks")
