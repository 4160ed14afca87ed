"""The staff actions posted from the case page: take, assign, move, priority, escalation, details, the
customers on the case, an update to all of them and the contact log. Thin views: parse, call one
service, flash, redirect; a refusal shows the case page again with the message next to the form."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, request
from flask_login import current_user

from portal.cases.queries.case_page import case_for_viewer
from portal.cases.routes.case_page import act_on_case
from portal.i18n import _
from portal.models.people import STAFF_ROLES
from portal.staff.forms import (
    AssignForm,
    ConfirmForm,
    ContactForm,
    CustomerPickForm,
    DeescalateForm,
    EscalateForm,
    MoveForm,
    PriorityForm,
    TakeForm,
    UpdateAllForm,
)
from portal.staff.routes.case_panel import details_form
from portal.staff.service import contacts, details, handling
from portal.web_helpers import role_required, viewer_zone

staff_only = role_required(*STAFF_ROLES)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/cases/<reference>/take", view_func=take, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/assign", view_func=assign, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/move", view_func=move, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/priority", view_func=priority, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/escalate", view_func=escalate, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/deescalate", view_func=deescalate, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/details", view_func=edit_details, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/customers", view_func=link_customer, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/customers/<customer_uuid>/unlink", view_func=unlink_customer,
                    methods=["POST"])
    bp.add_url_rule("/cases/<reference>/update", view_func=update_all, methods=["POST"])
    bp.add_url_rule("/cases/<reference>/contacts", view_func=log_contact, methods=["POST"])


def _act(case, form, form_name: str, action, success: str, anchor: str = "#staff-actions"):
    return act_on_case(case, form, form_name, action, success, anchor=anchor)


def _case(reference):
    return case_for_viewer(current_user, reference)


@staff_only
def take(reference):
    case = _case(reference)
    form = TakeForm(prefix="take")
    return _act(case, form, "take_form",
                lambda: handling.take_case(current_user, case, seen_assignee=form.seen_assignee.data),
                _("You now handle this case."))


@staff_only
def assign(reference):
    case = _case(reference)
    form = AssignForm(prefix="assign")
    return _act(case, form, "assign_form", lambda: handling.assign_case(current_user, case, form.assignee.data),
                _("Assignment saved."))


@staff_only
def move(reference):
    case = _case(reference)
    form = MoveForm(prefix="move")
    return _act(case, form, "move_form", lambda: handling.move_case(current_user, case, form.workgroup.data),
                _("The case moved to another workgroup."))


@staff_only
def priority(reference):
    case = _case(reference)
    form = PriorityForm(prefix="priority")
    return _act(case, form, "priority_form", lambda: handling.set_priority(current_user, case, form.priority.data),
                _("Priority changed."))


@staff_only
def escalate(reference):
    case = _case(reference)
    form = EscalateForm(prefix="escalate")
    return _act(case, form, "escalate_form", lambda: handling.escalate_case(current_user, case, form.reason.data),
                _("The case is escalated."))


@staff_only
def deescalate(reference):
    case = _case(reference)
    form = DeescalateForm(prefix="deescalate")
    return _act(case, form, "deescalate_form",
                lambda: handling.deescalate_case(current_user, case, form.reason.data),
                _("The case is back with its usual workgroup."))


@staff_only
def edit_details(reference):
    case = _case(reference)
    form = details_form(case, formdata=request.form)
    return _act(case, form, "details_form", lambda: details.edit_case_details(current_user, case, request.form),
                _("Details saved."))


@staff_only
def link_customer(reference):
    case = _case(reference)
    form = CustomerPickForm(prefix="link")
    return _act(case, form, "link_form", lambda: contacts.link_customer(current_user, case, form.customer.data),
                _("Customer added to the case."), "#case-customers")


@staff_only
def unlink_customer(reference, customer_uuid):
    case = _case(reference)
    return _act(case, ConfirmForm(prefix="unlink"), "unlink_form",
                lambda: contacts.unlink_customer(current_user, case, customer_uuid),
                _("Customer taken off the case."), "#case-customers")


@staff_only
def update_all(reference):
    case = _case(reference)
    form = UpdateAllForm(prefix="update")
    return _act(case, form, "update_form",
                lambda: contacts.update_all_customers(current_user, case, form.body.data),
                _("Update sent to everyone on the case."), "#feed-end")


@staff_only
def log_contact(reference):
    case = _case(reference)
    form = ContactForm(prefix="contact")

    def action():
        when = form.contacted_at.data
        if when is not None:
            when = when.replace(tzinfo=viewer_zone()).astimezone(UTC)
        contacts.log_contact(current_user, case, channel=form.channel.data, direction=form.direction.data,
                             summary=form.summary.data, contacted_at=when, submission=form.submission.data)

    return _act(case, form, "contact_form", action, _("Contact logged."), "#feed-end")
