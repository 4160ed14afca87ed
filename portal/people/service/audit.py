"""The one way a change to a user is recorded: a UserChange row in the changing transaction."""

from __future__ import annotations

from datetime import datetime

from portal.i18n import _l
from portal.models.people import User, UserChange

# action -> how the audit page names it
ACTIONS = {
    "invited": _l("Invited"),
    "invitation_resent": _l("Invitation sent again"),
    "invitation_accepted": _l("Accepted the invitation"),
    "role_changed": _l("Role changed"),
    "workgroups_changed": _l("Workgroups changed"),
    "deactivated": _l("Deactivated"),
    "reactivated": _l("Reactivated"),
    "service_account_created": _l("Service account created"),
    "api_token_issued": _l("API token created"),
    "api_token_revoked": _l("API token revoked"),
    "passkey_added": _l("Passkey added"),
    "passkey_removed": _l("Passkey removed"),
    "second_factor_enabled": _l("Second factor turned on"),
    "second_factor_disabled": _l("Second factor turned off"),
    "second_factor_reset": _l("Second factor reset"),
    "recovery_codes_created": _l("New recovery codes"),
    "recovery_code_used": _l("Signed in with a recovery code"),
    "sso_identity_unlinked": _l("Single sign-on identity unlinked"),
}


def record(actor: User | None, user: User, action: str, now: datetime, *, old=None, new=None) -> UserChange:
    """Record that actor (None: the person themselves or the system) changed user. Call it inside
    the transaction of the change, so the log holds a change if and only if it committed."""
    return UserChange.create(user=user, actor=actor, action=action, old_value=old, new_value=new, created_at=now)
