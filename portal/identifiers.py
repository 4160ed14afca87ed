"""Public identifiers arriving from outside (URLs, forms, query strings, jobs): checked here, one way.

Rows are stored with the canonical text of their UUID (lower case, hyphenated). Anything that is not
a UUID never reaches the database: PostgreSQL would refuse some of it (a NUL byte) with an error
that aborts the transaction, and no query is needed to know it matches nothing.
"""

from __future__ import annotations

import uuid

__all__ = ["by_uuid", "parse_uuid"]


def parse_uuid(value: object) -> str | None:
    """The canonical text of value as a UUID, or None when it is not one (None, "", junk, a number).

    Accepts the forms Python's uuid module reads (any case, with or without hyphens or braces) and
    uuid.UUID objects (what a <uuid:...> route argument holds).
    """
    if isinstance(value, uuid.UUID):
        return str(value)
    # Python's int() reads any script's digits; a UUID is written in ASCII hex only.
    if not isinstance(value, str) or not value or not value.isascii():
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def by_uuid(model, value: object):
    """The model's row with this public UUID, or None (also for anything that is not a UUID)."""
    text = parse_uuid(value)
    return None if text is None else model.get_or_none(model.uuid == text)
