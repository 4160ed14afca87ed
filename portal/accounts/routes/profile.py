"""One's own details, the browsers one is signed in on, and the password. Thin views."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import refresh
from flask_login import current_user, login_required

from portal.accounts import service
from portal.accounts.forms import PasswordChangeForm, ProfileForm
from portal.accounts.routes import browser
from portal.accounts.service import sessions
from portal.errors import ValidationFailed
from portal.i18n import _
from portal.mfa.factors import has_second_factor
from portal.web_helpers import apply_errors


@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.phone.data = current_user.phone or ""
    if form.validate_on_submit():
        try:
            service.update_profile(current_user, display_name=form.display_name.data,
                                   time_zone=form.time_zone.data, phone=form.phone.data,
                                   language=form.language.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            refresh()  # the confirmation, like the next page, in the language just chosen
            flash(_("Your details are saved."), "success")
            return redirect(url_for("accounts.profile"))
    token = browser.current_token()
    signed_in = [(row, sessions.is_session(row, token)) for row in sessions.active_sessions(current_user)]
    signed_in.sort(key=lambda pair: not pair[1])  # this browser first, then the most recently used
    return render_template("accounts/profile.html", form=form, signed_in=signed_in,
                           has_second_factor=has_second_factor(current_user)), 400 if form.errors else 200


@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current_password.data, form.new_password.data,
                                    keep_session=browser.current_token())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Your password is changed. You were signed out everywhere else."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


def register(bp: Blueprint) -> None:
    """Add this module's pages to the accounts blueprint."""
    bp.add_url_rule("/account", view_func=profile, methods=["GET", "POST"])
    bp.add_url_rule("/account/password", view_func=change_password, methods=["GET", "POST"])
