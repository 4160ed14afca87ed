"""Pure checks for people administration: no database, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from portal.contact import ContactError, normalize_email
from portal.models.people import ROLE_LABELS

MAX_NAME = 120


@dataclass
class Invitation:
    email: str = ""
    display_name: str = ""
    role: str = ""


def clean_name(value: str | None, errors: dict, field: str = "display_name") -> str:
    name = " ".join((value or "").split())
    if not name:
        errors[field] = "Enter the person's name."
    elif len(name) > MAX_NAME:
        errors[field] = f"Use at most {MAX_NAME} characters."
    return name


def clean_email(value: str | None, errors: dict, field: str = "email") -> str:
    try:
        return normalize_email(value or "")
    except ContactError as exc:
        errors[field] = str(exc)
        return ""


def clean_role(value: str | None, allowed: tuple[str, ...], errors: dict, field: str = "role") -> str:
    if value not in allowed:
        errors[field] = "Choose one of: " + ", ".join(str(ROLE_LABELS[role]) for role in allowed) + "."
        return ""
    return value


def role_change_problem(old: str, new: str) -> str | None:
    """Why a role change makes no sense by itself (permission aside), or None."""
    if old == new:
        return f"This person is already: {ROLE_LABELS.get(new, new)}."
    return None
