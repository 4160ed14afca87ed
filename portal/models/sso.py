"""Single sign-on (OpenID Connect): the identities a provider vouches for, and the sign-ins under way."""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.people import User


class SsoIdentity(BaseModel):
    """One account at an identity provider, (issuer, subject), that signs in one user. The pair is
    unique: the subject is the provider's stable id for the person (the email address may change)."""

    user = peewee.ForeignKeyField(User, backref="sso_identities", on_delete="CASCADE")
    issuer = peewee.CharField(max_length=500)
    subject = peewee.CharField(max_length=255)
    # The configured provider's key (OIDC_PROVIDERS), for showing which button the person uses.
    provider = peewee.CharField(max_length=40)
    # The address the provider vouched for when the identity was linked (for admins; not used to sign in).
    email = peewee.CharField(max_length=254, null=True)
    created_at = UTCDateTimeField(default=utcnow)
    last_used_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("issuer", "subject"), True),)


class SsoLogin(BaseModel):
    """A sign-in with a provider, from the browser's start to the provider's answer (and after, while the
    session it opened may want RP-initiated logout). Kept on the server: the PKCE verifier and nonce
    never travel in a cookie, and used_at makes the state single use even for a copied cookie."""

    state_hash = peewee.CharField(max_length=64, unique=True)
    provider = peewee.CharField(max_length=40)
    nonce = peewee.CharField(max_length=100)
    code_verifier = peewee.CharField(max_length=128)
    next_url = peewee.CharField(max_length=500, default="")
    created_at = UTCDateTimeField(default=utcnow, index=True)
    used_at = UTCDateTimeField(null=True)
    # After a successful sign-in: who, and the ID token for id_token_hint at sign-out.
    user = peewee.ForeignKeyField(User, null=True, backref="sso_logins", on_delete="CASCADE")
    id_token = peewee.TextField(null=True)


MODELS = [SsoIdentity, SsoLogin]
