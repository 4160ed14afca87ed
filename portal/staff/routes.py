"""The staff workspace: home (my cases, queues, tasks), search, the supervisor view, and the staff
actions posted from the case page. Thin views: parse, call one service, flash, redirect; a refusal
shows the case page again with the message next to the form."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.cases.queries.case_page import case_for_viewer
from portal.cases.routes.case_page import act_on_case, add_case_page_part
from portal.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.identifiers import by_uuid
from portal.models.people import STAFF_ROLES, Customer, User
from portal.models.teams import Workgroup
from portal.pagination import page_number, paginate
from portal.staff import contacts, queries, service, tasks
from portal.staff.forms import (
    AssignForm,
    CaseSearchForm,
    ConfirmForm,
    ContactForm,
    CustomerPickForm,
    DeescalateForm,
    EscalateForm,
    MoveForm,
    PriorityForm,
    TakeForm,
    TaskForm,
    UpdateAllForm,
)
from portal.staff.panel import details_form, staff_panel, task_assignee_choices
from portal.web_helpers import apply_errors, role_required, viewer_zone

bp = Blueprint("staff", __name__, url_prefix="/staff")
staff_only = role_required(*STAFF_ROLES)


@bp.record_once
def _add_staff_panel(state):
    """The staff actions on the shared case page come with this blueprint: the cases side never imports us."""
    add_case_page_part(state.app, staff_panel)


@bp.get("/")
@staff_only
def home():
    filters = queries.QueueFilters.from_args(request.args)
    workgroups = queries.queue_workgroups(current_user)
    return render_template(
        "staff/home.html",
        filters=filters,
        mine=paginate(queries.my_cases(current_user, filters), filters.mine_page, queries.PAGE_SIZE),
        workgroups=workgroups,
        queue=paginate(queries.queue_cases(current_user, workgroups, filters), filters.queue_page,
                       queries.PAGE_SIZE),
        queue_counts=queries.queue_counts(current_user, workgroups, filters),
        my_tasks=queries.my_open_tasks(current_user),
        templates=list(queries.open_templates()),
    )


@bp.get("/search")
@staff_only
def search():
    form = CaseSearchForm(request.args)
    customer = by_uuid(Customer, request.args.get("customer"))
    text = form.q.data or "" if form.validate() else ""
    page = None
    if text.strip() or customer is not None:
        page = paginate(queries.search_cases(current_user, text, customer), page_number(request.args.get("page")),
                        queries.PAGE_SIZE)
    return render_template("staff/search.html", form=form, customer=customer, page=page, text=text), (
        200 if not form.errors else 400)


@bp.get("/supervisor")
@role_required("supervisor", "admin")
def supervisor():
    workgroups = queries.supervised_workgroups(current_user)
    agent = by_uuid(User, request.args.get("agent"))
    workgroup = by_uuid(Workgroup, request.args.get("workgroup"))
    unassigned = request.args.get("unassigned") == "1"
    drilled = agent is not None or workgroup is not None
    page = None
    members = {}
    if drilled:
        page = paginate(queries.drill_down(current_user, workgroups, agent=agent, workgroup=workgroup,
                                           unassigned=unassigned),
                        page_number(request.args.get("page")), queries.PAGE_SIZE)
        members = queries.members_by_workgroup(list({c.workgroup_id for c in page.items if c.workgroup_id}))
    return render_template("staff/supervisor.html", workgroup_loads=queries.workgroup_loads(workgroups),
                           agent_loads=queries.agent_loads(workgroups), agent=agent, workgroup=workgroup,
                           unassigned=unassigned, page=page, members=members, assign_form=AssignForm(prefix="assign"))


# --- actions on a case ---------------------------------------------------------------------------


def _act(case, form, form_name: str, action, success: str, anchor: str = "#staff-actions"):
    return act_on_case(case, form, form_name, action, success, anchor=anchor)


def _case(reference):
    return case_for_viewer(current_user, reference)


@bp.post("/cases/<reference>/take")
@staff_only
def take(reference):
    case = _case(reference)
    form = TakeForm(prefix="take")
    return _act(case, form, "take_form",
                lambda: service.take_case(current_user, case, seen_assignee=form.seen_assignee.data),
                "You now handle this case.")


@bp.post("/cases/<reference>/assign")
@staff_only
def assign(reference):
    case = _case(reference)
    form = AssignForm(prefix="assign")
    return _act(case, form, "assign_form", lambda: service.assign_case(current_user, case, form.assignee.data),
                "Assignment saved.")


@bp.post("/cases/<reference>/move")
@staff_only
def move(reference):
    case = _case(reference)
    form = MoveForm(prefix="move")
    return _act(case, form, "move_form", lambda: service.move_case(current_user, case, form.workgroup.data),
                "The case moved to another workgroup.")


@bp.post("/cases/<reference>/priority")
@staff_only
def priority(reference):
    case = _case(reference)
    form = PriorityForm(prefix="priority")
    return _act(case, form, "priority_form", lambda: service.set_priority(current_user, case, form.priority.data),
                "Priority changed.")


@bp.post("/cases/<reference>/escalate")
@staff_only
def escalate(reference):
    case = _case(reference)
    form = EscalateForm(prefix="escalate")
    return _act(case, form, "escalate_form", lambda: service.escalate_case(current_user, case, form.reason.data),
                "The case is escalated.")


@bp.post("/cases/<reference>/deescalate")
@staff_only
def deescalate(reference):
    case = _case(reference)
    form = DeescalateForm(prefix="deescalate")
    return _act(case, form, "deescalate_form",
                lambda: service.deescalate_case(current_user, case, form.reason.data),
                "The case is back with its usual workgroup.")


@bp.post("/cases/<reference>/details")
@staff_only
def edit_details(reference):
    case = _case(reference)
    form = details_form(case, formdata=request.form)
    return _act(case, form, "details_form", lambda: service.edit_case_details(current_user, case, request.form),
                "Details saved.")


@bp.post("/cases/<reference>/customers")
@staff_only
def link_customer(reference):
    case = _case(reference)
    form = CustomerPickForm(prefix="link")
    return _act(case, form, "link_form", lambda: contacts.link_customer(current_user, case, form.customer.data),
                "Customer added to the case.", "#case-customers")


@bp.post("/cases/<reference>/customers/<customer_uuid>/unlink")
@staff_only
def unlink_customer(reference, customer_uuid):
    case = _case(reference)
    return _act(case, ConfirmForm(prefix="unlink"), "unlink_form",
                lambda: contacts.unlink_customer(current_user, case, customer_uuid),
                "Customer taken off the case.", "#case-customers")


@bp.post("/cases/<reference>/update")
@staff_only
def update_all(reference):
    case = _case(reference)
    form = UpdateAllForm(prefix="update")
    return _act(case, form, "update_form",
                lambda: contacts.update_all_customers(current_user, case, form.body.data),
                "Update sent to everyone on the case.", "#feed-end")


@bp.post("/cases/<reference>/contacts")
@staff_only
def log_contact(reference):
    case = _case(reference)
    form = ContactForm(prefix="contact")

    def action():
        when = form.contacted_at.data
        if when is not None:
            when = when.replace(tzinfo=viewer_zone()).astimezone(UTC)
        contacts.log_contact(current_user, case, channel=form.channel.data, direction=form.direction.data,
                             summary=form.summary.data, contacted_at=when)

    return _act(case, form, "contact_form", action, "Contact logged.", "#feed-end")


def _task_data(form: TaskForm) -> tasks.TaskData:
    return tasks.TaskData(title=form.title.data, assignee_uuid=form.assignee.data or "",
                          due_date=form.due_date.data, customer_visible=form.customer_visible.data)


@bp.post("/cases/<reference>/tasks")
@staff_only
def add_task(reference):
    case = _case(reference)
    form = TaskForm(prefix="task")
    return _act(case, form, "task_form", lambda: tasks.create_task(current_user, case, _task_data(form)),
                "Task added.", "#case-tasks")


def _task_or_404(task_uuid):
    try:
        return tasks.task_for_staff(current_user, task_uuid)
    except NotFound:
        abort(404)


@bp.route("/tasks/<task_uuid>/edit", methods=["GET", "POST"])
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
            flash("Task saved.", "success")
            return redirect(url_for("cases.detail", reference=case.reference) + "#case-tasks")
    if request.method == "POST":
        status = 400
    return render_template("staff/task_form.html", form=form, task=task, case=case), status


@bp.post("/tasks/<task_uuid>/<any(complete, reopen):action>")
@staff_only
def set_task_state(task_uuid, action):
    task = _task_or_404(task_uuid)
    case = case_for_viewer(current_user, task.case.reference)
    return _act(case, ConfirmForm(prefix="taskstate"), "task_state_form",
                lambda: tasks.set_task_done(current_user, task.uuid, action == "complete"),
                "Task done." if action == "complete" else "Task open again.", "#case-tasks")
