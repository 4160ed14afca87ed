"""The inbound mail queue pages (/staff/mail-in): thin views over portal.mail_in.queue."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.errors import InvalidTransition
from portal.i18n import _
from portal.mail_in import outcomes, queue
from portal.pagination import page_number

bp = Blueprint("mail_in", __name__, url_prefix="/staff/mail-in")


@bp.get("")
@login_required
def queue_list():
    page = queue.queue_page(current_user, page_number(request.args.get("page")))
    return render_template("mail_in/queue.html", messages=page.items, page=page, states=queue.STATE_LABELS)


@bp.get("/<inbound_uuid>")
@login_required
def detail(inbound_uuid):
    shown = queue.inbound_message(current_user, inbound_uuid)
    return render_template("mail_in/detail.html", shown=shown, message=shown.entry, states=queue.STATE_LABELS)


@bp.post("/<inbound_uuid>/retry")
@login_required
def retry(inbound_uuid):
    try:
        outcome = queue.retry_message(current_user, inbound_uuid)
    except InvalidTransition as exc:
        flash(exc.message, "error")
        return redirect(url_for("mail_in.detail", inbound_uuid=inbound_uuid))
    if outcome is not None and outcome.state != outcomes.HELD:
        flash(_("The message was processed."), "success")
        return redirect(url_for("mail_in.queue_list"))
    flash(_("The message was processed again and is still in the queue; see why below."), "info")
    return redirect(url_for("mail_in.detail", inbound_uuid=inbound_uuid))


@bp.post("/<inbound_uuid>/discard")
@login_required
def discard(inbound_uuid):
    try:
        queue.discard_message(current_user, inbound_uuid)
    except InvalidTransition as exc:
        flash(exc.message, "error")
        return redirect(url_for("mail_in.detail", inbound_uuid=inbound_uuid))
    flash(_("The message was discarded."), "success")
    return redirect(url_for("mail_in.queue_list"))
