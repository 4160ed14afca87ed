"""The second factor's pages. Thin views over portal.mfa.service and portal.mfa.pending.

    /sign-in/second-factor          the verify page of a pending sign-in: one panel per method the
                                    user has (factors_for), each posting to its own endpoint
    /sign-in/set-up-second-factor   the mandatory enrolment of a user who must have a factor
    /account/second-factor          one's own authenticator app: set it up, recovery codes, turn it off,
                                    remembered browsers
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from portal import policy
from portal.accounts.service.limits import TooManyAttempts
from portal.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from portal.i18n import _
from portal.mfa import devices, pending, service, totp
from portal.mfa.factors import factors_for, has_second_factor
from portal.mfa.forms import ConfirmForm, DisableForm, EnrolForm, RecoveryForm, VerifyForm
from portal.settings import setting
from portal.sso.routes import LOGIN_KEY as SSO_LOGIN_KEY
from portal.web_helpers import apply_errors, status_for

bp = Blueprint("mfa", __name__)
# What a signed-in user who must have a second factor and has none may still reach: setting one up,
# signing out, and the stylesheets.
_BEFORE_ENROLMENT = {"mfa.manage", "accounts.logout", "accounts.sign_out_everywhere", "static"}
ENROL_SECRET_KEY = "mfa_enrol_secret"  # noqa: S105 - a session key, no secret


@bp.before_app_request
def _enrol_before_anything_else():
    """A signed-in user who must have a second factor but has none (promoted to admin, their factor
    reset, MFA_REQUIRED_FOR raised while signed in) gets nothing but the page to set one up. Sign-ins
    through an identity provider are exempt unless MFA_AFTER_SSO (the provider enforces its own)."""
    # What needs no user first: static files, unknown paths and the API (bearer tokens) never load the
    # session's user here (nor touch the database, which may be down: see portal/outage.py).
    if request.endpoint is None or request.endpoint in _BEFORE_ENROLMENT or request.blueprint == "api":
        return None
    if not current_user.is_authenticated or not policy.requires_second_factor(current_user):
        return None
    if session.get(SSO_LOGIN_KEY) and not setting("MFA_AFTER_SSO"):
        return None
    if has_second_factor(current_user):
        return None
    if request.method == "GET":
        flash(_("Your role needs a second factor to sign in: set one up to continue."), "warning")
    return redirect(url_for("mfa.manage"))


def _expired():
    flash(_("Your sign-in took too long. Please sign in again."), "info")
    return redirect(url_for("accounts.login"))


def _verify_page(user, verify_form=None, recovery_form=None, status: int = 200, headers=None):
    verify_form = verify_form or VerifyForm()
    recovery_form = recovery_form or RecoveryForm()
    return render_template("mfa/verify.html", user=user, methods=factors_for(user), verify_form=verify_form,
                           recovery_form=recovery_form, cancel_form=ConfirmForm(),
                           remember_days=setting("MFA_REMEMBER_DAYS")), \
        status if status != 200 else status_for(verify_form, recovery_form), headers or {}


def _check(user, form, code: str, remember: bool):
    """Check code (from form) for user; the response: signed in, or the page with the refusal."""
    try:
        method = service.check_second_factor(user, code, client_address=request.remote_addr or "")
    except TooManyAttempts as exc:
        form.form_errors.append(exc.message)
        return None, 429, {"Retry-After": str(exc.retry_after)}
    except ValidationFailed as exc:
        apply_errors(form, exc, {"code": "recovery_code"} if isinstance(form, RecoveryForm) else None)
        return None, 401, {}
    if method == "recovery":
        left = len([name for name in factors_for(user) if name == "recovery"])
        flash(_("You signed in with a recovery code; it is used up now.") if left else
              _("You signed in with your last recovery code. Make new ones on your account page."), "warning")
    return pending.complete(user, method, remember=remember), 302, {}


@bp.route("/sign-in/second-factor", methods=["GET"])
def verify():
    user = pending.pending_user()
    if user is None:
        if pending.pending_user(enrol=True) is not None:
            return redirect(url_for("mfa.enrol_required"))
        return _expired()
    return _verify_page(user)


@bp.post("/sign-in/second-factor/code")
def verify_code():
    user = pending.pending_user()
    if user is None:
        return _expired()
    form = VerifyForm()
    if not form.validate_on_submit():
        return _verify_page(user, verify_form=form)
    response, status, headers = _check(user, form, form.code.data, bool(form.remember.data))
    return response if response is not None else _verify_page(user, verify_form=form, status=status, headers=headers)


@bp.post("/sign-in/second-factor/recovery")
def verify_recovery():
    user = pending.pending_user()
    if user is None:
        return _expired()
    form = RecoveryForm()
    if not form.validate_on_submit():
        return _verify_page(user, recovery_form=form)
    response, status, headers = _check(user, form, form.recovery_code.data, False)
    return response if response is not None else _verify_page(user, recovery_form=form, status=status,
                                                               headers=headers)


@bp.post("/sign-in/second-factor/cancel")
def cancel():
    if ConfirmForm().validate_on_submit():
        pending.cancel()
    return redirect(url_for("accounts.login"))


# --- enrolling an authenticator app -------------------------------------------------------------------


def _enrol_secret() -> str:
    secret = session.get(ENROL_SECRET_KEY)
    if not isinstance(secret, str) or not secret:
        secret = session[ENROL_SECRET_KEY] = totp.new_secret()
    return secret


def _qr_data_uri(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#111", light="#fff")


def _enrol_context(user) -> dict:
    secret = _enrol_secret()
    uri = totp.provisioning_uri(secret, user.email, setting("PORTAL_NAME"))
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return {"qr": _qr_data_uri(uri), "secret": grouped}


def _confirm(user, form):
    """Confirm enrolment with the form's code: the recovery codes, or None with the form's errors."""
    try:
        codes = service.confirm_totp(user, session.get(ENROL_SECRET_KEY) or "", form.code.data,
                                     client_address=request.remote_addr or "")
    except TooManyAttempts as exc:
        form.form_errors.append(exc.message)
        return None
    except (ValidationFailed, Conflict) as exc:
        apply_errors(form, exc)
        return None
    session.pop(ENROL_SECRET_KEY, None)
    return codes


@bp.route("/sign-in/set-up-second-factor", methods=["GET", "POST"])
def enrol_required():
    user = pending.pending_user(enrol=True)
    if user is None:
        return _expired()
    form = EnrolForm()
    if form.validate_on_submit():
        codes = _confirm(user, form)
        if codes is not None:
            signed_in = pending.complete(user, "totp")
            # The codes on this answer only: the page that follows (signed_in's location) never shows them.
            page = render_template("mfa/recovery_codes.html", codes=codes, continue_url=signed_in.location)
            signed_in.set_data(page)
            signed_in.status_code = 200
            signed_in.headers.pop("Location", None)
            signed_in.mimetype = "text/html"
            return signed_in
    return render_template("mfa/enrol.html", form=form, required=True, user=user, cancel_form=ConfirmForm(),
                           **_enrol_context(user)), status_for(form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def manage():
    enrolled = "totp" in factors_for(current_user)
    form = EnrolForm()
    if not enrolled and form.validate_on_submit():
        codes = _confirm(current_user, form)
        if codes is not None:
            return render_template("mfa/recovery_codes.html", codes=codes, continue_url=url_for("mfa.manage"))
    context = {} if enrolled else _enrol_context(current_user)
    factors = factors_for(current_user)
    return render_template("mfa/manage.html", form=form, enrolled=enrolled, factors=factors,
                           may_turn_off=service.may_turn_off_totp(current_user, factors),
                           disable_form=DisableForm(), confirm_form=ConfirmForm(),
                           devices=list(devices.devices_of(current_user)), **context), status_for(form)


@bp.post("/account/second-factor/recovery-codes")
@login_required
def new_recovery_codes():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("mfa.manage"))
    try:
        codes = service.regenerate_recovery_codes(current_user)
    except InvalidTransition as exc:
        flash(exc.message, "error")
        return redirect(url_for("mfa.manage"))
    return render_template("mfa/recovery_codes.html", codes=codes, continue_url=url_for("mfa.manage"))


@bp.post("/account/second-factor/disable")
@login_required
def disable():
    form = DisableForm()
    if form.validate_on_submit():
        try:
            service.disable_totp(current_user, code=form.code.data or "", password=form.password.data or "",
                                 client_address=request.remote_addr or "")
        except DomainError as exc:  # wrong code or password, too many tries, required, nothing to turn off
            flash(exc.message, "error")
        else:
            flash(_("The authenticator app is turned off, and every remembered browser forgotten."), "success")
    return redirect(url_for("mfa.manage"))


@bp.post("/account/remembered-browsers/<uuid:device_uuid>/forget")
@login_required
def forget_device(device_uuid):
    if ConfirmForm().validate_on_submit() and devices.forget(current_user, str(device_uuid)):
        flash(_("That browser will be asked for a code again."), "success")
    return redirect(url_for("mfa.manage"))


@bp.post("/account/remembered-browsers/forget-all")
@login_required
def forget_all_devices():
    if ConfirmForm().validate_on_submit():
        devices.forget_all(current_user)
        flash(_("Every browser will be asked for a code again."), "success")
    return redirect(url_for("mfa.manage"))

