"""Base model: bound to the shared DatabaseProxy, snake_case table names, UUIDs for public ids."""

import uuid

import peewee

from notifier.fields import JSONField, UTCDateTimeField
from portal.clock import utcnow
from portal.db import database

__all__ = ["BaseModel", "JSONField", "UTCDateTimeField", "new_uuid", "utcnow"]


def new_uuid() -> str:
    return str(uuid.uuid4())


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


def uuid_field() -> peewee.CharField:
    return peewee.CharField(max_length=36, unique=True, default=new_uuid)
