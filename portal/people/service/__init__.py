"""People administration's state changes (see portal/people/__init__.py)."""

from portal.people.service.changes import change_role, deactivate_user, reactivate_user, set_workgroups
from portal.people.service.invitations import (
    accept_invitation,
    check_invitation,
    invite_colleague,
    invite_staff,
    resend_invitation,
)

__all__ = ["accept_invitation", "change_role", "check_invitation", "deactivate_user", "invite_colleague",
           "invite_staff", "reactivate_user", "resend_invitation", "set_workgroups"]
