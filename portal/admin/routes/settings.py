"""Case settings overview, statuses and case reasons. Thin views: parse, call one service, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.admin.forms import ReasonForm, StatusForm
from portal.case_config import queries, service
from portal.errors import ValidationFailed
from portal.i18n import _
from portal.identifiers import by_uuid
from portal.models.configuration import STATUS_CATEGORIES, CaseReason, CaseStatus
from portal.web_helpers import apply_errors, role_required, status_for


@role_required("admin")
def index():
    counts = {
        "statuses": queries.all_statuses().count(),
        "reasons": queries.all_reasons().count(),
        "fields": queries.all_fields().count(),
        "templates": queries.all_templates().count(),
        "published": queries.all_templates().where(queries.CaseTemplate.state == "published").count(),
    }
    return render_template("admin/index.html", counts=counts)


def _statuses_page(form: StatusForm):
    return render_template("admin/statuses.html", statuses=list(queries.all_statuses()), form=form,
                           categories=STATUS_CATEGORIES), status_for(form)


@role_required("admin")
def statuses():
    form = StatusForm()
    if form.validate_on_submit():
        try:
            status = service.save_status(current_user, None, name=form.name.data, category=form.category.data,
                                         customer_description=form.customer_description.data,
                                         active=form.active.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Status %(name)s added.", name=status.name), "success")
            return redirect(url_for("admin.statuses"))
    return _statuses_page(form)


@role_required("admin")
def edit_status(status_uuid):
    status = by_uuid(CaseStatus, status_uuid) or abort(404)
    form = StatusForm(obj=status)
    if form.validate_on_submit():
        try:
            service.save_status(current_user, status, name=form.name.data, category=form.category.data,
                                customer_description=form.customer_description.data, active=form.active.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Status %(name)s saved.", name=status.name), "success")
            return redirect(url_for("admin.statuses"))
    return render_template("admin/status_edit.html", status=status, form=form), status_for(form)


@role_required("admin")
def reasons():
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            reason = service.save_reason(current_user, None, name=form.name.data, active=form.active.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Reason %(name)s added.", name=reason.name), "success")
            return redirect(url_for("admin.reasons"))
    return render_template("admin/reasons.html", reasons=list(queries.all_reasons()), form=form), status_for(form)


@role_required("admin")
def edit_reason(reason_uuid):
    reason = by_uuid(CaseReason, reason_uuid) or abort(404)
    form = ReasonForm(obj=reason)
    if form.validate_on_submit():
        try:
            service.save_reason(current_user, reason, name=form.name.data, active=form.active.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Reason %(name)s saved.", name=reason.name), "success")
            return redirect(url_for("admin.reasons"))
    return render_template("admin/reason_edit.html", reason=reason, form=form), status_for(form)


def register(bp: Blueprint) -> None:
    """Add this module's pages to the admin blueprint."""
    bp.add_url_rule("/", view_func=index, methods=["GET"])
    bp.add_url_rule("/statuses", view_func=statuses, methods=["GET", "POST"])
    bp.add_url_rule("/statuses/<uuid:status_uuid>", view_func=edit_status, methods=["GET", "POST"])
    bp.add_url_rule("/reasons", view_func=reasons, methods=["GET", "POST"])
    bp.add_url_rule("/reasons/<uuid:reason_uuid>", view_func=edit_reason, methods=["GET", "POST"])
