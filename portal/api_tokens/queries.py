"""Reads for the token pages: one's own tokens, and for admins the service accounts and every token."""

from __future__ import annotations

from peewee import JOIN, fn

from portal import policy
from portal.errors import NotFound
from portal.models.api import ApiToken
from portal.models.people import SERVICE_ACCOUNT_PASSWORD, User

ADMIN_LIST_LIMIT = 500

Owner = User.alias("owner")
Maker = User.alias("maker")


def tokens_of(user: User):
    """user's own tokens, newest first."""
    return (
        ApiToken.select()
        .where(ApiToken.user == user)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def service_accounts(viewer: User) -> list[User]:
    """Every service account, by name (admins; NotFound for others)."""
    if not policy.can_manage_service_accounts(viewer):
        raise NotFound()
    return list(
        User.select()
        .where(User.password_hash == SERVICE_ACCOUNT_PASSWORD)
        .order_by(fn.LOWER(User.display_name), User.id)
    )


def all_tokens(viewer: User, limit: int = ADMIN_LIST_LIMIT) -> list[ApiToken]:
    """Every token with its owner and maker, newest first, in one query (admins; NotFound for others)."""
    if not policy.can_manage_service_accounts(viewer):
        raise NotFound()
    return list(
        ApiToken.select(ApiToken, Owner, Maker)
        .join(Owner, on=(ApiToken.user == Owner.id))
        .switch(ApiToken)
        .join(Maker, JOIN.LEFT_OUTER, on=(ApiToken.created_by == Maker.id))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .limit(limit)
    )
