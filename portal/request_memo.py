"""What a web request computes once and reuses: the viewer's case scope, and answers that cannot change
while a request that changes nothing runs.

portal.web opens a memo when a request starts and drops it when the request ends, so nothing is
carried from one request into the next. Outside requests (jobs, the CLI, services called directly)
there is no memo and every value is computed each time it is asked for.

A GET or HEAD request changes nothing (a house rule), so on those a case object loaded during the
request still holds the database's values when the page asks the policy about it: `read_only()`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_MISSING = object()
_memo: ContextVar[dict | None] = ContextVar("caseport_request_memo", default=None)
_read_only: ContextVar[bool] = ContextVar("caseport_request_read_only", default=False)


def begin(*, read_only: bool) -> None:
    _memo.set({})
    _read_only.set(read_only)


def end() -> None:
    _memo.set(None)
    _read_only.set(False)


def read_only() -> bool:
    """True inside a request that changes nothing (GET, HEAD)."""
    return _read_only.get() and _memo.get() is not None


def remembered(key: tuple, compute: Callable[[], T]) -> T:
    """compute() once per request for key (every time outside requests)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    value = memo.get(key, _MISSING)
    if value is _MISSING:
        value = memo[key] = compute()
    return value


def keep(key: tuple, value) -> None:
    """Remember value for key for the rest of this request (nothing outside requests)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value
