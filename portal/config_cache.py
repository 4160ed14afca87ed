"""Configuration read once per change, not once per request (issue 12).

Templates, their layouts, statuses, reasons, SLA policies, notification rules and webhook routes change a few
times a day and are read by every submission, case page and API call. The database keeps a stamp
(configuration_version, migration 0033) that triggers on those tables set anew in the same statement as any change,
so it commits and rolls back with it, whoever writes. A request reads the stamp once (one statement, remembered per
request: portal.request_memo) and takes what it needs from this process's cache keyed by (database, stamp, what):
a change committed anywhere (another worker, another machine, a script) gives a new stamp, so the next request
reads afresh, and nothing read under an older stamp is ever served for a newer one.

The stamp is read again:
- inside a transaction: the transaction's own changes count (its stamp may be one nobody else sees yet; a stamp is
  random and never handed out twice, so what is cached under it is never served for another state);
- after a transaction was opened since it was read in this request (portal.db.transactions_opened): the request may
  have changed the configuration itself.
A service whose transaction writes no configuration (opening a case, a comment) wraps it in `unchanged()`: the
stamp is read once for the whole block, and what is first read afresh inside its transaction is kept only after one
more read confirms the stamp has not moved.

Cached values are shared by every thread of the process: readers hand out values callers do not change (tuples,
frozen dataclasses, model instances they only read). The cache holds at most MAX_ENTRIES values (least recently
used go first), so stamps that are no longer current fall out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

import peewee

from portal import request_memo
from portal.db import database, transactions_opened

T = TypeVar("T")

MAX_ENTRIES = 512
STAMP_SQL = "SELECT stamp FROM configuration_version WHERE id = 1"

_entries: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()
_MISSING = object()
_pinned: ContextVar[tuple | None] = ContextVar("caseport_configuration_pinned", default=None)


def database_identity(db: peewee.Database | None = None) -> tuple:
    """What tells one database from another in this process: tests open many, several apps may share one."""
    db = db or database.obj
    identity = getattr(db, "_caseport_identity", None)
    if identity is None:
        params = db.connect_params
        identity = (type(db).__name__, str(db.database), params.get("host"), params.get("port"),
                    params.get("options"))
        db._caseport_identity = identity
    return identity


def _read_stamp() -> int:
    row = database.execute_sql(STAMP_SQL).fetchone()
    if row is None:
        raise RuntimeError("configuration_version has no row: run `caseport db upgrade` (migration 0033)")
    return row[0]


def current_stamp() -> int:
    """The configuration's stamp as this request sees it (see the module's docstring for when it is read again)."""
    identity = database_identity()
    pin = _pinned.get()
    if pin is not None and pin[0] == identity:
        return pin[1]
    if database.in_transaction():
        return _read_stamp()
    return request_memo.remembered(("configuration stamp", identity, transactions_opened()), _read_stamp)


@contextmanager
def unchanged() -> Iterator[None]:
    """For a service whose transaction writes no configuration (opening a case, a comment): the stamp is read
    once when the block starts (or taken from the request) and every configuration read inside, the transaction's
    included, uses it instead of asking the database again. What the block reads is the configuration as it was
    when the block started, as if everything had been read before the transaction began."""
    token = _pinned.set((database_identity(), current_stamp(), []))
    try:
        yield
    finally:
        _pinned.reset(token)


def cached(what: Hashable, compute: Callable[[], T]) -> T:
    """compute()'s value for `what` (a tuple naming the reader and its arguments) under the current stamp."""
    identity = database_identity()
    stamp = current_stamp()
    key = (identity, stamp, what)
    with _lock:
        value = _entries.get(key, _MISSING)
        if value is not _MISSING:
            _entries.move_to_end(key)
            return value  # type: ignore[return-value]
    value = compute()
    pin = _pinned.get()
    if pin is not None and pin[0] == identity and database.in_transaction() and not pin[2]:
        # The first thing read afresh inside the block's transaction: keep it only if the stamp is still the
        # pinned one (nothing committed since the block began), and check that once.
        if _read_stamp() != stamp:
            return value
        pin[2].append(True)
    with _lock:
        _entries[key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget everything cached (tests measuring cold reads)."""
    with _lock:
        _entries.clear()
