"""Race-free rate limits: at most `limit` uses of a scope key within a sliding window.

Each use takes one of the key's numbered slots (ThrottleSlot rows): a free number by an insert that the
unique index guards, or the oldest slot by an update conditional on its use being older than the window.
Two requests can never take the same slot, so a burst of parallel requests gets exactly `limit` through.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee

from portal.db import database
from portal.models.people import ThrottleSlot

# Lost races in a row before a request is refused as if the limit were reached.
_ATTEMPTS = 5


@dataclass(frozen=True)
class Ticket:
    """A slot taken; release() gives it back when the use should not count (a successful sign-in)."""

    scope_key: str
    slot: int


class Throttled(Exception):
    """Every slot of the key is in use; retry_after is how long until the oldest one frees up."""

    def __init__(self, retry_after: timedelta):
        super().__init__(f"throttled for {retry_after}")
        self.retry_after = max(retry_after, timedelta(seconds=1))

    @property
    def seconds(self) -> int:
        return math.ceil(self.retry_after.total_seconds())

    @property
    def minutes(self) -> int:
        return math.ceil(self.retry_after.total_seconds() / 60)


def take(scope_key: str, limit: int, window: timedelta, now: datetime) -> Ticket:
    """Take one use of scope_key. Raises Throttled when `limit` uses fall within the window before now."""
    for _ in range(_ATTEMPTS):
        rows = list(
            ThrottleSlot.select(ThrottleSlot.slot, ThrottleSlot.used_at)
            .where((ThrottleSlot.scope_key == scope_key) & (ThrottleSlot.slot < limit))
            .order_by(ThrottleSlot.used_at, ThrottleSlot.slot)
        )
        used = {row.slot for row in rows}
        free = next((number for number in range(limit) if number not in used), None)
        if free is not None:
            try:
                with database.atomic():
                    ThrottleSlot.create(scope_key=scope_key, slot=free, used_at=now)
            except peewee.IntegrityError:
                continue  # another request took this number first: look again
            return Ticket(scope_key, free)
        oldest = rows[0]
        if oldest.used_at > now - window:
            raise Throttled(oldest.used_at + window - now)
        taken = (
            ThrottleSlot.update(used_at=now)
            .where(
                (ThrottleSlot.scope_key == scope_key)
                & (ThrottleSlot.slot == oldest.slot)
                & (ThrottleSlot.used_at <= now - window)
            )
            .execute()
        )
        if taken:
            return Ticket(scope_key, oldest.slot)
    raise Throttled(timedelta(seconds=1))


def release(ticket: Ticket) -> None:
    ThrottleSlot.delete().where(
        (ThrottleSlot.scope_key == ticket.scope_key) & (ThrottleSlot.slot == ticket.slot)
    ).execute()


def uses(scope_key: str, window: timedelta, now: datetime) -> int:
    """How many uses of scope_key fall within the window before now."""
    return (
        ThrottleSlot.select()
        .where((ThrottleSlot.scope_key == scope_key) & (ThrottleSlot.used_at > now - window))
        .count()
    )


def forget(scope_key: str) -> None:
    ThrottleSlot.delete().where(ThrottleSlot.scope_key == scope_key).execute()


def prune(before: datetime) -> int:
    """Drop uses older than `before` (run by the scheduler with the longest window in use)."""
    return ThrottleSlot.delete().where(ThrottleSlot.used_at < before).execute()


def client_key(address: str | None) -> str:
    """The throttling identity of a client address: an IPv4 address, or an IPv6 address's /64 network
    (one subscriber usually holds a whole /64, so single IPv6 addresses cost an attacker nothing)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "unknown").strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)
