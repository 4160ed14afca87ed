"""People administration's state changes (see portal/people/__init__.py)."""

from portal.people.service.changes import change_role, deactivate_user, reactivate_user, set_workgroups
from portal.people.service.invitations import (
    accept_invitation,
    check_invitation,
    invite_colleague,
    invite_staff,
    resend_invitation,
)
from portal.people.service.sign_in_methods import identities_of, unlink_identity

__all__ = ["accept_invitation", "change_role", "check_invitation", "deactivate_user", "identities_of",
           "invite_colleague", "invite_staff", "reactivate_user", "resend_invitation", "set_workgroups",
           "unlink_identity"]
