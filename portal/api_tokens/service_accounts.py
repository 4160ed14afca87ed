"""Service accounts: staff accounts an integration (an IVR, a CRM) runs as through API tokens.

A service account is a User with a staff role (agent or supervisor) that nobody can sign in to: its
password hash is a marker no password matches (SERVICE_ACCOUNT_PASSWORD), and its address is under
the reserved .invalid domain, which the sign-in and password-reset forms refuse as an address, so no
reset link can ever be sent for it. Everything else is the People pages' business: its workgroups
decide which cases its tokens see, and deactivating it stops every token at once. Only an admin
creates one and issues its tokens (policy.can_issue_token), and each of those steps is audited.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from portal import policy
from portal.clock import utcnow
from portal.db import database
from portal.errors import NotAllowed, ValidationFailed
from portal.i18n import _l
from portal.models.people import SERVICE_ACCOUNT_PASSWORD, User
from portal.people.service import audit
from portal.settings import setting

ROLES = ("agent", "supervisor")
NAME_NEEDED = _l("Name the integration that uses this account, e.g. \u201cIVR\u201d.")
ROLE_CHOICE = _l("Choose agent or supervisor.")


def create_service_account(actor: User, *, name: str, role: str, now: datetime | None = None) -> User:
    """A new service account (admins: policy.can_manage_service_accounts). Raises NotAllowed or
    ValidationFailed."""
    if not policy.can_manage_service_accounts(actor):
        raise NotAllowed()
    name = " ".join((name or "").split())
    problems = {}
    if not name or len(name) > 120:
        problems["name"] = NAME_NEEDED
    if role not in ROLES:
        problems["role"] = ROLE_CHOICE
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    now = now or utcnow()
    # Random, so the address says nothing and two accounts with one name never collide.
    email = f"service-{secrets.token_hex(8)}@caseport.invalid"
    with database.atomic():
        user = User.create(email=email, display_name=name, role=role, password_hash=SERVICE_ACCOUNT_PASSWORD,
                           time_zone=setting("DEFAULT_TIME_ZONE"), created_at=now)
        audit.record(actor, user, "service_account_created", now, new={"role": role})
    return user
