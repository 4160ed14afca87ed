"""Self sign-up and verifying an email address: the verification mail, its resending, and the link.

Account mail goes out only within its limits (portal/accounts/service/limits.py); the answers never
reveal whether an address is registered.
"""

from __future__ import annotations

from datetime import datetime

import peewee

import notifier
from portal.accounts.service import limits
from portal.accounts.service.tokens import consume_token, mail_link
from portal.accounts.service.users import NewUser, clean_user_fields, email_recipient
from portal.clock import utcnow
from portal.contact import ContactError, normalize_email
from portal.customers.service import attach_verified_user
from portal.db import database
from portal.errors import NotAllowed
from portal.i18n import _l
from portal.links import absolute
from portal.models.people import User
from portal.passwords import hash_password
from portal.settings import setting


def sign_up_customer(data: NewUser, *, client_address: str | None = None, now: datetime | None = None) -> None:
    """Self sign-up. Always ends the same way, so it never reveals whether an email is registered:
    a new address gets a verification link, a registered one a note that someone tried to sign up
    (either only within the address's account-mail limit).
    Raises ValidationFailed (bad input), NotAllowed (sign-up switched off) or limits.TooManyAttempts
    (too many account-mail requests from client_address).
    """
    if not setting("SIGNUP_ENABLED"):
        raise NotAllowed(_l("Sign-up is switched off. Ask your contact centre for an account."))
    data.role = "customer"
    values = clean_user_fields(data)
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
                [email_recipient(existing)],
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
    mail_link(user, "email_verification", "accounts.verify_email_form", "verify_url", minutes, now=now)


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
