"""Cursor pagination for API lists: a page ends with an opaque cursor naming the last item's sort key,
and the next page starts after that key (keyset), so inserts and deletes elsewhere never shift,
repeat or skip items the way offsets do. A cursor is signed, so a client cannot forge one that
reaches past the filters it was issued for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Generic, TypeVar

import pydantic
from flask import current_app

from portal.api.framework import ApiError
from portal.api.schemas import Model
from portal.i18n import _l

T = TypeVar("T")
BAD_CURSOR = _l("This cursor is not valid here. Start again without one, or use the next_cursor of the "
                "previous page.")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(Model, Generic[T]):
    items: list[T]
    next_cursor: str | None = pydantic.Field(
        description="Pass as `cursor` for the next page; null on the last page.")


def _signature(kind: str, payload: bytes) -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(key, kind.encode() + b"\0" + payload, hashlib.sha256).hexdigest()[:24]


def encode_cursor(kind: str, key: list) -> str:
    """kind names the list (e.g. "cases:<filters digest>") so a cursor of one list is refused by another."""
    payload = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _signature(kind, payload)


def decode_cursor(kind: str, cursor: str | None) -> list | None:
    """The key a cursor names, or None without one; ApiError 400 invalid_cursor when it was not
    issued for this list."""
    if not cursor:
        return None
    encoded, _, signature = cursor.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (ValueError, TypeError):
        payload = b""
    if not payload or not hmac.compare_digest(signature, _signature(kind, payload)):
        raise ApiError(400, "invalid_cursor", BAD_CURSOR, {"cursor": BAD_CURSOR})
    key = json.loads(payload)
    if not isinstance(key, list):
        raise ApiError(400, "invalid_cursor", BAD_CURSOR, {"cursor": BAD_CURSOR})
    return key
