"""Signing in with an identity provider: thin views over portal.sso.service.

Starting is a POST with the CSRF token, so no other site can start a sign-in in someone's browser; the
state it returns lives in this browser's session, so an answer from the provider is accepted only in
the browser that asked for it (no login CSRF).
"""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.accounts.forms import LoginForm
from portal.accounts.routes import browser
from portal.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from portal.mfa import pending
from portal.settings import setting
from portal.sso import service
from portal.sso.providers import ProviderConfigError
from portal.web_helpers import safe_next_url

bp = Blueprint("sso", __name__)

STATE_KEY = "sso_state"  # the sign-in under way in this browser
LOGIN_KEY = "sso_login"  # the sign-in that opened this browser's session (for RP-initiated logout)
SIGN_OUT_KEY = "sso_sign_out"  # after sign-out: the provider's name and logout URL, offered once


@bp.app_context_processor
def sign_in_buttons():
    # A function: called only by a page that shows the buttons (the sign-in page, the reset page).
    return {"sso_providers": sso_providers}


def sso_providers() -> list[tuple[str, str]]:
    """(key, name) of each provider, for the buttons of the page being rendered; the page's
    Content-Security-Policy then lets its forms lead to those providers (form-action)."""
    try:
        found = service.providers()
    except ProviderConfigError:
        return []
    g.form_action_origins = service.authorization_origins(found)
    return [(p.key, p.name) for p in found]


def _refused(message, status: int):
    return render_template("accounts/login.html", form=LoginForm(), sso_error=message), status


@bp.post("/sso/<key>/start")
def start(key):
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    try:
        state, url = service.begin_sign_in(key, next_url=safe_next_url(request.form.get("next")) or "")
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        return _refused(exc.message, 503)
    session[STATE_KEY] = state
    prov = service.provider(key)
    if service.origin(url) != service.origin(prov.issuer):
        # The sign-in page's form-action admits the issuer's origin only: a provider that signs in
        # elsewhere is reached by a link (a link is no form submission).
        return render_template("accounts/sso_continue.html", provider_name=prov.name, authorize_url=url)
    return redirect(url)


@bp.get("/sso/<key>/callback")
def callback(key):
    state = request.args.get("state", "")
    try:
        user, login = service.finish_sign_in(key, state=state, browser_state=session.pop(STATE_KEY, None),
                                             code=request.args.get("code"), error=request.args.get("error"))
    except NotFound:
        abort(404)
    except NotAllowed as exc:
        return _refused(exc.message, 403)
    except (ValidationFailed, Conflict) as exc:
        return _refused(exc.message, 400)
    if setting("MFA_AFTER_SSO"):
        # The local second factor as well (portal/mfa); off by default: the provider enforces its own.
        return pending.after_first_factor(user, safe_next_url(login.next_url), keep={LOGIN_KEY: state})
    browser.sign_in(user)
    session[LOGIN_KEY] = state
    response = redirect(safe_next_url(login.next_url) or url_for("home.index"))
    browser.remember_browser(response, user.email)
    return response


def sign_out_offer(user) -> dict | None:
    """Before this browser's session ends: where the provider that signed it in offers to sign out too."""
    offer = service.sign_out_url(session.get(LOGIN_KEY), user)
    return {"name": offer[0], "url": offer[1]} if offer else None


def keep_sign_out_offer(offer: dict | None) -> bool:
    """After the session ended: keep the offer for the next page; True if there is one."""
    if offer:
        session[SIGN_OUT_KEY] = offer
    return bool(offer)


@bp.get("/sso/signed-out")
def signed_out():
    offer = session.pop(SIGN_OUT_KEY, None)
    if not isinstance(offer, dict) or current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return render_template("accounts/sso_signed_out.html", provider_name=offer["name"], logout_url=offer["url"])
