"""Admin changes to case reasons (why a customer opens a case).

save_reason may be called by admins only (policy.require_admin) and raises ValidationFailed or
NotAllowed. A reason's name is unique by a database constraint.
"""

from __future__ import annotations

import peewee

from portal import policy
from portal.case_config.rules import raise_if_errors, required_text
from portal.db import database
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.models.configuration import CaseReason
from portal.models.people import User


def save_reason(actor: User, reason: CaseReason | None, *, name: str, active: bool = True) -> CaseReason:
    """Create (reason=None) or rename / (de)activate a case reason."""
    policy.require_admin(actor)
    errors: dict[str, str] = {}
    name = required_text(errors, "name", name, _l("Enter a reason."), 100)
    raise_if_errors(errors)
    try:
        with database.atomic():
            if reason is None:
                position = (CaseReason.select(peewee.fn.MAX(CaseReason.position)).scalar() or 0) + 1
                reason = CaseReason.create(name=name, active=active, position=position)
            else:
                reason.name, reason.active = name, active
                reason.save()
    except peewee.IntegrityError as exc:
        raise ValidationFailed(_l("That reason exists."),
                               {"name": _l("Another reason already has this name.")}) from exc
    return reason
