"""Single-use tokens for emailed links (email verification, password reset): only their hash is
stored, they expire, and a conditional update makes a second use fail even when racing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import notifier
from portal.accounts.service.users import email_recipient
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.links import absolute
from portal.models.people import User, UserToken

# Whatever is wrong with a link (unknown, used, expired, its user deactivated), it says the same.
LINK_NOT_VALID = _l("This link is invalid or has expired. Ask for a new one.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: str, minutes: int, *, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    UserToken.create(user=user, purpose=purpose, token_hash=hash_token(token), created_at=now,
                     expires_at=now + timedelta(minutes=minutes))
    return token


def mail_link(user: User, purpose: str, endpoint: str, link_name: str, minutes: int, *, now: datetime,
              extra: dict | None = None) -> None:
    """Email `user` a single-use link of `purpose` to `endpoint`, valid for `minutes`; the message is the
    notification event named like the purpose, with `extra` template variables if given. Call it
    inside the transaction that decided to send it."""
    token = issue_token(user, purpose, minutes, now=now)
    notifier.enqueue(
        purpose,
        [email_recipient(user)],
        {"user_name": user.display_name, link_name: absolute(endpoint, token=token), "expires_in_minutes": minutes,
         **(extra or {})},
        key=f"{purpose}:{hash_token(token)}",
        now=now,
    )


def valid_token(token: str, purpose: str, now: datetime) -> UserToken:
    row = (
        UserToken.select(UserToken, User)
        .join(User)
        .where((UserToken.token_hash == hash_token(token or "")) & (UserToken.purpose == purpose))
        .first()
    )
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        raise ValidationFailed(LINK_NOT_VALID)
    return row


def consume_token(token: str, purpose: str, *, now: datetime) -> User:
    """Use a token once: the conditional update makes a second use fail even when racing."""
    row = valid_token(token, purpose, now)
    used = (
        UserToken.update(used_at=now)
        .where((UserToken.id == row.id) & UserToken.used_at.is_null())
        .execute()
    )
    if not used:
        raise ValidationFailed(LINK_NOT_VALID)
    return row.user
