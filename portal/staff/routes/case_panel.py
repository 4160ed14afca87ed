"""What the staff workspace adds to the case page: the staff actions (templates/staff/_case_actions.html)
with the case's tasks. The case page (portal.cases.routes.case_page) calls staff_panel() once per page,
as the part the staff blueprint added when the app registered it; submitted forms come back in `forms`
to show their errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request
from flask_wtf import FlaskForm
from peewee import JOIN
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.case_config.forms import build_case_form
from portal.case_config.queries import template_layout
from portal.cases.queries.case_page import may_have, values_by_key
from portal.customers.queries import search_customers
from portal.fixed_reads import FixedRead
from portal.i18n import _
from portal.models.cases import Case
from portal.models.people import User
from portal.models.staff import CaseTask
from portal.new_forms import NewForm
from portal.settings import setting
from portal.staff.forms import (
    AssignForm,
    ConfirmForm,
    ContactForm,
    CustomerFindForm,
    CustomerPickForm,
    DeescalateForm,
    EscalateForm,
    MoveForm,
    PriorityForm,
    TakeForm,
    TaskForm,
    UpdateAllForm,
)
from portal.staff.queries import members_of_workgroup, supervised_workgroups
from portal.staff.service import details


@dataclass
class StaffPanel:
    case: Case
    forms: dict
    can_take: bool
    can_assign: bool
    can_move: bool
    closed: bool
    tasks: list = field(default_factory=list)
    found_customers: object = None
    # What else portal.policy lets the viewer do on this case (the template shows controls by these).
    may: dict = field(default_factory=dict)
    # The forms built here for this page (not a sent one shown again): their controls are the same for
    # every page in a language, so the template may keep their markup ({% remember %}).
    fresh: frozenset = frozenset()


def staff_panel(case: Case, viewer: User, forms: dict) -> dict:
    """The case page's staff part: {"staff_panel": StaffPanel} for staff who handle the case, else None."""
    if not policy.can_handle_case(viewer, case):
        return {"staff_panel": None}
    tasks = _TASKS.list(case.id) if may_have(case, "has_tasks") else []
    return {"staff_panel": _panel(case, viewer, forms, tasks)}


# The case page's fixed reads, their SQL written once (portal.fixed_reads).
_TASKS = FixedRead(lambda case_id: (
    CaseTask.select(CaseTask, User)
    .join(User, JOIN.LEFT_OUTER, on=(CaseTask.assignee == User.id))
    .where(CaseTask.case == case_id)
    .order_by(CaseTask.status.desc(), CaseTask.due_date.is_null(), CaseTask.due_date, CaseTask.id)
), "int")


def details_form(case: Case, formdata=None):
    """The edit form built by the one form builder for staff, with the case's values (or what was sent)."""
    # On the page the values come from the read the page showed them with (one read per request);
    # a sent form (formdata) is checked against the database's values as they are now.
    current = values_by_key(case) if formdata is None else details.current_values(case)
    layout = template_layout(case.template, "staff")
    form_class = build_case_form(case.template, "staff", base=FlaskForm, current=current, layout=layout)
    if formdata is None:
        form = form_class(formdata=None, data=details.details_form_data(case, current))
    else:
        form = form_class(formdata=formdata)
    if case.reason_id and not case.reason.active:  # keep a retired reason choosable, like a retired option
        retired = _("%(reason)s (no longer offered)", reason=case.reason.name)
        form.reason.choices = [*form.reason.choices, SelectChoice(case.reason.uuid, retired)]
    return form


def assignee_choices(case: Case, members: list[User]) -> list[SelectChoice]:
    return [SelectChoice("", _("Nobody (back to the queue)"))] + [
        SelectChoice(m.uuid, _("%(name)s (%(role)s)", name=m.display_name, role=m.role_label)) for m in members]


def task_assignee_choices(members: list[User]) -> list[SelectChoice]:
    return [SelectChoice("", _("Nobody yet"))] + [SelectChoice(m.uuid, m.display_name) for m in members]


def _panel(case: Case, viewer: User, forms: dict, tasks: list) -> StaffPanel:
    """The staff actions on the case: each control only when policy allows it and the case's state
    admits it, the same rules the services apply. A form is built only for a control the page shows
    (or one sent back with its errors): 14 forms for every staff page were a tenth of its CPU."""
    closed = case.status.category == "closed"
    may = {
        "priority": policy.can_set_priority(viewer, case),
        "escalate": policy.can_escalate(viewer, case),
        "deescalate": policy.can_deescalate(viewer, case),
        "edit_details": policy.can_edit_details(viewer, case),
        "link": policy.can_link_customers(viewer, case),
        "update_all": policy.can_update_all_customers(viewer, case),
        "log_contact": policy.can_log_contact(viewer, case),
        "manage_tasks": policy.can_manage_tasks(viewer, case),
    }
    can_take = not closed and case.assignee_id != viewer.id and policy.can_take(viewer, case)
    can_assign = not closed and bool(case.workgroup_id) and policy.can_assign(viewer, case)
    movable = []
    if not closed and policy.can_move(viewer, case):
        movable = [w for w in supervised_workgroups(viewer)
                   if w.active and w.id != case.workgroup_id and policy.can_move(viewer, case, w.id)]

    def open_and(allowed) -> bool:
        return not closed and allowed

    shown = {  # form name: whether the page shows a new one (a sent one comes back whatever this says)
        "take_form": can_take,
        "assign_form": can_assign,
        "move_form": bool(movable),
        "priority_form": open_and(may["priority"]),
        "escalate_form": open_and(not case.escalated and may["escalate"]),
        "deescalate_form": open_and(case.escalated and may["deescalate"]),
        "details_form": open_and(may["edit_details"]),
        "link_form": open_and(may["link"]),
        "update_form": open_and(may["update_all"]),
        "contact_form": may["log_contact"],
        "task_form": open_and(may["manage_tasks"]),
    }
    members = None
    if any(forms.get(name) is not None or shown[name] for name in ("assign_form", "task_form")):
        members = members_of_workgroup(case.workgroup_id) if case.workgroup_id else []
    choices = {
        "assign_form": lambda: {"assignee": assignee_choices(case, members)},
        "move_form": lambda: {"workgroup": [SelectChoice("", _("Choose a workgroup"))]
                              + [SelectChoice(w.uuid, w.name) for w in movable]},
        "task_form": lambda: {"assignee": task_assignee_choices(members)},
    }
    # A new form is built when the page first needs more of it than its hidden token and key
    # (portal.new_forms): those whose controls the page keeps are mostly never built. The details
    # form, built here, never reads the request's data either: it is new whatever was sent.
    current_assignee = case.assignee.uuid if case.assignee_id else ""
    makers = {
        "take_form": lambda: NewForm(TakeForm, prefix="take"),
        "assign_form": lambda: NewForm(AssignForm, prefix="assign", data={"assignee": current_assignee},
                                       choices=choices["assign_form"]()),
        "move_form": lambda: NewForm(MoveForm, prefix="move", choices=choices["move_form"]()),
        "priority_form": lambda: NewForm(PriorityForm, prefix="priority", data={"priority": case.priority}),
        "escalate_form": lambda: NewForm(EscalateForm, prefix="escalate"),
        "deescalate_form": lambda: NewForm(DeescalateForm, prefix="deescalate"),
        "details_form": lambda: details_form(case),
        "link_form": lambda: NewForm(CustomerPickForm, prefix="link"),
        "update_form": lambda: NewForm(UpdateAllForm, prefix="update"),
        "contact_form": lambda: NewForm(ContactForm, prefix="contact"),
        "task_form": lambda: NewForm(TaskForm, prefix="task", choices=choices["task_form"]()),
    }
    built = {name: forms.get(name) or (make() if shown[name] else None) for name, make in makers.items()}
    fresh = frozenset(name for name in makers if forms.get(name) is None)
    built["unlink_form"] = NewForm(ConfirmForm, prefix="unlink") if open_and(may["link"]) else None
    built["find_form"] = CustomerFindForm(request.args) if open_and(may["link"]) else None
    built["task_state_form"] = NewForm(ConfirmForm, prefix="taskstate") if tasks and may["manage_tasks"] else None
    for name, sent in forms.items():  # a sent form comes back offering what a new one would
        if sent is not None and name in choices:
            for field_name, offered in choices[name]().items():
                getattr(sent, field_name).choices = offered
    found = None
    find = built["find_form"]
    if find is not None and (request.args.get("link_q") or "").strip() and find.validate():
        found = search_customers(viewer, find.link_q.data, limit=10, phone_region=setting("DEFAULT_PHONE_REGION"))
    return StaffPanel(case=case, forms=built, can_take=can_take, can_assign=can_assign, can_move=bool(movable),
                      closed=closed, tasks=tasks, found_customers=found, may=may, fresh=fresh)
