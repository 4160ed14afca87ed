"""A second factor for signing in (portal/mfa): TOTP secrets, recovery codes, remembered devices."""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid
from portal.models.people import User


class TotpFactor(BaseModel):
    """A user's authenticator app (RFC 6238 TOTP, 30 s steps, 6 digits), one per user. The row exists
    only once enrolment was confirmed with a first valid code. last_used_step is the time step of the
    last code accepted: a code is accepted only for a later step, so no code works twice."""

    user = peewee.ForeignKeyField(User, unique=True, backref="totp_factors", on_delete="CASCADE")
    secret = peewee.CharField(max_length=64)  # base32, as the authenticator app holds it
    confirmed_at = UTCDateTimeField(default=utcnow)
    last_used_step = peewee.BigIntegerField()
    last_used_at = UTCDateTimeField(null=True)


class RecoveryCode(BaseModel):
    """One single-use recovery code (shown once). Only its hash is stored; codes carry 80 random bits,
    so a plain SHA-256 is as good as a slow hash for them."""

    user = peewee.ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE", index=False)
    code_hash = peewee.CharField(max_length=64)
    created_at = UTCDateTimeField(default=utcnow)
    used_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("user", "code_hash"), True),)


class RememberedDevice(BaseModel):
    """A browser that need not give the second factor again until expires_at: its cookie holds a random
    token (signed), the row only the token's hash. Deleting the row forgets the browser at once."""

    uuid = _uuid()
    user = peewee.ForeignKeyField(User, backref="remembered_devices", on_delete="CASCADE")
    token_hash = peewee.CharField(max_length=64, unique=True)
    label = peewee.CharField(max_length=200, default="")  # the browser's user agent, to recognise it in the list
    created_at = UTCDateTimeField(default=utcnow)
    last_used_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField(index=True)


MODELS = [TotpFactor, RecoveryCode, RememberedDevice]
