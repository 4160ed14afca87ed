"""Self sign-up and confirming an email address. Thin views over portal.accounts.service."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts import service
from portal.accounts.forms import EmailOnlyForm, SignupForm
from portal.accounts.service.limits import TooManyAttempts
from portal.errors import ValidationFailed
from portal.i18n import _
from portal.languages import current_language
from portal.web_helpers import apply_errors, rate_limited_page


def signup():
    if not current_app.config["SIGNUP_ENABLED"]:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if form.validate_on_submit():
        data = service.NewUser(
            email=form.email.data,
            display_name=f"{form.first_name.data} {form.last_name.data or ''}",
            password=form.password.data,
            time_zone=form.time_zone.data,
            language=current_language(),  # the language the visitor signed up in
        )
        try:
            service.sign_up_customer(data, client_address=request.remote_addr or "")
        except TooManyAttempts as exc:
            return rate_limited_page("accounts/signup.html", form, exc)
        except ValidationFailed as exc:
            apply_errors(form, exc, {"display_name": "first_name"})
        else:
            return render_template("accounts/check_inbox.html", email=form.email.data.strip())
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        try:
            service.resend_verification(form.email.data, client_address=request.remote_addr or "")
        except TooManyAttempts as exc:
            return rate_limited_page("accounts/resend_verification.html", form, exc)
        return render_template("accounts/check_inbox.html", email=form.email.data.strip())
    return render_template("accounts/resend_verification.html", form=form), 400 if form.errors else 200


def verify_email_form(token):
    # Confirming takes a POST: mail scanners that prefetch links must not verify addresses.
    return render_template("accounts/verify_email.html", token=token, form=EmailOnlyForm())


def verify_email(token):
    form = EmailOnlyForm()
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    try:
        service.verify_email(token)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.resend_verification"))
    flash(_("Your email address is confirmed. You can sign in now."), "success")
    return redirect(url_for("accounts.login"))


def register(bp: Blueprint) -> None:
    """Add this module's pages to the accounts blueprint."""
    bp.add_url_rule("/signup", view_func=signup, methods=["GET", "POST"])
    bp.add_url_rule("/verify-email/resend", view_func=resend_verification, methods=["GET", "POST"])
    bp.add_url_rule("/verify-email/<token>", view_func=verify_email_form, methods=["GET"])
    bp.add_url_rule("/verify-email/<token>", view_func=verify_email, methods=["POST"])
