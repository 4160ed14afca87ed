"""Each user's notification preferences, and the signed one-click unsubscribe link (RFC 8058)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.errors import ValidationFailed
from portal.notification_admin import preferences
from portal.notification_admin.forms import ConfirmForm
from portal.web_helpers import csrf

bp = Blueprint("notification_preferences", __name__)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def edit():
    form = ConfirmForm()
    if form.validate_on_submit():
        offered = preferences.events_for(current_user)
        choices = {
            event: {c for c in preferences.CHANNELS if request.form.get(f"{event}.{c}")}
            for event in offered
        }
        try:
            preferences.save_preferences(current_user, choices)
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            flash("Your notification choices are saved.", "success")
        return redirect(url_for("notification_preferences.edit"))
    return render_template("notification_admin/preferences.html", form=form,
                           rows=preferences.preferences_of(current_user)), 400 if form.is_submitted() else 200


@bp.get("/unsubscribe/<token>")
def unsubscribe(token):
    # Showing what the link switches off changes nothing: mail scanners prefetch links.
    target = preferences.read_unsubscribe_token(token)
    still_on = preferences.preference_allows(target.user.uuid, target.event, "email")
    return render_template("notification_admin/unsubscribe.html", target=target, token=token, still_on=still_on)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a session; the signed token is the authority
def unsubscribe_now(token):
    preferences.unsubscribe(token)
    return redirect(url_for("notification_preferences.unsubscribe", token=token), code=303)
