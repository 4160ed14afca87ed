"""peewee field types with the storage conventions Caseport uses everywhere.

The notifier is the lowest layer, so these live here and the portal imports them too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import peewee


class UTCDateTimeField(peewee.DateTimeField):
    """Stores naive UTC, hands back aware UTC datetimes; refuses naive input so local times never slip in."""

    def db_value(self, value):
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"{self.name}: naive datetime; pass an aware UTC datetime")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


class JSONField(peewee.TextField):
    """Plain JSON data (dicts, lists, strings, numbers) stored as text on every backend."""

    def db_value(self, value):
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=_json_default)

    def python_value(self, value):
        if value is None:
            return None
        return json.loads(value)


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not plain JSON data")
