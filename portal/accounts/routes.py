"""Sign in/out, sign-up, email verification, profile, password change and reset. Thin views."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts import browser, service
from portal.accounts.forms import (
    EmailOnlyForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SignupForm,
)
from portal.accounts.service import sessions
from portal.accounts.service.limits import TooManyAttempts
from portal.errors import NotAllowed, ValidationFailed
from portal.web_helpers import apply_errors, safe_next_url

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data, request.remote_addr or "",
                                        browser=browser.known_browser(form.email.data))
        except service.EmailNotVerified as exc:
            form.form_errors.append(exc.message)
            return render_template("accounts/login.html", form=form, unverified=True), 403
        except TooManyAttempts as exc:
            form.form_errors.append(exc.message)
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        except (ValidationFailed, NotAllowed) as exc:
            form.form_errors.append(exc.message)
            status = 401 if isinstance(exc, ValidationFailed) else 403
        else:
            browser.sign_in(user)
            response = redirect(safe_next_url(request.args.get("next")) or url_for("home.index"))
            browser.remember_browser(response, user.email)
            return response
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status, headers


def _too_many(template: str, form, exc: TooManyAttempts):
    form.form_errors.append(exc.message)
    return render_template(template, form=form), 429, {"Retry-After": str(exc.retry_after)}


@bp.post("/logout")
@login_required
def logout():
    browser.sign_out()
    flash("You are signed out.", "success")
    return redirect(url_for("accounts.login"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    # CSRFProtect has checked the token, as for every post.
    sessions.end_all_sessions(current_user)
    browser.sign_out()
    flash("You are signed out everywhere, in this browser too.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/signup", methods=["GET", "POST"])
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
        )
        try:
            service.sign_up_customer(data, client_address=request.remote_addr or "")
        except TooManyAttempts as exc:
            return _too_many("accounts/signup.html", form, exc)
        except ValidationFailed as exc:
            apply_errors(form, exc, {"display_name": "first_name"})
        else:
            return render_template("accounts/check_inbox.html", email=form.email.data.strip())
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/verify-email/resend", methods=["GET", "POST"])
def resend_verification():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        try:
            service.resend_verification(form.email.data, client_address=request.remote_addr or "")
        except TooManyAttempts as exc:
            return _too_many("accounts/resend_verification.html", form, exc)
        return render_template("accounts/check_inbox.html", email=form.email.data.strip())
    return render_template("accounts/resend_verification.html", form=form), 400 if form.errors else 200


@bp.get("/verify-email/<token>")
def verify_email_form(token):
    # Confirming takes a POST: mail scanners that prefetch links must not verify addresses.
    return render_template("accounts/verify_email.html", token=token, form=EmailOnlyForm())


@bp.post("/verify-email/<token>")
def verify_email(token):
    form = EmailOnlyForm()
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    try:
        service.verify_email(token)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.resend_verification"))
    flash("Your email address is confirmed. You can sign in now.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.phone.data = current_user.phone or ""
    if form.validate_on_submit():
        try:
            service.update_profile(current_user, display_name=form.display_name.data,
                                   time_zone=form.time_zone.data, phone=form.phone.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Your details are saved.", "success")
            return redirect(url_for("accounts.profile"))
    token = browser.current_token()
    signed_in = [(row, sessions.is_session(row, token)) for row in sessions.active_sessions(current_user)]
    signed_in.sort(key=lambda pair: not pair[1])  # this browser first, then the most recently used
    return render_template("accounts/profile.html", form=form, signed_in=signed_in), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
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
            flash("Your password is changed. You were signed out everywhere else.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


@bp.route("/reset-password", methods=["GET", "POST"])
def request_reset():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        try:
            service.request_password_reset(form.email.data, client_address=request.remote_addr or "")
        except TooManyAttempts as exc:
            return _too_many("accounts/reset_request.html", form, exc)
        return render_template("accounts/reset_sent.html", email=form.email.data.strip())
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
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
            browser.sign_out()
            flash("Your password is changed. Sign in with the new one.", "success")
            response = redirect(url_for("accounts.login"))
            # The link proved this browser's owner reads the account's inbox: it is theirs.
            browser.remember_browser(response, user.email)
            return response
    return render_template("accounts/reset_password.html", form=form, token=token), 400 if form.errors else 200
