"""Admin changes to case statuses, and the three system statuses every installation has.

save_status may be called by admins only (policy.require_admin) and raises ValidationFailed (a
message per field) or NotAllowed. A status name is unique by a database constraint.
"""

from __future__ import annotations

import peewee

from portal import config_cache, policy
from portal.case_config.rules import optional_text, raise_if_errors, required_text
from portal.db import database
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.models.configuration import STATUS_CATEGORIES, CaseStatus
from portal.models.people import User

SYSTEM_STATUSES = [
    ("Open", "open", "We have your case and will look at it soon."),
    ("Resolved", "resolved", "We think this is solved. Please accept the solution, or tell us what is still wrong."),
    ("Closed", "closed", "This case is finished. If the problem comes back, open a follow-up case."),
]


def ensure_system_statuses() -> None:
    """Create Open, Resolved and Closed when missing (idempotent; run by prepare_database)."""
    for position, (name, category, description) in enumerate(SYSTEM_STATUSES):
        if CaseStatus.select().where((CaseStatus.name == name) & (CaseStatus.is_system == True)).exists():  # noqa: E712
            continue
        try:
            with database.atomic():
                CaseStatus.create(name=name, category=category, is_system=True, customer_description=description,
                                  position=position)
        except peewee.IntegrityError:
            continue  # created meanwhile by another process


def system_status(category: str) -> CaseStatus:
    """The system status of a category (open, resolved, closed), read once per configuration change
    (portal.config_cache): a shared instance to read, never to change or save."""
    return config_cache.cached(("system_status", category), lambda: CaseStatus.get(
        (CaseStatus.is_system == True) & (CaseStatus.category == category)))  # noqa: E712


def save_status(actor: User, status: CaseStatus | None, *, name: str, category: str,
                customer_description: str, active: bool = True) -> CaseStatus:
    """Create (status=None) or change a status. System statuses keep their name and category, and stay active."""
    policy.require_admin(actor)
    errors: dict[str, str] = {}
    description = optional_text(errors, "customer_description", customer_description, 500)
    if status is not None and status.is_system:
        name, category, active = status.name, status.category, True
    name = required_text(errors, "name", name, _l("Enter a name."), 60)
    if category not in STATUS_CATEGORIES:
        errors["category"] = _l("Choose a category.")
    raise_if_errors(errors)
    try:
        with database.atomic():
            if status is None:
                position = (CaseStatus.select(peewee.fn.MAX(CaseStatus.position)).scalar() or 0) + 1
                status = CaseStatus.create(name=name, category=category, customer_description=description,
                                           position=position, active=active)
            else:
                status.name, status.category = name, category
                status.customer_description, status.active = description, active
                status.save()
    except peewee.IntegrityError as exc:
        raise ValidationFailed(_l("That name is taken."),
                               {"name": _l("Another status already has this name.")}) from exc
    return status
