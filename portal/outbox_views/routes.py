"""Staff screens over the notifier: the outbox (delivery state, attempts, requeue) and the demo mailbox."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from notifier.models import STATUSES
from portal.errors import InvalidTransition
from portal.i18n import _
from portal.outbox_views import queries, service
from portal.pagination import page_number

bp = Blueprint("outbox_views", __name__, url_prefix="/notifications")


# The outbox is not counted: a far page costs a long scan, so fewer pages are reachable than in counted lists.
MAX_PAGE = 10_000


@bp.get("/outbox")
@login_required
def outbox():
    filters = {name: request.args.get(name, "")[:320] for name in ("status", "topic", "address", "event")}
    page = queries.outbox_page(current_user, page_number(request.args.get("page"), maximum=MAX_PAGE), **filters)
    return render_template(
        "outbox_views/outbox.html",
        messages=page.items,
        page=page,
        filters=filters,
        statuses=STATUSES,
        labels=queries.STATUS_LABELS,
        counts=queries.outbox_counts(current_user),
    )


@bp.get("/outbox/<message_uuid>")
@login_required
def outbox_detail(message_uuid):
    detail = queries.outbox_message(current_user, message_uuid)
    return render_template("outbox_views/outbox_detail.html", detail=detail, message=detail.entry,
                           outcomes=queries.OUTCOME_LABELS)


@bp.post("/outbox/<message_uuid>/requeue")
@login_required
def requeue(message_uuid):
    try:
        service.requeue_message(current_user, message_uuid)
    except InvalidTransition as exc:
        flash(exc.message, "error")
    else:
        flash(_("The message is queued again and will be sent within a few seconds."), "success")
    return redirect(url_for("outbox_views.outbox_detail", message_uuid=message_uuid))


@bp.get("/mailbox")
@login_required
def mailbox():
    page = queries.captured_messages(current_user, page_number(request.args.get("page"), maximum=MAX_PAGE))
    return render_template("outbox_views/mailbox.html", captures=page.items, page=page)


@bp.get("/mailbox/<capture_uuid>")
@login_required
def mailbox_detail(capture_uuid):
    capture = queries.captured_message(current_user, capture_uuid)
    return render_template("outbox_views/mailbox_detail.html", capture=capture)


@bp.get("/mailbox/<capture_uuid>/html")
@login_required
def mailbox_html(capture_uuid):
    """The HTML part alone, for a sandboxed iframe: no scripts, no remote loads, no forms."""
    capture = queries.captured_message(current_user, capture_uuid)
    response = make_response(capture.html or "")
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
