"""Passkey pages and the JSON the browser's script (static/js/passkeys.js) asks for. Thin views over
portal.passkeys.service.

The script posts with the page's CSRF token (header X-CSRFToken) for the options, asks the authenticator,
then submits an ordinary form with the answer: every outcome is a redirect with a message (POST/redirect/
GET), and without the script the password form and the rest of the account page work as before.
"""

from __future__ import annotations

import base64
import contextlib
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from portal.accounts.forms import LoginForm
from portal.accounts.routes import browser
from portal.accounts.service import sessions
from portal.accounts.service.limits import TooManyAttempts
from portal.clock import utcnow
from portal.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from portal.i18n import _
from portal.mfa import pending
from portal.mfa.factors import factors_for
from portal.passkeys import rules, service
from portal.passkeys.forms import (
    ConfirmPasswordForm,
    PasskeyAddForm,
    PasskeyNameForm,
    PasskeyRemoveForm,
    PasskeyRenameForm,
    PasskeySecondFactorForm,
    PasskeySignInForm,
)
from portal.web_helpers import safe_next_url

bp = Blueprint("passkeys", __name__)

CHALLENGES_KEY = "passkey_challenges"  # purpose -> the challenge (base64url) of the ceremony under way
PROVED_KEY = "passkeys_proved_at"  # when this browser's user last confirmed their password (ISO 8601)
PANEL = "accounts.profile"


# --- the relying party, the challenge and the recent proof: this browser's side ---------------------


def relying_party() -> service.RelyingParty:
    """WEBAUTHN_RP_ID and WEBAUTHN_ORIGIN, or else this request's host (http://localhost:5000 -> localhost)."""
    config = current_app.config
    origin = config.get("WEBAUTHN_ORIGIN") or request.host_url.rstrip("/")
    rp_id = config.get("WEBAUTHN_RP_ID") or urlsplit(request.host_url).hostname or ""
    return service.RelyingParty(id=rp_id, origin=origin, name=str(config.get("PORTAL_NAME") or "Caseport"))


def _keep_challenge(purpose: str, challenge: bytes) -> None:
    kept = dict(session.get(CHALLENGES_KEY) or {})
    kept[purpose] = base64.urlsafe_b64encode(challenge).decode("ascii")
    session[CHALLENGES_KEY] = kept


def take_challenge(purpose: str) -> bytes | None:
    """The challenge this browser was given for purpose, forgotten here as the service uses it up."""
    kept = dict(session.get(CHALLENGES_KEY) or {})
    value = kept.pop(purpose, None)
    session[CHALLENGES_KEY] = kept
    try:
        return base64.urlsafe_b64decode(value) if isinstance(value, str) else None
    except ValueError:
        return None


def options_response(purpose: str, options_json: str, challenge: bytes):
    _keep_challenge(purpose, challenge)
    return current_app.response_class(options_json, mimetype="application/json",
                                      headers={"Cache-Control": "no-store"})


def _proved_at() -> datetime | None:
    """The latest proof of identity in this browser: signing in, or confirming the password since."""
    moments = [sessions.started_at(browser.current_token())]
    with contextlib.suppress(ValueError, TypeError):
        moments.append(datetime.fromisoformat(session.get(PROVED_KEY) or ""))
    return max((moment for moment in moments if moment is not None), default=None)


def proved_recently() -> bool:
    return rules.proved_recently(_proved_at(), utcnow())


@bp.app_context_processor
def passkey_helpers():
    # Functions, called only by the pages that show passkeys (the account page).
    return {"account_passkeys": lambda: list(service.passkeys_of(current_user)),
            "passkeys_proved_recently": proved_recently,
            "passkey_add_form": lambda: PasskeyAddForm(formdata=None),
            "second_factors": lambda: factors_for(current_user)}


def _json_error(message, status: int, **extra):
    return jsonify({"error": str(message), **extra}), status


def _back_to_panel():
    return redirect(url_for(PANEL, _anchor="passkeys"))


# --- registering, renaming, removing ------------------------------------------------------------------


@login_required
def registration_options():
    form = PasskeyNameForm()
    if not form.validate_on_submit():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        return _json_error(messages[0] if messages else _("Give the passkey a name."), 400)
    try:
        service.check_name(form.name.data)
    except ValidationFailed as exc:
        return _json_error(exc.message, 400)
    if not proved_recently():
        return _json_error(_("Confirm your password first: adding a passkey needs a recent sign-in."), 403,
                           confirm=url_for("passkeys.confirm"))
    try:
        options, challenge = service.begin_registration(current_user, relying_party())
    except NotAllowed as exc:
        return _json_error(exc.message, 403)
    return options_response("register", options, challenge)


@login_required
def add():
    form = PasskeyAddForm()
    if not form.validate_on_submit():
        flash(_("The passkey was not added. Please try again."), "error")
        return _back_to_panel()
    if not proved_recently():
        flash(_("Confirm your password first: adding a passkey needs a recent sign-in."), "error")
        return redirect(url_for("passkeys.confirm"))
    try:
        passkey = service.finish_registration(current_user, relying_party(), credential=form.credential.data,
                                              name=form.name.data, challenge=take_challenge("register"))
    except (ValidationFailed, Conflict, NotAllowed) as exc:
        flash(exc.message, "error")
        return _back_to_panel()
    flash(_("The passkey “%(name)s” is added. You can sign in with it.", name=passkey.name), "success")
    return _back_to_panel()


@login_required
def rename(passkey_uuid):
    form = PasskeyRenameForm()
    if not form.validate_on_submit():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        flash(messages[0] if messages else _("The passkey was not renamed."), "error")
        return _back_to_panel()
    try:
        renamed = service.rename_passkey(current_user, passkey_uuid, form.name.data)
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return _back_to_panel()
    flash(_("The passkey is now called “%(name)s”.", name=renamed.name), "success")
    return _back_to_panel()


@login_required
def remove(passkey_uuid):
    if not PasskeyRemoveForm().validate_on_submit():
        flash(_("The passkey was not removed. Please try again."), "error")
        return _back_to_panel()
    try:
        service.remove_passkey(current_user, passkey_uuid)
    except NotFound:
        abort(404)
    except NotAllowed as exc:
        flash(exc.message, "error")
        return _back_to_panel()
    flash(_("The passkey is removed. It no longer signs you in."), "success")
    return _back_to_panel()


@login_required
def confirm():
    form = ConfirmPasswordForm()
    status, headers = 200, {}
    if current_user.has_password and form.validate_on_submit():
        try:
            service.confirm_password(current_user, form.password.data, request.remote_addr or "",
                                     browser=browser.known_browser(current_user.email))
        except TooManyAttempts as exc:
            form.form_errors.append(exc.message)
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        except ValidationFailed as exc:
            form.password.errors = [*form.password.errors, exc.message]
            status = 400
        else:
            session[PROVED_KEY] = utcnow().isoformat()
            flash(_("Thank you. You can add a passkey now."), "success")
            return _back_to_panel()
    elif form.is_submitted():
        status = 400
    return render_template("passkeys/confirm.html", form=form), status, headers


# --- signing in with a passkey ------------------------------------------------------------------------


def sign_in_options():
    if current_user.is_authenticated:
        return _json_error(_("You are signed in already."), 409)
    options, challenge = service.begin_sign_in(relying_party())
    return options_response("sign_in", options, challenge)


def _refused(message, status: int, headers=None):
    form = LoginForm()
    form.form_errors.append(message)
    return render_template("accounts/login.html", form=form), status, headers or {}


def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = PasskeySignInForm()
    if not form.validate_on_submit():
        return _refused(_("Signing in with a passkey did not work. Please try again."), 400)
    try:
        user = service.sign_in_with_passkey(relying_party(), credential=form.credential.data,
                                            challenge=take_challenge("sign_in"),
                                            client_address=request.remote_addr or "")
    except TooManyAttempts as exc:
        return _refused(exc.message, 429, {"Retry-After": str(exc.retry_after)})
    except NotAllowed as exc:
        return _refused(exc.message, 403)
    except ValidationFailed as exc:
        return _refused(exc.message, 401)
    # A discoverable passkey with user verification is both factors: no second step follows.
    return pending.complete(user, "passkey", next_url=safe_next_url(request.args.get("next")))


# --- a passkey as the second step after the password (portal/mfa's verify page) ------------------------


def _sign_in_expired():
    flash(_("Your sign-in took too long. Please sign in again."), "info")
    return redirect(url_for("accounts.login"))


def second_factor_options():
    user = pending.pending_user()
    if user is None:
        return _json_error(_("Your sign-in took too long. Please sign in again."), 401,
                           confirm=url_for("accounts.login"))
    options, challenge = service.begin_second_factor(user, relying_party())
    return options_response("second_factor", options, challenge)


def second_factor():
    user = pending.pending_user()
    if user is None:
        return _sign_in_expired()
    form = PasskeySecondFactorForm()
    if not form.validate_on_submit():
        flash(_("Signing in with a passkey did not work. Please try again."), "error")
        return redirect(url_for("mfa.verify"))
    try:
        service.second_factor_with_passkey(relying_party(), user, credential=form.credential.data,
                                           challenge=take_challenge("second_factor"),
                                           client_address=request.remote_addr or "")
    except (TooManyAttempts, ValidationFailed, NotAllowed) as exc:
        flash(exc.message, "error")
        return redirect(url_for("mfa.verify"))
    return pending.complete(user, "passkey", remember=bool(form.remember.data))


bp.add_url_rule("/account/passkeys/options", view_func=registration_options, methods=["POST"])
bp.add_url_rule("/account/passkeys", view_func=add, methods=["POST"])
bp.add_url_rule("/account/passkeys/<passkey_uuid>/rename", view_func=rename, methods=["POST"])
bp.add_url_rule("/account/passkeys/<passkey_uuid>/remove", view_func=remove, methods=["POST"])
bp.add_url_rule("/account/passkeys/confirm", view_func=confirm, methods=["GET", "POST"])
bp.add_url_rule("/login/passkey/options", view_func=sign_in_options, methods=["POST"])
bp.add_url_rule("/login/passkey", view_func=sign_in, methods=["POST"])
bp.add_url_rule("/sign-in/second-factor/passkey/options", view_func=second_factor_options, methods=["POST"])
bp.add_url_rule("/sign-in/second-factor/passkey", view_func=second_factor, methods=["POST"])
