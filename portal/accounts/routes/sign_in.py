"""Signing in and out, and out everywhere. Thin views over portal.accounts.service."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts import service
from portal.accounts.forms import LoginForm
from portal.accounts.routes import browser
from portal.accounts.service import sessions
from portal.accounts.service.limits import TooManyAttempts
from portal.errors import NotAllowed, ValidationFailed
from portal.i18n import _
from portal.mfa import pending
from portal.web_helpers import safe_next_url


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
            # Signed in now, or held for the second factor (or a mandatory enrolment): portal/mfa.
            return pending.after_first_factor(user, safe_next_url(request.args.get("next")))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status, headers


@login_required
def logout():
    from portal.sso import routes as sso  # the provider that signed this browser in may sign it out too

    offer = sso.sign_out_offer(current_user)
    browser.sign_out()
    flash(_("You are signed out."), "success")
    if sso.keep_sign_out_offer(offer):
        return redirect(url_for("sso.signed_out"))
    return redirect(url_for("accounts.login"))


@login_required
def sign_out_everywhere():
    # CSRFProtect has checked the token, as for every post.
    sessions.end_all_sessions(current_user)
    browser.sign_out()
    flash(_("You are signed out everywhere, in this browser too."), "success")
    return redirect(url_for("accounts.login"))


def register(bp: Blueprint) -> None:
    """Add this module's pages to the accounts blueprint."""
    bp.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", view_func=logout, methods=["POST"])
    bp.add_url_rule("/account/sign-out-everywhere", view_func=sign_out_everywhere, methods=["POST"])
