"""Signing in: checking an email address and password, throttled after OWASP's Authentication Cheat
Sheet (portal/accounts/service/limits.py).
"""

from __future__ import annotations

from datetime import datetime

from portal.accounts.service import limits
from portal.clock import utcnow
from portal.contact import ContactError, normalize_email
from portal.db import database
from portal.errors import NotAllowed, ValidationFailed
from portal.i18n import _l
from portal.models.people import User
from portal.models.sso import SsoIdentity
from portal.passwords import hash_password, needs_rehash, verify_password

SIGN_IN_FAILED = _l("The email address or password is incorrect.")
# Said only in a browser that has signed in to the account before: strangers learn nothing from it.
SIGNS_IN_WITH_PROVIDER = _l("This account has no password: it signs in with single sign-on. Use your "
                            "organisation's button below.")


class AuthenticationFailed(ValidationFailed):
    default_message = SIGN_IN_FAILED


class EmailNotVerified(ValidationFailed):
    default_message = _l("Confirm your email address first: follow the link we sent you.")


def _email_key(email: str) -> str:
    try:
        return normalize_email(email)
    except ContactError:
        return (email or "").strip().lower()[:254]


def signs_in_with_provider_only(user: User) -> bool:
    """No password, and an identity provider (portal/sso) to sign in with."""
    return not user.has_password and SsoIdentity.select().where(SsoIdentity.user == user).exists()


def authenticate(email: str, password: str, client_address: str, *, browser: str | None = None,
                 now: datetime | None = None) -> User:
    """Check credentials, throttled per client address, per account from one client and per account
    (see portal/accounts/service/limits.py). `browser` is the id of a browser known to this account,
    vouched for by the caller (portal/accounts/routes/browser.py); a known browser is never slowed down by
    failures elsewhere. Unknown addresses are throttled exactly like registered ones.

    Raises limits.TooManyAttempts, AuthenticationFailed (same message whether or not the email is
    registered), EmailNotVerified, NotAllowed (deactivated). Anyone may call it.
    """
    now = now or utcnow()
    normalized = _email_key(email)
    tickets = limits.take_sign_in_slots(normalized, client_address, browser, now)
    try:
        user = User.get_or_none(User.email == normalized)
        correct = verify_password(user.password_hash if user else None, password or "")
    except BaseException:
        limits.release(tickets)
        raise
    if not correct:
        limits.record_sign_in_failure(normalized, now)
        if browser and user is not None and signs_in_with_provider_only(user):
            raise AuthenticationFailed(SIGNS_IN_WITH_PROVIDER)
        raise AuthenticationFailed(SIGN_IN_FAILED)
    limits.release(tickets)  # the right password is no failure, whatever comes next
    if not user.active:
        raise NotAllowed(_l("This account has been deactivated. Contact your administrator."))
    if user.role == "customer" and user.email_verified_at is None:
        raise EmailNotVerified()

    with database.atomic():
        limits.forgive_client_failures(normalized, client_address, browser)
        user.last_login_at = now
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.save()
    return user
