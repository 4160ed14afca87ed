"""Pure checks for people administration: no database, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from portal.contact import ContactError, normalize_email
from portal.i18n import _l

MAX_NAME = 120

# What each role is called on the pages (portal.models.people.ROLE_LABELS holds the English for code
# that must not reach Flask-Babel); the web offers role_name() to every template.
ROLE_NAMES = {
    "customer": _l("Customer"),
    "proxy": _l("Proxy employee"),
    "agent": _l("Agent"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}


def role_name(role: str):
    """The role's name in the reader's language (a lazy string), the code itself for an unknown role."""
    return ROLE_NAMES.get(role, role)


@dataclass
class Invitation:
    email: str = ""
    display_name: str = ""
    role: str = ""


def clean_name(value: str | None, errors: dict, field: str = "display_name") -> str:
    name = " ".join((value or "").split())
    if not name:
        errors[field] = _l("Enter the person's name.")
    elif len(name) > MAX_NAME:
        errors[field] = _l("Use at most %(max)s characters.", max=MAX_NAME)
    return name


def clean_email(value: str | None, errors: dict, field: str = "email") -> str:
    try:
        return normalize_email(value or "")
    except ContactError as exc:
        errors[field] = exc.message
        return ""


def clean_role(value: str | None, allowed: tuple[str, ...], errors: dict, field: str = "role") -> str:
    if value not in allowed:
        errors[field] = _l("Choose one of: %(roles)s.", roles=_RoleList(allowed))
        return ""
    return value


def role_change_problem(old: str, new: str) -> str | None:
    """Why a role change makes no sense by itself (permission aside), or None."""
    if old == new:
        return _l("This person is already: %(role)s.", role=role_name(new))
    return None


class _RoleList:
    """Role names joined with commas, put into words when shown (so in the reader's language)."""

    def __init__(self, roles: tuple[str, ...]):
        self.roles = roles

    def __str__(self) -> str:
        return ", ".join(str(role_name(role)) for role in self.roles)
