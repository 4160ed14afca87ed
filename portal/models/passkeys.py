"""Passkeys (WebAuthn credentials) and the challenges of the ceremonies under way (portal/passkeys)."""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, JSONField, UTCDateTimeField, utcnow, uuid_field
from portal.models.people import User


class Passkey(BaseModel):
    """One WebAuthn credential of a user: it signs them in without a password (a discoverable credential
    with user verification is both factors at once) or serves as their second factor."""

    uuid = uuid_field()  # what the account page's forms name; the credential id stays between browser and server
    user = peewee.ForeignKeyField(User, backref="passkeys", on_delete="CASCADE")
    # base64url of the authenticator's credential id (at most 1023 bytes by the specification): unique,
    # so one authenticator's credential can never belong to two users.
    credential_id = peewee.CharField(max_length=1400, unique=True)
    public_key = peewee.TextField()  # base64url of the COSE key from the registration
    # The authenticator's signature counter (32 bits unsigned, hence BIGINT): each use must raise it, or
    # the credential may have been cloned; authenticators that keep no counter send 0 every time.
    sign_count = peewee.BigIntegerField(default=0)
    transports = JSONField(default=list)  # hints for the browser ("internal", "usb", "hybrid" ...)
    name = peewee.CharField(max_length=60)  # chosen by the user ("Work laptop")
    created_at = UTCDateTimeField(default=utcnow)
    last_used_at = UTCDateTimeField(null=True)


class PasskeyChallenge(BaseModel):
    """A challenge handed to a browser for one ceremony (register, sign in, second factor). The browser's
    session holds the challenge itself; this row makes it single use (claimed by deleting it) and short-lived,
    even for a copy of the session cookie replayed with a recorded answer."""

    challenge_hash = peewee.CharField(max_length=64, unique=True)
    purpose = peewee.CharField(max_length=20)
    # The user a registration or second-factor challenge was made for; None for a passwordless sign-in.
    user = peewee.ForeignKeyField(User, null=True, backref="passkey_challenges", on_delete="CASCADE")
    created_at = UTCDateTimeField(default=utcnow, index=True)


MODELS = [Passkey, PasskeyChallenge]
