"""The JSON API's own tables: access tokens and the answers kept for Idempotency-Key retries."""

import peewee

from portal.models.base import BaseModel, JSONField, UTCDateTimeField, utcnow, uuid_field
from portal.models.people import User


class ApiToken(BaseModel):
    """A bearer token that acts as its user, limited to its scopes, until it expires or is revoked.
    Only the SHA-256 of the secret is stored (the secret has 256 random bits, so a fast hash is
    enough and a request pays microseconds, not argon2's tens of milliseconds); `prefix` is the start of
    the secret, shown in lists so people can tell their tokens apart."""

    uuid = uuid_field()
    user = peewee.ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = peewee.CharField(max_length=100)
    prefix = peewee.CharField(max_length=16)
    token_hash = peewee.CharField(max_length=64, unique=True)
    scopes = JSONField(default=list)
    created_by = peewee.ForeignKeyField(User, null=True, backref="api_tokens_made", on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField()
    # Written at most once a minute per token (a write per request would serialise every API call).
    last_used_at = UTCDateTimeField(null=True)
    revoked_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "api_token"


class ApiIdempotency(BaseModel):
    """A POST sent with an Idempotency-Key: claimed inside the transaction of the change it makes, with
    the answer it got, so a retry (even one racing the first) gets the first answer and never a
    second case. `fingerprint` (method, path and body) tells a retry from a different request that
    reuses the key."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", index=False)  # the unique (user, key) serves
    key = peewee.CharField(max_length=255)
    fingerprint = peewee.CharField(max_length=64)
    status = peewee.IntegerField(null=True)
    body = JSONField(null=True)
    headers = JSONField(null=True)
    created_at = UTCDateTimeField(index=True)

    class Meta:
        table_name = "api_idempotency"
        indexes = ((("user", "key"), True),)


MODELS = [ApiToken, ApiIdempotency]
