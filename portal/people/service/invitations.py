"""Invitations: an admin invites a member of staff (or a proxy), an account manager a colleague of
their organisation. The invitee gets an email with a single-use link (portal.accounts.service.tokens)
where they choose a password; until then they have no usable password. Sending the invitation again
ends the old link."""

from __future__ import annotations

from datetime import datetime

import peewee

from portal import policy
from portal.accounts.service.tokens import LINK_NOT_VALID, consume_token, mail_link, valid_token
from portal.accounts.service.users import CORRECT_FIELDS
from portal.clock import utcnow
from portal.customers.service import create_customer_profile
from portal.db import database
from portal.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.i18n import _l
from portal.models.people import NO_PASSWORD, ROLE_LABELS, Account, Customer, User, UserToken
from portal.notify.wording import words_for
from portal.passwords import hash_password, password_problem
from portal.people import rules
from portal.people.queries import user_by_uuid
from portal.people.service.audit import record
from portal.settings import setting

PURPOSE = "invitation"
ADDRESS_TAKEN = _l("This address already has an account.")


def _send(user: User, invited_by: User, now: datetime) -> None:
    days = setting("INVITATION_DAYS")
    mail_link(user, PURPOSE, "people.accept_invitation", "invitation_url", days * 24 * 60, now=now,
              extra={"expires_in_days": days, "invited_by": invited_by.display_name,
                     "role": words_for(user.language, ROLE_LABELS.get(user.role, user.role))})


def _end_links(user: User, now: datetime) -> None:
    (UserToken.update(used_at=now)
     .where((UserToken.user == user) & (UserToken.purpose == PURPOSE) & UserToken.used_at.is_null())
     .execute())


def _create_invitee(values: dict, now: datetime) -> User:
    try:
        with database.atomic():
            return User.create(email=values["email"], display_name=values["display_name"], role=values["role"],
                               password_hash=NO_PASSWORD, time_zone=setting("DEFAULT_TIME_ZONE"),
                               invited_at=now, created_at=now)
    except peewee.IntegrityError as exc:
        raise Conflict(ADDRESS_TAKEN, {"email": ADDRESS_TAKEN}) from exc


def invite_staff(actor: User, data: rules.Invitation, *, now: datetime | None = None) -> User:
    """Invite someone as proxy, agent, supervisor or admin (policy.can_invite: admins) and email them
    the link. Raises NotAllowed, ValidationFailed, Conflict (address taken)."""
    policy.require_admin(actor)
    errors: dict[str, str] = {}
    values = {"email": rules.clean_email(data.email, errors),
              "display_name": rules.clean_name(data.display_name, errors),
              "role": rules.clean_role(data.role, policy.INVITABLE_ROLES, errors)}
    if errors:
        raise ValidationFailed(CORRECT_FIELDS, errors)
    if not policy.can_invite(actor, values["role"]):
        raise NotAllowed()
    now = now or utcnow()
    with database.atomic():
        user = _create_invitee(values, now)
        _send(user, actor, now)
        record(actor, user, "invited", now, new={"email": user.email, "role": user.role})
    return user


def resend_invitation(actor: User, user_uuid: str, *, now: datetime | None = None) -> User:
    """Email a pending invitation again (admins); the link sent before stops working. Raises
    NotAllowed, NotFound, InvalidTransition (accepted already, or the user is deactivated)."""
    policy.require_admin(actor)
    user = user_by_uuid(user_uuid)
    if not policy.can_administer_people(actor):
        raise NotAllowed()
    if not user.invitation_pending:
        raise InvalidTransition(_l("%(name)s has no pending invitation: they can sign in already.",
                                    name=user.display_name))
    if not user.active:
        raise InvalidTransition(_l("%(name)s is deactivated: reactivate them first.", name=user.display_name))
    now = now or utcnow()
    with database.atomic():
        _end_links(user, now)
        _send(user, actor, now)
        record(actor, user, "invitation_resent", now)
    return user


def check_invitation(token: str, *, now: datetime | None = None) -> User:
    """The invitee a link belongs to, without using it. Raises ValidationFailed (invalid, used,
    expired, or the invitee has a password already, e.g. from a password reset)."""
    user = valid_token(token, PURPOSE, now or utcnow()).user
    if not user.invitation_pending:
        raise ValidationFailed(LINK_NOT_VALID)
    return user


def accept_invitation(token: str, password: str, *, now: datetime | None = None) -> User:
    """The invitee chooses their password with the link (single use): their address counts as
    verified. Anyone holding the link may call it. Raises ValidationFailed."""
    now = now or utcnow()
    with database.atomic():
        user = check_invitation(token, now=now)
        problem = password_problem(password or "", user.email)
        if problem:
            raise ValidationFailed(problem, {"new_password": problem})
        consume_token(token, PURPOSE, now=now)
        user.password_hash = hash_password(password)
        user.email_verified_at = now
        user.save()
        record(None, user, "invitation_accepted", now)
    return user


def invite_colleague(actor: User, data: rules.Invitation, *, now: datetime | None = None) -> User:
    """An account manager (policy.can_invite_colleagues) invites a colleague: a customer profile in
    their account with a sign-in, and the invitation mail. Raises NotFound (not an account manager:
    the page does not exist for them), ValidationFailed, Conflict (address taken)."""
    account_id = policy.managed_account_id(actor)
    if account_id is None:
        raise NotFound()
    errors: dict[str, str] = {}
    email = rules.clean_email(data.email, errors)
    name = rules.clean_name(data.display_name, errors)
    if errors:
        raise ValidationFailed(CORRECT_FIELDS, errors)
    now = now or utcnow()
    with database.atomic():
        user = _create_invitee({"email": email, "display_name": name, "role": "customer"}, now)
        profile = (
            Customer.select()
            .where((Customer.account == account_id) & (peewee.fn.LOWER(Customer.email) == email)
                   & Customer.user.is_null())
            .order_by(Customer.id)
            .first()
        )
        if profile is not None:
            # The organisation's contact with this address becomes the colleague's profile.
            updated = (Customer.update(user=user, updated_at=now)
                       .where((Customer.id == profile.id) & Customer.user.is_null())
                       .execute())
            if not updated:
                raise Conflict(_l("Someone changed this contact meanwhile. Try again."))
        else:
            first, _, last = name.partition(" ")
            create_customer_profile(first_name=first[:100], last_name=last[:100], email=email,
                                    account=Account.get_by_id(account_id), user=user)
        _send(user, actor, now)
        record(actor, user, "invited", now, new={"email": email, "role": "customer"})
    return user
