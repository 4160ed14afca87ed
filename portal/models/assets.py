"""Products and assets an account owns (a printer, a licence, a site), which cases can refer to."""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid
from portal.models.people import Account


class Asset(BaseModel):
    uuid = _uuid()
    account = peewee.ForeignKeyField(Account, backref="assets", on_delete="CASCADE")
    name = peewee.CharField(max_length=200)
    # Serial number or asset tag. NULL when unknown: NULLs never collide in the unique index, so
    # an account may hold several assets without one while tagged ones stay unique per account.
    identifier = peewee.CharField(max_length=100, null=True)
    active = peewee.BooleanField(default=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("account", "identifier"), True),)

    def __str__(self):
        return f"{self.name} ({self.identifier})" if self.identifier else self.name


MODELS = [Asset]
