"""Fixed-shape statements of the delivery run, compiled by peewee once and run again with new values.

The claim's conditions stay written once, as peewee expressions (leases._due and friends); turning
them into SQL text cost tens of µs per message (a batch compiled the due-condition three times).
Here each query is built once per database and shape with marker values in the places of the
values that change (the time, the worker id, tokens, ids, the limit); the compiled parameters are
then a template: later runs put their values where the markers were. Rows come back as Message
objects built directly (the same values peewee would give, without its per-column descriptors).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import peewee

from notifier.fields import JSONField, UTCDateTimeField
from notifier.models import Message, database

# Stand-ins for values that change between runs. Nothing real has these values: times from 1901,
# ids below -7e9 and strings with NUL bytes.
NOW = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
LEASE = datetime(1902, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
WORKER = "\x00worker\x00"
TOKEN = "\x00token\x00"  # noqa: S105 (a claim token, not a password)
LIMIT = 987654321


def active_marker(n: int) -> str:
    return f"\x00active{n}\x00"


def id_marker(n: int) -> int:
    return -7_000_000_000 - n


_compiled: dict[tuple, tuple[str, list]] = {}


def _slots(params: list, names: dict) -> list:
    """Each compiled parameter: ("value", name) where a marker was, else ("const", the parameter)."""
    slots = []
    for param in params:
        for name, marker in names.items():
            if type(param) is type(marker) and param == marker:
                slots.append(("value", name))
                break
        else:
            slots.append(("const", param))
    return slots


def _looks_like_marker(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value or value.startswith(("1901-", "1902-"))
    if isinstance(value, datetime):
        return value.year in (1901, 1902)
    return isinstance(value, int) and (value <= -7_000_000_000 or value == LIMIT)


def _db_markers(markers: dict) -> dict:
    """The markers as peewee hands them to the driver (times as the date fields store them)."""
    field = Message.next_attempt_at
    return {name: field.db_value(value) if isinstance(value, datetime) else value for name, value in markers.items()}


def statement(name: str, shape: tuple, build, names: dict, values: dict) -> tuple[str, list]:
    """The SQL of the query `build()` returns (compiled once per database, `name` and `shape`; built
    with the marker values `names` maps to) and its parameters with `values` (by the same names;
    times as aware datetimes) where the markers were."""
    key = (id(database.obj), name, shape)
    entry = _compiled.get(key)
    if entry is None:
        sql, params = build().sql()
        slots = _slots(params, _db_markers(names))
        for kind, value in slots:
            if kind == "const" and _looks_like_marker(value):
                raise AssertionError(f"{name}: a marker was changed on its way into the SQL: {value!r}")
        entry = _compiled[key] = (sql, slots)
    sql, slots = entry
    given = _db_markers(values)
    return sql, [given[slot] if kind == "value" else slot for kind, slot in slots]


def _datetime(field: UTCDateTimeField):
    def convert(value):
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return field.python_value(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    return convert


def _json(value):
    return None if value is None else json.loads(value)


def _uuid(value):
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(value)


def _converter(field: peewee.Field):
    if isinstance(field, UTCDateTimeField):
        return _datetime(field)
    if isinstance(field, JSONField):
        return _json
    if isinstance(field, peewee.UUIDField):
        return _uuid
    if isinstance(field, (peewee.CharField, peewee.TextField)):
        return lambda value: value if value is None or type(value) is str else field.python_value(value)
    if isinstance(field, peewee.IntegerField):  # also AutoField
        return lambda value: value if value is None or type(value) is int else field.python_value(value)
    return lambda value: None if value is None else field.python_value(value)


_BY_COLUMN = {field.column_name: field for field in Message._meta.sorted_fields}
_CONVERTERS = {field.column_name: _converter(field) for field in Message._meta.sorted_fields}


def messages(cursor) -> list[Message]:
    """The rows of a cursor over outbox columns as Message objects, as peewee would build them."""
    columns = [description[0] for description in cursor.description]
    names = [_BY_COLUMN[column].name for column in columns]
    converters = [_CONVERTERS[column] for column in columns]
    indices = range(len(columns))
    result = []
    new = Message.__new__
    for row in cursor.fetchall():
        message = new(Message)
        message.__data__ = {names[i]: converters[i](row[i]) for i in indices}
        message._dirty = set()
        message.__rel__ = {}
        result.append(message)
    return result
