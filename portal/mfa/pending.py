"""The browser's side of the second step of signing in.

After the password (or, with MFA_AFTER_SSO, an identity provider) a user with a second factor is not
signed in yet: the session holds a "pending second factor" state (user uuid, when, where to go next)
for PENDING_MINUTES. Flask signs its session cookie, so the browser can read the state but not forge
or extend it. Only after a factor succeeded, complete() starts the server-side session through
portal.accounts.routes.browser.sign_in, which clears the session first (no fixation).

For another factor (passkeys): call pending_user() to learn whose factor to check, check it, then
return complete(user, "passkey", remember=...) from the view. A passwordless sign-in that proved the
user without a password may call complete() directly with next_url.
"""

from __future__ import annotations

import time

from flask import current_app, redirect, request, session, url_for
from itsdangerous import URLSafeTimedSerializer

from portal import policy
from portal.accounts.routes import browser
from portal.mfa import devices
from portal.mfa.factors import has_second_factor
from portal.models.people import User
from portal.settings import setting
from portal.web_helpers import safe_next_url

PENDING_KEY = "mfa_pending"
PENDING_MINUTES = 5
DEVICE_COOKIE = "caseport_mfa_device"
_DEVICES_KEPT = 5  # accounts one browser is remembered for


def begin(user: User, next_url: str | None, *, enrol: bool = False, keep: dict | None = None):
    """Hold the sign-in of user until a second factor succeeds (or, with enrol, until they enrolled
    one); returns the redirect to the verify (or enrolment) page. `keep` is put back into the session
    once signed in (e.g. the identity provider's sign-in state for its sign-out)."""
    session.clear()  # nothing from before the password goes on into the pending state
    session[PENDING_KEY] = {"user": user.uuid, "at": int(time.time()), "next": next_url or "",
                            "enrol": bool(enrol), "keep": keep or {}}
    return redirect(url_for("mfa.enrol_required" if enrol else "mfa.verify"))


def _state() -> dict | None:
    state = session.get(PENDING_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("at"), int):
        return None
    if time.time() - state["at"] > PENDING_MINUTES * 60:
        session.pop(PENDING_KEY, None)
        return None
    return state


def pending_user(*, enrol: bool = False) -> User | None:
    """The active user whose sign-in waits for a second factor in this browser (for enrol=True: waits
    for a mandatory enrolment), or None (nothing pending, or more than PENDING_MINUTES ago)."""
    state = _state()
    if state is None or bool(state.get("enrol")) != enrol:
        return None
    user = User.get_or_none((User.uuid == str(state.get("user"))) & (User.active == True))  # noqa: E712
    return user


def complete(user: User, method: str, remember: bool = False, *, next_url: str | None = None,
             keep: dict | None = None):
    """Sign user in now that `method` ("totp", "recovery", "remembered", "passkey" ...) proved the
    second factor (the caller checked it); returns the redirect to where the sign-in was going. With
    remember, this browser skips the second factor for MFA_REMEMBER_DAYS. Without a pending sign-in of
    user in this browser, next_url and keep say where to go and what to put back into the session."""
    state = _state() or {}
    if state.get("user") == user.uuid:
        next_url = state.get("next") or next_url
        keep = state.get("keep") or keep
    keep = keep or {}
    browser.sign_in(user)  # clears the session, the pending state with it
    session.update(keep)
    response = redirect(safe_next_url(next_url) or url_for("home.index"))
    if remember:
        remember_device(response, user)
    browser.remember_browser(response, user.email)
    return response


def after_first_factor(user: User, next_url: str | None, *, keep: dict | None = None):
    """The password (or a provider) proved who the user is: sign them in, or hold the sign-in for the
    second factor, or for a mandatory enrolment (policy.requires_second_factor). Returns the response."""
    if has_second_factor(user):
        if devices.recognise(user, _device_token(user)):
            return complete(user, "remembered", next_url=next_url, keep=keep)
        return begin(user, next_url, keep=keep)
    if policy.requires_second_factor(user):
        return begin(user, next_url, enrol=True, keep=keep)
    return complete(user, "none", next_url=next_url, keep=keep)


def cancel() -> None:
    session.pop(PENDING_KEY, None)


# --- the remembered-browser cookie ------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="caseport.mfa-device")


def _entries() -> list[list[str]]:
    return browser.signed_pairs(DEVICE_COOKIE, _serializer(), setting("MFA_REMEMBER_DAYS") * 86400)


def _device_token(user: User) -> str | None:
    return next((token for uuid, token in _entries() if uuid == user.uuid), None)


def remember_device(response, user: User) -> None:
    """Remember this browser for user: a new device row, and its token in the signed cookie."""
    token = devices.remember(user, request.user_agent.string)
    entries = [[user.uuid, token]] + [entry for entry in _entries() if entry[0] != user.uuid][: _DEVICES_KEPT - 1]
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps(entries), max_age=setting("MFA_REMEMBER_DAYS") * 86400,
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
