"""Remembered browsers: after the second factor, a browser may skip it for MFA_REMEMBER_DAYS. Its cookie
(portal/mfa/pending.py) carries a random token, signed; the row here only the token's hash, so the list
on the account page can revoke one or all at once. Changing the password, turning the factor off and an
admin's reset forget them all."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from portal.clock import utcnow
from portal.db import database
from portal.models.mfa import RememberedDevice
from portal.models.people import User
from portal.settings import setting


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember(user: User, label: str, *, now: datetime | None = None) -> str:
    """Remember a browser for the user; returns the token for its cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with database.atomic():
        RememberedDevice.create(user=user, token_hash=_hash(token), label=(label or "")[:200], created_at=now,
                                last_used_at=now, expires_at=now + timedelta(days=setting("MFA_REMEMBER_DAYS")))
    return token


def recognise(user: User, token: str | None, *, now: datetime | None = None) -> bool:
    """Whether token is a live remembered browser of user (and note its use)."""
    if not token:
        return False
    now = now or utcnow()
    return bool(
        RememberedDevice.update(last_used_at=now)
        .where((RememberedDevice.token_hash == _hash(token)) & (RememberedDevice.user == user)
               & (RememberedDevice.expires_at > now))
        .execute()
    )


def devices_of(user: User, *, now: datetime | None = None):
    """The user's live remembered browsers, most recently used first."""
    return (
        RememberedDevice.select()
        .where((RememberedDevice.user == user) & (RememberedDevice.expires_at > (now or utcnow())))
        .order_by(RememberedDevice.last_used_at.desc(), RememberedDevice.id.desc())
    )


def forget(user: User, device_uuid: str) -> int:
    """Forget one of the user's remembered browsers (someone else's forgets nothing)."""
    return (RememberedDevice.delete()
            .where((RememberedDevice.uuid == device_uuid) & (RememberedDevice.user == user))
            .execute())


def forget_all(user: User) -> int:
    return RememberedDevice.delete().where(RememberedDevice.user == user).execute()


def prune_devices(*, now: datetime | None = None) -> int:
    """Delete expired remembered browsers."""
    return RememberedDevice.delete().where(RememberedDevice.expires_at <= (now or utcnow())).execute()
