"""How a user signs in, as admins see and change it: their single sign-on identities (unlinking one)
and their second factor (reset: portal.mfa.service.reset_second_factor). Audited like every change to
a user (portal.people.service.audit)."""

from __future__ import annotations

from datetime import datetime

from portal import policy
from portal.clock import utcnow
from portal.db import database, is_postgres
from portal.errors import Conflict, NotAllowed, NotFound
from portal.i18n import _l
from portal.models.people import User
from portal.models.sso import SsoIdentity
from portal.people.queries import user_by_uuid
from portal.people.service.audit import record


def identities_of(user: User):
    """The user's single sign-on identities, oldest link first."""
    return SsoIdentity.select().where(SsoIdentity.user == user).order_by(SsoIdentity.created_at, SsoIdentity.id)


def unlink_identity(actor: User, user_uuid: str, issuer: str, subject: str, *, now: datetime | None = None) -> User:
    """Unlink one of the user's single sign-on identities (policy.can_unlink_identity): the provider's
    account no longer signs them in (a later sign-in with it links again only by a vouched address).
    Refused when it would leave the user no way to sign in (no password, no other identity). Raises
    NotAllowed, NotFound (no such identity of this user), Conflict (the last way to sign in)."""
    policy.require_admin(actor)
    subject_user = user_by_uuid(user_uuid)
    if not policy.can_unlink_identity(actor, subject_user):
        raise NotAllowed()
    now = now or utcnow()
    with database.atomic():
        if is_postgres(database):
            # Two unlinks of a user's last identities at once: one after the other, the second sees the first.
            list(User.select(User.id).where(User.id == subject_user.id).for_update())
        identity = SsoIdentity.get_or_none((SsoIdentity.user == subject_user) & (SsoIdentity.issuer == issuer)
                                           & (SsoIdentity.subject == subject))
        if identity is None:
            raise NotFound()
        identity.delete_instance()
        left = SsoIdentity.select().where(SsoIdentity.user == subject_user).exists()
        if not left and not subject_user.has_password and not subject_user.invitation_pending:
            raise Conflict(_l("%(name)s has no password and no other identity: unlinking this one would leave them "
                              "no way to sign in.", name=subject_user.display_name))
        record(actor, subject_user, "sso_identity_unlinked", now,
               old={"provider": identity.provider, "issuer": issuer, "subject": subject})
    return subject_user
