"""Issuing, revoking and checking API tokens. A token acts as its user: what the API lets it see and
change is what portal.policy lets that user see and change, narrowed by the token's scopes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from portal import policy
from portal.clock import utcnow
from portal.db import database
from portal.errors import NotAllowed, NotFound, ValidationFailed
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.api import ApiToken
from portal.models.people import User

PREFIX = "cpt_"
# Scopes a token may carry: what each lets it do (on top of what its user may do).
SCOPES = {
    "cases:read": _l("Read cases, their feeds and case templates"),
    "cases:write": _l("Open, comment on and change cases"),
    "customers:read": _l("Find customers and accounts"),
    "customers:write": _l("Create customers"),
    "tasks:read": _l("Read tasks"),
    "tasks:write": _l("Add and change tasks"),
    "events:read": _l("Read the event stream"),
}
MAX_DAYS = 366
LAST_USED_EVERY = timedelta(minutes=1)

CHOOSE_SCOPE = _l("Choose at least one permission.")
UNKNOWN_SCOPE = _l("Choose permissions from the list.")
NAME_NEEDED = _l("Give the token a name, so you can tell it apart later.")
EXPIRY_RANGE = _l("A token expires after 1 to %(days)d days.", days=MAX_DAYS)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(actor: User, owner: User, *, name: str, scopes: list[str], days: int,
                now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for owner; returns it with its secret, which is shown once and never stored.
    Raises NotAllowed or ValidationFailed."""
    if not policy.can_issue_token(actor, owner):
        raise NotAllowed()
    now = now or utcnow()
    name = (name or "").strip()
    problems = {}
    if not name or len(name) > 100:
        problems["name"] = NAME_NEEDED
    if not scopes:
        problems["scopes"] = CHOOSE_SCOPE
    elif any(scope not in SCOPES for scope in scopes):
        problems["scopes"] = UNKNOWN_SCOPE
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        problems["days"] = EXPIRY_RANGE
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    secret = PREFIX + secrets.token_urlsafe(32)
    with database.atomic():
        token = ApiToken.create(user=owner, name=name, prefix=secret[:12], token_hash=hash_secret(secret),
                                scopes=sorted(set(scopes)), created_by=actor, created_at=now,
                                expires_at=now + timedelta(days=days))
    return token, secret


def revoke_token(actor: User, token_uuid: str, *, now: datetime | None = None) -> ApiToken:
    """Revoke a token at once (its next request is refused). Revoking twice changes nothing."""
    token = by_uuid(ApiToken, token_uuid)
    if token is None or not policy.can_manage_token(actor, token):
        raise NotFound()
    with database.atomic():
        (ApiToken
         .update(revoked_at=now or utcnow())
         .where((ApiToken.id == token.id) & ApiToken.revoked_at.is_null())
         .execute())
    return ApiToken.get_by_id(token.id)


def authenticate(secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token for a presented secret (its user joined), or None: unknown, revoked, expired,
    or its user deactivated. Notes the use at most once a minute."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    now = now or utcnow()
    token = (ApiToken
             .select(ApiToken, User)
             .join(User, on=(ApiToken.user == User.id))
             .where(ApiToken.token_hash == hash_secret(secret))
             .first())
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.active:
        return None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_EVERY:
        with database.atomic():
            (ApiToken
             .update(last_used_at=now)
             .where((ApiToken.id == token.id)
                    & (ApiToken.last_used_at.is_null() | (ApiToken.last_used_at <= now - LAST_USED_EVERY)))
             .execute())
    return token
