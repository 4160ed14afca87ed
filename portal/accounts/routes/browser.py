"""The browser's side of signing in: the session token in Flask's cookie, and the known-browser cookie.

Flask's session cookie is signed, not stored: on its own it cannot be taken back. So it carries the
token of a server-side session (portal/accounts/service/sessions.py) that the user loader checks on every
request. Flask-Login's remember-me cookie is never issued, and it could not sign anyone in anyway:
without a live session token the loader answers "nobody".

The known-browser cookie ("device cookie" in OWASP's Authentication Cheat Sheet) marks a browser that
has signed in to an account before. Failed sign-ins on an account from elsewhere slow down only the
browsers without it, so an attacker cannot keep the owner out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, flash, g, request, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.accounts.service import sessions
from portal.contact import ContactError, normalize_email
from portal.models.people import User

SESSION_KEY = "caseport_session"
KNOWN_BROWSER_COOKIE = "caseport_known"
_KNOWN_ACCOUNTS_KEPT = 5  # accounts one browser is remembered for (shared desks, staff with two accounts)


def sign_in(user: User) -> None:
    """Start a server-side session for user in this browser. Nothing from before signing in (an old
    CSRF token, another user's keys) is carried into it."""
    token = sessions.start_session(user, user_agent=request.user_agent.string,
                                   client_address=request.remote_addr or "")
    session.clear()
    login_user(user)
    session[SESSION_KEY] = token


def sign_out() -> None:
    """End this browser's session on the server and forget everything the cookie held."""
    sessions.end_session(session.get(SESSION_KEY))
    session.clear()
    logout_user()


def current_token() -> str | None:
    return session.get(SESSION_KEY)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of this browser's live session, if it is user_id's."""
    resumed = sessions.resume_session(session.get(SESSION_KEY))
    if resumed.user is not None and resumed.user.uuid == user_id:
        return resumed.user
    # Whatever the reason, this cookie signs nobody in any more: drop what it says.
    session.pop(SESSION_KEY, None)
    session.pop("_user_id", None)
    if resumed.ended and not g.get("session_ended"):
        g.session_ended = True
        flash(resumed.ended, "info")
    return None


# --- known browsers -------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="caseport.known-browser")


def _account_tag(email: str) -> str | None:
    """A keyed hash of the address: the cookie does not show which accounts were used in the browser."""
    try:
        normalized = normalize_email(email or "")
    except ContactError:
        return None
    return hmac.new(current_app.secret_key.encode(), normalized.encode(), hashlib.sha256).hexdigest()[:32]


def signed_pairs(cookie: str, serializer: URLSafeTimedSerializer, max_age: int) -> list[list[str]]:
    """The [key, value] pairs a cookie holds as a signed list written by serializer, no older than max_age
    seconds; nothing when it is missing, forged, expired or of another shape."""
    raw = request.cookies.get(cookie)
    if not raw:
        return []
    try:
        entries = serializer.loads(raw, max_age=max_age)
    except BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries
            if isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)]


def _known_entries() -> list[list[str]]:
    return signed_pairs(KNOWN_BROWSER_COOKIE, _serializer(), current_app.config["LOGIN_KNOWN_BROWSER_DAYS"] * 86400)


def known_browser(email: str) -> str | None:
    """This browser's id for the account of email, if it has signed in to that account before."""
    tag = _account_tag(email)
    return next((browser for account, browser in _known_entries() if account == tag), None)


def remember_browser(response, email: str) -> None:
    """Mark this browser as known to the account of email (after a sign-in or a password reset)."""
    tag = _account_tag(email)
    if tag is None:
        return
    entries = [[tag, secrets.token_urlsafe(16)]]
    entries += [entry for entry in _known_entries() if entry[0] != tag][: _KNOWN_ACCOUNTS_KEPT - 1]
    config = current_app.config
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        _serializer().dumps(entries),
        max_age=config["LOGIN_KNOWN_BROWSER_DAYS"] * 86400,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def password_set_by_link(user: User, message: str):
    """After a password set through an emailed link (reset, invitation): end any session in this
    browser, say so, send to sign-in, and remember the browser, since the link proved its owner reads
    the account's inbox."""
    from flask import redirect, url_for

    sign_out()
    flash(message, "success")
    response = redirect(url_for("accounts.login"))
    remember_browser(response, user.email)
    return response
