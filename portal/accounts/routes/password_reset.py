"""Asking for a password reset link, and setting a new password with it. Thin views."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from portal.accounts import service
from portal.accounts.forms import EmailOnlyForm, PasswordResetForm
from portal.accounts.routes import browser
from portal.accounts.service.limits import TooManyAttempts
from portal.errors import ValidationFailed
from portal.i18n import _
from portal.web_helpers import apply_errors, rate_limited_page


def request_reset():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        try:
            service.request_password_reset(form.email.data, client_address=request.remote_addr or "")
        except TooManyAttempts as exc:
            return rate_limited_page("accounts/reset_request.html", form, exc)
        return render_template("accounts/reset_sent.html", email=form.email.data.strip())
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


def reset_password(token):
    try:
        service.check_reset_token(token)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.request_reset"))
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user = service.reset_password(token, form.new_password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return browser.password_set_by_link(user, _("Your password is changed. Sign in with the new one."))
    return render_template("accounts/reset_password.html", form=form, token=token), 400 if form.errors else 200


def register(bp: Blueprint) -> None:
    """Add this module's pages to the accounts blueprint."""
    bp.add_url_rule("/reset-password", view_func=request_reset, methods=["GET", "POST"])
    bp.add_url_rule("/reset-password/<token>", view_func=reset_password, methods=["GET", "POST"])
