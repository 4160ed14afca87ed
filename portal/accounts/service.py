"""Accounts: signing in, signing up, verifying an address, changing and resetting passwords.

Every function here is callable from the web, the CLI or tests; none trusts its caller's checks.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee

import notifier
from portal.accounts import limits, sessions
from portal.clock import utcnow
from portal.contact import ContactError, normalize_email, optional_phone, valid_time_zone
from portal.customers.service import attach_verified_user
from portal.db import database
from portal.errors import Conflict, NotAllowed, ValidationFailed
from portal.links import absolute
from portal.models.people import ROLES, User, UserToken
from portal.passwords import hash_password, needs_rehash, password_problem, verify_password
from portal.settings import setting

SIGN_IN_FAILED = "The email address or password is incorrect."


class AuthenticationFailed(ValidationFailed):
    """The email address or password is incorrect."""


class EmailNotVerified(ValidationFailed):
    """Confirm your email address first: follow the link we sent you."""


# --- signing in -------------------------------------------------------------------------------


def _email_key(email: str) -> str:
    try:
        return normalize_email(email)
    except ContactError:
        return (email or "").strip().lower()[:254]


def authenticate(email: str, password: str, client_address: str, *, browser: str | None = None,
                 now: datetime | None = None) -> User:
    """Check credentials, throttled per client address, per account from one client and per account
    (see portal/accounts/limits.py). `browser` is the id of a browser known to this account, vouched
    for by the caller (portal/accounts/browser.py); a known browser is never slowed down by failures
    elsewhere. Unknown addresses are throttled exactly like registered ones.

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
        raise AuthenticationFailed(SIGN_IN_FAILED)
    limits.release(tickets)  # the right password is no failure, whatever comes next
    if not user.active:
        raise NotAllowed("This account has been deactivated. Contact your administrator.")
    if user.role == "customer" and user.email_verified_at is None:
        raise EmailNotVerified()

    with database.atomic():
        limits.forgive_client_failures(normalized, client_address, browser)
        user.last_login_at = now
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.save()
    return user


# --- users --------------------------------------------------------------------------------------


@dataclass
class NewUser:
    email: str
    display_name: str
    password: str
    role: str = "customer"
    time_zone: str = "UTC"
    phone: str = ""


def _clean_user_fields(data: NewUser) -> dict:
    errors: dict[str, str] = {}
    values: dict = {}
    try:
        values["email"] = normalize_email(data.email)
    except ContactError as exc:
        errors["email"] = str(exc)
    name = " ".join((data.display_name or "").split())
    if not name:
        errors["display_name"] = "Enter your name."
    elif len(name) > 120:
        errors["display_name"] = "Use at most 120 characters."
    values["display_name"] = name
    problem = password_problem(data.password or "", data.email or "")
    if problem:
        errors["password"] = problem
    if data.role not in ROLES:
        errors["role"] = f"Choose one of: {', '.join(ROLES)}."
    values["role"] = data.role
    try:
        values["time_zone"] = valid_time_zone(data.time_zone or "UTC")
    except ContactError as exc:
        errors["time_zone"] = str(exc)
    values["phone"] = optional_phone(data.phone, setting("DEFAULT_PHONE_REGION"), errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return values


def create_user(data: NewUser, *, verified: bool = True, now: datetime | None = None) -> User:
    """Create a user of any role (CLI, admins, demo). Raises ValidationFailed or Conflict."""
    values = _clean_user_fields(data)
    now = now or utcnow()
    try:
        with database.atomic():
            user = User.create(
                password_hash=hash_password(data.password),
                email_verified_at=now if verified else None,
                created_at=now,
                **values,
            )
            if verified and user.role == "customer":
                attach_verified_user(user)
    except peewee.IntegrityError as exc:
        raise Conflict("A user with this email address already exists.", {"email": "Already in use."}) from exc
    return user


def sign_up_customer(data: NewUser, *, client_address: str | None = None, now: datetime | None = None) -> None:
    """Self sign-up. Always ends the same way, so it never reveals whether an email is registered:
    a new address gets a verification link, a registered one a note that someone tried to sign up
    (either only within the address's account-mail limit).
    Raises ValidationFailed (bad input), NotAllowed (sign-up switched off) or limits.TooManyAttempts
    (too many account-mail requests from client_address).
    """
    if not setting("SIGNUP_ENABLED"):
        raise NotAllowed("Sign-up is switched off. Ask your contact centre for an account.")
    data.role = "customer"
    values = _clean_user_fields(data)
    now = now or utcnow()
    limits.take_client_mail_slot(client_address, now)
    try:
        with database.atomic():
            user = User.create(password_hash=hash_password(data.password), created_at=now, **values)
            _send_verification(user, now)
    except peewee.IntegrityError:
        existing = User.get(User.email == values["email"])
        with database.atomic():
            if not limits.may_mail(existing.email, now):
                return
            notifier.enqueue(
                "signup_existing_account",
                [_email_recipient(existing)],
                {"user_name": existing.display_name, "sign_in_url": absolute("accounts.login"),
                 "reset_url": absolute("accounts.request_reset")},
                key=f"signup_existing_account:{existing.uuid}:{now.isoformat()}",
                now=now,
            )


def resend_verification(email: str, *, client_address: str | None = None, now: datetime | None = None) -> None:
    """Send a fresh verification link if the address belongs to an unverified customer and is within its
    account-mail limit; silent otherwise. Raises limits.TooManyAttempts (too many
    requests from client_address).
    """
    now = now or utcnow()
    limits.take_client_mail_slot(client_address, now)
    try:
        normalized = normalize_email(email)
    except ContactError:
        return
    user = User.get_or_none((User.email == normalized) & User.email_verified_at.is_null())
    if user:
        with database.atomic():
            _send_verification(user, now)


def _send_verification(user: User, now: datetime) -> None:
    if not limits.may_mail(user.email, now):
        return
    minutes = setting("EMAIL_VERIFICATION_MINUTES")
    token = issue_token(user, "email_verification", minutes, now=now)
    notifier.enqueue(
        "email_verification",
        [_email_recipient(user)],
        {"user_name": user.display_name, "verify_url": absolute("accounts.verify_email_form", token=token),
         "expires_in_minutes": minutes},
        key=f"email_verification:{_hash(token)}",
        now=now,
    )


def verify_email(token: str, *, now: datetime | None = None) -> User:
    """Mark the address verified and join the user to their customer profile. Raises ValidationFailed."""
    now = now or utcnow()
    with database.atomic():
        user = consume_token(token, "email_verification", now=now)
        if user.email_verified_at is None:
            user.email_verified_at = now
            user.save()
        if user.role == "customer":
            attach_verified_user(user)
    return user


def update_profile(user: User, *, display_name: str, time_zone: str, phone: str) -> User:
    """A user edits their own name, time zone and phone. Raises ValidationFailed."""
    errors = {}
    name = " ".join((display_name or "").split())
    if not name:
        errors["display_name"] = "Enter your name."
    elif len(name) > 120:
        errors["display_name"] = "Use at most 120 characters."
    try:
        zone = valid_time_zone(time_zone)
    except ContactError as exc:
        errors["time_zone"] = str(exc)
    number = optional_phone(phone, setting("DEFAULT_PHONE_REGION"), errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    user.display_name, user.time_zone, user.phone = name, zone, number
    user.save()
    return user


def change_password(user: User, current: str, new: str, *, keep_session: str | None = None) -> User:
    """Change one's own password; ends every session of the user but keep_session (the token of the
    browser that changed it). Raises ValidationFailed."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed("Your current password is not correct.",
                               {"current_password": "This is not your current password."})
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
        # Outstanding reset links stop working once the password has changed.
        UserToken.update(used_at=utcnow()).where(
            (UserToken.user == user) & (UserToken.purpose == "password_reset") & UserToken.used_at.is_null()
        ).execute()


# --- password reset -----------------------------------------------------------------------------


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
    if not user:
        return
    minutes = setting("PASSWORD_RESET_MINUTES")
    with database.atomic():
        if not limits.may_mail(user.email, now):
            return
        token = issue_token(user, "password_reset", minutes, now=now)
        notifier.enqueue(
            "password_reset",
            [_email_recipient(user)],
            {"user_name": user.display_name, "reset_url": absolute("accounts.reset_password", token=token),
             "expires_in_minutes": minutes},
            key=f"password_reset:{_hash(token)}",
            now=now,
        )


def check_reset_token(token: str, *, now: datetime | None = None) -> User:
    """The user a reset link belongs to, without using it up. Raises ValidationFailed."""
    return _valid_token(token, "password_reset", now or utcnow()).user


def reset_password(token: str, new: str, *, now: datetime | None = None) -> User:
    """Set a new password with a reset link (single use); signs the user out everywhere."""
    now = now or utcnow()
    with database.atomic():
        user = _valid_token(token, "password_reset", now).user
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


# --- tokens -------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: str, minutes: int, *, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    UserToken.create(user=user, purpose=purpose, token_hash=_hash(token), created_at=now,
                     expires_at=now + timedelta(minutes=minutes))
    return token


def _valid_token(token: str, purpose: str, now: datetime) -> UserToken:
    row = (
        UserToken.select(UserToken, User)
        .join(User)
        .where((UserToken.token_hash == _hash(token or "")) & (UserToken.purpose == purpose))
        .first()
    )
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        raise ValidationFailed("This link is invalid or has expired. Ask for a new one.")
    return row


def consume_token(token: str, purpose: str, *, now: datetime) -> User:
    """Use a token once: the conditional update makes a second use fail even when racing."""
    row = _valid_token(token, purpose, now)
    used = (
        UserToken.update(used_at=now)
        .where((UserToken.id == row.id) & UserToken.used_at.is_null())
        .execute()
    )
    if not used:
        raise ValidationFailed("This link is invalid or has expired. Ask for a new one.")
    return row.user


def _email_recipient(user: User) -> notifier.Recipient:
    return notifier.Recipient(channel="email", address=user.email, name=user.display_name,
                              language=user.language, ref=user.uuid)
