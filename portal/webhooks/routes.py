"""The webhook admin pages: list, register, edit, the endpoint's page (deliveries, audit log) and its
buttons (rotate the secret, pause, resume, delete, send a test, redeliver). Admins only; thin views:
parse, call one portal.webhooks.service function, flash, redirect. A new secret is shown once, on
the answer to the POST that made it (never stored in the session, never cached)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.errors import Conflict, NotFound, ValidationFailed
from portal.i18n import _, _l
from portal.web_helpers import apply_errors, role_required, status_for
from portal.webhooks import queries, service
from portal.webhooks.forms import ConfirmForm, EndpointForm

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")

ACTIONS = {
    "created": _l("Registered"),
    "edited": _l("Edited"),
    "secret_rotated": _l("Secret rotated"),
    "paused": _l("Paused"),
    "paused_automatically": _l("Paused after repeated failures"),
    "resumed": _l("Resumed"),
    "deleted": _l("Deleted"),
    "test_sent": _l("Test event sent"),
    "redelivered": _l("Delivery sent again"),
}
STATUSES = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Delivered"),
    "failed": _l("Failed, will retry"),
    "dead": _l("Gave up"),
    "suppressed": _l("Not sent"),
    "unknown": _l("Outcome unknown"),
}


def _input(form: EndpointForm) -> service.EndpointInput:
    return service.EndpointInput(url=form.url.data or "", description=form.description.data or "",
                                 event_types=tuple(form.event_types.data or ()),
                                 case_template=form.case_template.data or "", active=bool(form.active.data))


def _endpoint(endpoint_uuid):
    try:
        return queries.endpoint_by_uuid(endpoint_uuid)
    except NotFound:
        abort(404)


def _secret_page(endpoint, secret: str, rotated: bool):
    response = render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, rotated=rotated)
    return response, 200, {"Cache-Control": "no-store"}


@bp.get("/")
@role_required("admin")
def index():
    return render_template("webhooks/index.html", endpoints=list(queries.endpoints()))


@bp.route("/new", methods=["GET", "POST"])
@role_required("admin")
def new():
    form = EndpointForm()
    form.set_choices(queries.template_choices())
    if form.validate_on_submit():
        try:
            endpoint, secret = service.create_endpoint(current_user, _input(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return _secret_page(endpoint, secret, rotated=False)
    return render_template("webhooks/form.html", form=form, endpoint=None), status_for(form)


@bp.get("/<endpoint_uuid>")
@role_required("admin")
def detail(endpoint_uuid):
    endpoint = _endpoint(endpoint_uuid)
    return render_template("webhooks/detail.html", endpoint=endpoint, deliveries=list(queries.deliveries(endpoint)),
                           changes=list(queries.changes(endpoint)), confirm_form=ConfirmForm(), actions=ACTIONS,
                           statuses=STATUSES)


@bp.route("/<endpoint_uuid>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit(endpoint_uuid):
    endpoint = _endpoint(endpoint_uuid)
    form = EndpointForm(obj=None, data={
        "url": endpoint.url, "description": endpoint.description, "event_types": list(endpoint.event_types),
        "case_template": endpoint.case_template.uuid if endpoint.case_template_id else "", "active": endpoint.active})
    form.set_choices(queries.template_choices())
    if form.validate_on_submit():
        try:
            service.update_endpoint(current_user, endpoint.uuid, _input(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("The endpoint is saved."), "success")
            return redirect(url_for("webhooks.detail", endpoint_uuid=endpoint.uuid))
    return render_template("webhooks/form.html", form=form, endpoint=endpoint), status_for(form)


def _button(endpoint_uuid, change, done: str):
    """A POST button on the endpoint's page: CSRF checked, one service call, flash, back to the page."""
    endpoint = _endpoint(endpoint_uuid)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("webhooks.detail", endpoint_uuid=endpoint.uuid))
    try:
        result = change(endpoint)
    except NotFound:
        abort(404)
    except Conflict as exc:
        flash(str(exc.message), "error")
    else:
        if result is not None:
            return result
        flash(done, "success")
    if change is _delete:
        return redirect(url_for("webhooks.index"))
    return redirect(url_for("webhooks.detail", endpoint_uuid=endpoint.uuid))


def _delete(endpoint):
    service.delete_endpoint(current_user, endpoint.uuid)


@bp.post("/<endpoint_uuid>/rotate")
@role_required("admin")
def rotate(endpoint_uuid):
    def change(endpoint):
        rotated, secret = service.rotate_secret(current_user, endpoint.uuid)
        return _secret_page(rotated, secret, rotated=True)

    return _button(endpoint_uuid, change, "")


@bp.post("/<endpoint_uuid>/pause")
@role_required("admin")
def pause(endpoint_uuid):
    return _button(endpoint_uuid, lambda e: service.pause_endpoint(current_user, e.uuid) and None,
                   _("The endpoint is paused: its deliveries wait until you resume it."))


@bp.post("/<endpoint_uuid>/resume")
@role_required("admin")
def resume(endpoint_uuid):
    return _button(endpoint_uuid, lambda e: service.resume_endpoint(current_user, e.uuid) and None,
                   _("The endpoint is resumed: what waited is delivered now, in order."))


@bp.post("/<endpoint_uuid>/delete")
@role_required("admin")
def delete(endpoint_uuid):
    return _button(endpoint_uuid, _delete, _("The endpoint is deleted."))


@bp.post("/<endpoint_uuid>/test")
@role_required("admin")
def test(endpoint_uuid):
    return _button(endpoint_uuid, lambda e: service.send_test(current_user, e.uuid) and None,
                   _("A test event is on its way; it appears under the deliveries."))


@bp.post("/<endpoint_uuid>/deliveries/<message_uuid>/redeliver")
@role_required("admin")
def redeliver(endpoint_uuid, message_uuid):
    return _button(endpoint_uuid, lambda e: service.redeliver(current_user, e.uuid, message_uuid),
                   _("The delivery is sent again, with the same webhook-id."))
