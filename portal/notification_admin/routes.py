"""The notification editor and rules pages for admins (404 for everyone else). Thin views: the
services (portal.notification_admin, portal.notify) check the actor again and do the work."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import ValidationFailed
from portal.i18n import _
from portal.models.configuration import CaseTemplate
from portal.notification_admin import queries, service
from portal.notification_admin.forms import ConfirmForm, TemplateForm
from portal.notify import queries as notify_queries
from portal.notify import rules as notify_rules
from portal.notify import service as notify_service
from portal.notify.catalogue import event_title
from portal.web_helpers import apply_errors, role_required

bp = Blueprint("notification_admin", __name__, url_prefix="/admin/notifications")
TEMPLATE_URL = "/templates/<event>/<any(email, sms):channel>"


def _slot(event, channel):
    return queries.slot(current_user, event, channel, request.args.get("language", "")[:20],
                       request.args.get("variant", "")[:36])


def _edit_url(target, endpoint="notification_admin.edit", **values):
    return url_for(endpoint, event=target.event.name, channel=target.channel, **target.query, **values)


@bp.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("")
@role_required("admin")
def index():
    return render_template("notification_admin/index.html", summaries=queries.overview(current_user),
                           languages=queries.languages(), case_templates=queries.case_templates(current_user))


@bp.route(TEMPLATE_URL, methods=["GET", "POST"])
@role_required("admin")
def edit(event, channel):
    target = _slot(event, channel)
    form = TemplateForm()
    result, status = None, 200
    if request.method == "GET":
        parts, _own = queries.current_parts(current_user, target)
        for part in target.parts:
            getattr(form, part).data = parts.get(part, "")
    elif form.validate_on_submit():
        parts = {part: getattr(form, part).data or "" for part in target.parts}
        try:
            if request.form.get("action") == "save":
                saved = service.save_template(current_user, target, parts)
                flash(_("Version %(number)s is saved and used from now on.", number=saved.number), "success")
                return redirect(_edit_url(target))
            result = service.preview(current_user, target, parts, form.case_reference.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
            status = 400
    else:
        status = 400
    _parts, own_version = queries.current_parts(current_user, target)
    return render_template(
        "notification_admin/edit.html", target=target, form=form, preview=result, own_version=own_version,
        draft_shape=queries.draft_sms_shape(form.text.data) if target.channel == "sms" else None,
        languages=queries.languages(), case_templates=queries.case_templates(current_user),
        test_form=ConfirmForm(), edit_url=_edit_url,
    ), status


@bp.get(TEMPLATE_URL + "/versions")
@role_required("admin")
def versions(event, channel):
    target = _slot(event, channel)
    return render_template("notification_admin/versions.html", target=target,
                           versions=queries.versions(current_user, target), form=ConfirmForm(),
                           edit_url=_edit_url)


@bp.get(TEMPLATE_URL + "/versions/<int:number>")
@role_required("admin")
def version(event, channel, number):
    target = _slot(event, channel)
    newer, older, changes = queries.diff(current_user, target, number)
    return render_template("notification_admin/version.html", target=target, version=newer, older=older,
                           changes=changes, form=ConfirmForm(), edit_url=_edit_url)


@bp.post(TEMPLATE_URL + "/versions/<int:number>/restore")
@role_required("admin")
def restore(event, channel, number):
    target = _slot(event, channel)
    ConfirmForm().validate_on_submit()
    try:
        saved = service.restore(current_user, target, number)
    except ValidationFailed as exc:
        flash(_("Version %(number)s cannot be restored: %(reason)s", number=number, reason=exc.message), "error")
        return redirect(_edit_url(target, "notification_admin.versions"))
    flash(_("Version %(number)s is restored as version %(new)s.", number=number, new=saved.number), "success")
    return redirect(_edit_url(target))


@bp.post(TEMPLATE_URL + "/test")
@role_required("admin")
def send_test(event, channel):
    target = _slot(event, channel)
    ConfirmForm().validate_on_submit()
    try:
        address = service.send_test(current_user, target)
    except ValidationFailed as exc:
        flash(exc.message, "error")
    else:
        if target.channel == "sms":
            flash(_("A test (a text message to %(address)s) is queued to you with the sample data; it leaves "
                    "within a few seconds.", address=address), "success")
        else:
            flash(_("A test (an email to %(address)s) is queued to you with the sample data; it leaves within "
                    "a few seconds.", address=address), "success")
    return redirect(_edit_url(target))


# --- rules ----------------------------------------------------------------------------------------


def _rules_scope():
    wanted = request.values.get("template", "")[:36]
    if not wanted:
        return None
    found = CaseTemplate.get_or_none(CaseTemplate.uuid == wanted)
    if found is None:
        from flask import abort

        abort(404)
    return found


def _submitted(table, choices):
    """The table as the admin sent it: their choices in every offered cell, to show them again."""
    return {
        event: {audience: replace(cell, channels=frozenset(choices.get((event, audience), ()))) if cell.offered
                else cell for audience, cell in cells.items()}
        for event, cells in table.items()
    }


@bp.route("/rules", methods=["GET", "POST"])
@role_required("admin")
def rules():
    scope = _rules_scope()
    form = ConfirmForm()
    table = notify_queries.rules_table(scope)
    errors, status = {}, 200
    if form.is_submitted():
        status = 400
    if form.validate_on_submit():
        choices = {
            (event, audience): {c for c in notify_rules.CHANNELS
                                if request.form.get(notify_rules.cell_name(event, audience, c))}
            for event, audiences in notify_rules.EVENT_AUDIENCES.items()
            for audience in audiences
        }
        try:
            notify_service.save_rules(current_user, scope, choices)
        except ValidationFailed as exc:
            form.form_errors.append(exc.message)
            errors = exc.fields
            table = _submitted(table, choices)
        else:
            flash(_("The notification rules are saved."), "success")
            return redirect(url_for("notification_admin.rules", template=scope.uuid if scope else None))
    return render_template(
        "notification_admin/rules.html", scope=scope, form=form, table=table, errors=errors,
        missing=notify_queries.missing_templates(scope), audiences=notify_rules.AUDIENCES,
        audience_labels=notify_rules.AUDIENCE_LABELS, channels=notify_rules.CHANNELS,
        case_templates=queries.case_templates(current_user), event_title=event_title,
    ), status


@bp.post("/rules/reset")
@role_required("admin")
def reset_rules():
    scope = _rules_scope()
    if ConfirmForm().validate_on_submit():
        notify_service.reset_rules(current_user, scope)
        flash(_("The stored rules are removed; the defaults apply again."), "success")
    return redirect(url_for("notification_admin.rules", template=scope.uuid if scope else None))
