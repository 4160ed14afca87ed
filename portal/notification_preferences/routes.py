"""Each user's notification preferences, and the signed one-click unsubscribe link (RFC 8058)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.errors import ValidationFailed
from portal.i18n import _
from portal.notification_preferences import queries, service
from portal.notification_preferences.forms import ConfirmForm
from portal.notify.rules import CHANNELS
from portal.web_helpers import csrf

bp = Blueprint("notification_preferences", __name__)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def edit():
    form = ConfirmForm()
    if form.validate_on_submit():
        offered = queries.events_for(current_user)
        choices = {
            event: {c for c in CHANNELS if request.form.get(f"{event}.{c}")}
            for event in offered
        }
        try:
            service.save_preferences(current_user, choices)
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            flash(_("Your notification choices are saved."), "success")
        return redirect(url_for("notification_preferences.edit"))
    return render_template("notification_preferences/edit.html", form=form,
                           rows=queries.preferences_of(current_user)), 400 if form.is_submitted() else 200


@bp.get("/unsubscribe/<token>")
def unsubscribe(token):
    # Showing what the link switches off changes nothing: mail scanners prefetch links.
    target = service.read_unsubscribe_token(token)
    still_on = queries.preference_allows(target.user.uuid, target.event, "email")
    return render_template("notification_preferences/unsubscribe.html", target=target, token=token, still_on=still_on)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a session; the signed token is the authority
def unsubscribe_now(token):
    service.unsubscribe(token)
    return redirect(url_for("notification_preferences.unsubscribe", token=token), code=303)
