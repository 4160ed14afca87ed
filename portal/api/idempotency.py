"""Idempotency-Key on POST: a retried request gets the first answer, and nothing is done twice.

The key is claimed inside ONE transaction with the handler's change: the (user, key) row is inserted
first, the handler runs, its answer is written onto the row, and all of it commits together. A retry
racing the first request waits on that row (PostgreSQL: the unique index blocks the second insert until
the first transaction ends; SQLite: every transaction holds the write lock from its start, portal.db),
then finds the stored answer and replays it. A refused request (any error) rolls the claim back with
everything else, so a retry after a refusal runs again. The same key with a different request (method,
path, query or body) is refused with 422 idempotency_key_reused. Keys are kept for KEEP (see
prune_idempotency_keys); after that the key may be used again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

import peewee
from flask import Response, request

from portal.clock import utcnow
from portal.db import database
from portal.i18n import _l
from portal.models.api import ApiIdempotency

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
# Headers a handler sets that belong to its answer (Content-Type, Cache-Control are the framework's).
_KEPT_HEADERS = ("Location", "ETag")

BAD_KEY = _l("An Idempotency-Key has 1 to 255 printable ASCII characters.")
KEY_REUSED = _l("This Idempotency-Key was already used for a different request. Use a new key for a new "
                "request.")


def key_problem(key: str) -> str | None:
    """Why a presented key is refused, or None."""
    if not 1 <= len(key) <= 255 or any(not " " <= char <= "~" for char in key):
        return BAD_KEY
    return None


def fingerprint() -> str:
    """The request a key was first used for: method, path with query string, and the body's hash."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.rstrip("?").encode(), request.get_data(cache=True)):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _claim(user_id: int, key: str, print_: str, now: datetime) -> ApiIdempotency | None:
    """Claim (user, key) for this request, or the earlier request's stored row. Call inside the
    request's transaction."""
    # An expired key is free again (the scheduled prune may not have run yet).
    (ApiIdempotency
     .delete()
     .where((ApiIdempotency.user == user_id) & (ApiIdempotency.key == key) & (ApiIdempotency.created_at < now - KEEP))
     .execute())
    try:
        with database.atomic():  # a savepoint: PostgreSQL's transaction survives the unique violation
            ApiIdempotency.create(user=user_id, key=key, fingerprint=print_, created_at=now)
    except peewee.IntegrityError:
        return ApiIdempotency.get((ApiIdempotency.user == user_id) & (ApiIdempotency.key == key))
    return None


def _replay(stored: ApiIdempotency, json_response: Callable) -> Response:
    headers = dict(stored.headers or {})
    headers[REPLAYED] = "true"
    return json_response(stored.body or "", stored.status, headers)


class _Refused(Exception):
    """An error answer a handler returned rather than raised: passed on, with the claim rolled back."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def run_once(user_id: int, key: str, handle: Callable[[], Response], json_response: Callable,
             reused: Callable[[], Exception], *, now: datetime | None = None) -> Response:
    """handle() once per (user, key): its answer, or the stored answer of the first request with this
    key. Raises reused() for a different request with a used key; lets handle()'s errors through
    (nothing is kept for them)."""
    now = now or utcnow()
    print_ = fingerprint()
    try:
        with database.atomic():
            stored = _claim(user_id, key, print_, now)
            if stored is not None:
                if stored.fingerprint != print_:
                    raise reused()
                return _replay(stored, json_response)
            response = handle()
            if response.status_code >= 400:
                raise _Refused(response)
            headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
            (ApiIdempotency
             .update(status=response.status_code, body=response.get_data(as_text=True), headers=headers)
             .where((ApiIdempotency.user == user_id) & (ApiIdempotency.key == key))
             .execute())
            return response
    except _Refused as refused:
        return refused.response


def prune_idempotency_keys(now: datetime | None = None) -> int:
    """Forget keys older than KEEP (run by the portal's scheduler)."""
    return ApiIdempotency.delete().where(ApiIdempotency.created_at < (now or utcnow()) - KEEP).execute()
