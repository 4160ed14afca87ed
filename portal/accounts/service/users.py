"""Users: creating a user of any role, and a user's own profile.

Every function here is callable from the web, the CLI or tests; none trusts its caller's checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee

import notifier
from portal.clock import utcnow
from portal.contact import ContactError, normalize_email, optional_phone, valid_time_zone
from portal.customers.service import attach_verified_user
from portal.db import database
from portal.errors import Conflict, ValidationFailed
from portal.i18n import _l, valid_language
from portal.models.people import ROLES, User
from portal.passwords import hash_password, password_problem
from portal.settings import setting

CORRECT_FIELDS = _l("Please correct the highlighted fields.")


@dataclass
class NewUser:
    email: str
    display_name: str
    password: str
    role: str = "customer"
    time_zone: str = "UTC"
    phone: str = ""
    language: str = ""  # "" is the portal's DEFAULT_LANGUAGE


def clean_user_fields(data: NewUser) -> dict:
    """The checked columns of a new user (sign-up or create_user). Raises ValidationFailed."""
    errors: dict[str, str] = {}
    values: dict = {}
    try:
        values["email"] = normalize_email(data.email)
    except ContactError as exc:
        errors["email"] = exc.message
    name = " ".join((data.display_name or "").split())
    if not name:
        errors["display_name"] = _l("Enter your name.")
    elif len(name) > 120:
        errors["display_name"] = _l("Use at most %(max)s characters.", max=120)
    values["display_name"] = name
    problem = password_problem(data.password or "", data.email or "")
    if problem:
        errors["password"] = problem
    if data.role not in ROLES:
        errors["role"] = _l("Choose one of: %(roles)s.", roles=", ".join(ROLES))
    values["role"] = data.role
    try:
        values["time_zone"] = valid_time_zone(data.time_zone or "UTC")
    except ContactError as exc:
        errors["time_zone"] = exc.message
    values["phone"] = optional_phone(data.phone, setting("DEFAULT_PHONE_REGION"), errors)
    values["language"] = _language(data.language or setting("DEFAULT_LANGUAGE"), errors)
    if errors:
        raise ValidationFailed(CORRECT_FIELDS, errors)
    return values


def create_user(data: NewUser, *, verified: bool = True, now: datetime | None = None) -> User:
    """Create a user of any role (CLI, admins, demo). Raises ValidationFailed or Conflict."""
    values = clean_user_fields(data)
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
        raise Conflict(_l("A user with this email address already exists."), {"email": _l("Already in use.")}) from exc
    return user


def _language(tag: str, errors: dict) -> str:
    try:
        return valid_language(tag)
    except ValueError:
        errors["language"] = _l("Choose one of the languages in the list.")
        return tag


def update_profile(user: User, *, display_name: str, time_zone: str, phone: str,
                   language: str | None = None) -> User:
    """A user edits their own name, time zone, phone and language. Raises ValidationFailed."""
    errors = {}
    name = " ".join((display_name or "").split())
    if not name:
        errors["display_name"] = _l("Enter your name.")
    elif len(name) > 120:
        errors["display_name"] = _l("Use at most %(max)s characters.", max=120)
    try:
        zone = valid_time_zone(time_zone)
    except ContactError as exc:
        errors["time_zone"] = exc.message
    number = optional_phone(phone, setting("DEFAULT_PHONE_REGION"), errors)
    chosen = _language(user.language if language is None else language, errors)
    if errors:
        raise ValidationFailed(CORRECT_FIELDS, errors)
    user.display_name, user.time_zone, user.phone, user.language = name, zone, number, chosen
    user.save()
    return user


def email_recipient(user: User) -> notifier.Recipient:
    """The user as the recipient of account mail (verification, password reset)."""
    return notifier.Recipient(channel="email", address=user.email, name=user.display_name,
                              language=user.language, ref=user.uuid)
