"""Changing one's password, and resetting a forgotten one with an emailed single-use link. Either
ends the user's other sessions and every outstanding reset link.
"""

from __future__ import annotations

from datetime import datetime

from portal.accounts.service import limits, sessions
from portal.accounts.service.sign_in import signs_in_with_provider_only
from portal.accounts.service.tokens import LINK_NOT_VALID, consume_token, mail_link, valid_token
from portal.clock import utcnow
from portal.contact import ContactError, normalize_email
from portal.customers.service import attach_verified_user
from portal.db import database
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.mfa import devices
from portal.models.people import User, UserToken
from portal.passwords import hash_password, password_problem, verify_password
from portal.settings import setting


def change_password(user: User, current: str, new: str, *, keep_session: str | None = None) -> User:
    """Change one's own password; ends every session of the user but keep_session (the token of the
    browser that changed it). Raises ValidationFailed."""
    if signs_in_with_provider_only(user):
        raise ValidationFailed(_l("Your account has no password to change: it signs in with single sign-on."))
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed(_l("Your current password is not correct."),
                               {"current_password": _l("This is not your current password.")})
    problem = password_problem(new or "", user.email)
    if problem:
        raise ValidationFailed(problem, {"new_password": problem})
    _set_password(user, new, keep_session=keep_session)
    return user


def _set_password(user: User, new: str, *, keep_session: str | None = None) -> None:
    with database.atomic():
        user.password_hash = hash_password(new)
        user.save()
        sessions.end_all_sessions(user, keep=keep_session)
        devices.forget_all(user)  # browsers remembered for the second factor ask for it again
        # Outstanding reset links stop working once the password has changed.
        UserToken.update(used_at=utcnow()).where(
            (UserToken.user == user) & (UserToken.purpose == "password_reset") & UserToken.used_at.is_null()
        ).execute()


def request_password_reset(email: str, *, client_address: str | None = None, now: datetime | None = None) -> None:
    """Email a reset link if the address is registered to an active user and within its account-mail
    limit; silent otherwise. Raises limits.TooManyAttempts (too many
    requests from client_address)."""
    now = now or utcnow()
    limits.take_client_mail_slot(client_address, now)
    try:
        normalized = normalize_email(email)
    except ContactError:
        return
    user = User.get_or_none((User.email == normalized) & (User.active == True))  # noqa: E712
    if not user or signs_in_with_provider_only(user):
        return  # no password to reset: the page says so for every address, registered or not
    minutes = setting("PASSWORD_RESET_MINUTES")
    with database.atomic():
        if not limits.may_mail(user.email, now):
            return
        mail_link(user, "password_reset", "accounts.reset_password", "reset_url", minutes, now=now)


def check_reset_token(token: str, *, now: datetime | None = None) -> User:
    """The user a reset link belongs to, without using it up. Raises ValidationFailed."""
    return _resettable(valid_token(token, "password_reset", now or utcnow()).user)


def _resettable(user: User) -> User:
    # A link sent before the account moved to single sign-on sets no password any more.
    if signs_in_with_provider_only(user):
        raise ValidationFailed(LINK_NOT_VALID)
    return user


def reset_password(token: str, new: str, *, now: datetime | None = None) -> User:
    """Set a new password with a reset link (single use); signs the user out everywhere."""
    now = now or utcnow()
    with database.atomic():
        user = _resettable(valid_token(token, "password_reset", now).user)
        problem = password_problem(new or "", user.email)
        if problem:
            raise ValidationFailed(problem, {"new_password": problem})
        consume_token(token, "password_reset", now=now)
        _set_password(user, new)
        if user.email_verified_at is None:
            user.email_verified_at = now  # the link proved they read this inbox
            user.save()
            if user.role == "customer":
                attach_verified_user(user)
    return user
