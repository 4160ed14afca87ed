"""Claiming due messages under a lease, and the conditional writes that end a claim.

A claim sets `status = sending`, a fresh `claim_token` and `lease_expires_at`; it does not count an
attempt. Just before a send, `start_attempt` counts it and sets `attempt_started_at` (conditional on
the token); the outcome write clears it. Every write carries `WHERE claim_token = <token>`, so a
worker whose lease ran out (and whose rows another worker has since claimed) changes nothing.

When a worker is lost, its untried rows (no `attempt_started_at`) become due again when the lease
expires, or at once for a new run of the same worker id (its own leftovers). A row lost *during*
an attempt may have been delivered: the next claim holds it as `unknown` for review instead.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import peewee

from notifier import compiled, registry
from notifier.models import (
    DEAD,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    SUPPRESSED,
    UNKNOWN,
    Attempt,
    Hold,
    Message,
    database,
    is_postgres,
    write_transaction,
)

LOST_DURING_ATTEMPT = "the worker was lost during this attempt: it may have been delivered, so it is held for review"


@dataclass
class Claim:
    token: str
    worker_id: str
    lease_expires_at: datetime
    messages: list[Message]


def _own_leftovers(worker_id: str | None, active_tokens):
    """Rows this worker id claimed in a run that is no longer going on (it failed or the process
    died): a restarted worker takes them back without waiting for the lease."""
    if not worker_id:
        return None
    mine = (Message.status == SENDING) & (Message.worker_id == worker_id)
    if active_tokens:
        mine &= Message.claim_token.not_in(list(active_tokens))
    return mine


def _due(now: datetime, channels, worker_id=None, active_tokens=()):
    expired = (Message.status == SENDING) & (Message.lease_expires_at <= now)
    mine = _own_leftovers(worker_id, active_tokens)
    if mine is not None:
        expired |= mine
    due = (
        (Message.status.in_([QUEUED, FAILED]) & (Message.next_attempt_at <= now))
        | (expired & Message.attempt_started_at.is_null())
    )
    if channels:
        due &= Message.channel.in_(list(channels))
    held = (
        Hold.select(peewee.SQL("1"))
        .where((Hold.channel == Message.channel) & (Hold.address_key == Message.address_key))
    )
    due &= ~peewee.fn.EXISTS(held)
    ordered = registry.ordered_channels()
    if ordered and (not channels or set(ordered) & set(channels)):
        due &= ~(Message.channel.in_(list(ordered)) & Message.thread.is_null(False) & peewee.fn.EXISTS(_earlier()))
    return due


# Messages of an ordered channel still on their way: a later message to the same address in the
# same thread waits for them (sent, dead, suppressed or held for review lets it go).
_ON_THE_WAY = (QUEUED, SENDING, FAILED)


def _earlier():
    earlier = Message.alias("earlier")
    return (
        earlier.select(peewee.SQL("1"))
        .where(
            (earlier.channel == Message.channel)
            & (earlier.address_key == Message.address_key)
            & (earlier.thread == Message.thread)
            & (earlier.id < Message.id)
            & earlier.status.in_(_ON_THE_WAY)
        )
    )


def _lost_during_attempt(now: datetime, worker_id=None, active_tokens=()):
    expired = (Message.status == SENDING) & (Message.lease_expires_at <= now)
    mine = _own_leftovers(worker_id, active_tokens)
    if mine is not None:
        expired |= mine
    return expired & Message.attempt_started_at.is_null(False)


class _Shape:
    """Markers and values of one compiled claim statement: the time, the worker id (if any) and
    this worker's active claims (their number is part of the shape), plus any `more` (name → (marker,
    value))."""

    def __init__(self, now, worker_id, active_tokens, **more):
        active = sorted(active_tokens or ())
        # The registry's ordered channels are part of the due-condition's SQL text.
        self.key = (bool(worker_id), len(active), tuple(registry.ordered_channels()), *sorted(more))
        self.now, self.worker = compiled.NOW, compiled.WORKER if worker_id else None
        self.active = [compiled.active_marker(n) for n in range(len(active))]
        self.names = {"now": compiled.NOW, **({"worker": compiled.WORKER} if worker_id else {}),
                      **{marker: marker for marker in self.active}}
        self.values = {"now": now, **({"worker": worker_id} if worker_id else {}), **dict(zip(self.active, active))}
        for name, (marker, value) in more.items():
            self.names[name], self.values[name] = marker, value

    def statement(self, name: str, build, extra_shape=()) -> tuple[str, list]:
        return compiled.statement(name, (*self.key, *extra_shape), build, self.names, self.values)


def hold_lost_attempts(now: datetime, worker_id: str | None = None, active_tokens=()) -> int:
    """Hold for review the rows whose worker was lost in the middle of an attempt (outcome unknown)."""
    shape = _Shape(now, worker_id, active_tokens)
    sql, params = shape.statement("lost", lambda: (
        Message.select(Message.id, Message.attempts, Message.claim_token, Message.worker_id,
                       Message.attempt_started_at)
        .where(_lost_during_attempt(shape.now, shape.worker, shape.active))
    ))
    lost = compiled.messages(database.execute_sql(sql, params))
    held = 0
    for message in lost:
        updated = (
            Message.update(status=UNKNOWN, claim_token=None, lease_expires_at=None, attempt_started_at=None,
                           last_error=LOST_DURING_ATTEMPT)
            .where((Message.id == message.id) & (Message.claim_token == message.claim_token))
            .execute()
        )
        if updated:
            held += 1
            _record_attempt(message, message.worker_id, message.attempt_started_at, now, "unknown",
                            LOST_DURING_ATTEMPT)
    return held


def claim_batch(
    now: datetime, worker_id: str, limit: int, lease_seconds: float, channels=None, active_tokens=()
) -> Claim:
    """Claim up to `limit` due messages for this worker. Claiming counts no attempt.

    `active_tokens` are the claims this worker id still works on (in this process): its other
    rows in `sending` are leftovers of a run that failed or died, and are taken back at once.
    """
    token = uuid.uuid4().hex
    lease_expires_at = now + timedelta(seconds=lease_seconds)
    channels = tuple(channels or ())
    shape = _Shape(now, worker_id, active_tokens, token=(compiled.TOKEN, token),
                   lease=(compiled.LEASE, lease_expires_at), limit=(compiled.LIMIT, limit))
    marked = {"status": SENDING, "claim_token": compiled.TOKEN, "lease_expires_at": compiled.LEASE,
              "worker_id": compiled.WORKER if worker_id else None}

    def due():
        return _due(shape.now, channels, shape.worker, shape.active)

    if is_postgres():
        # SKIP LOCKED lets concurrent workers take disjoint batches without waiting on each other.
        # The candidates sit in a CTE so they are chosen once: as an `IN (subquery)` PostgreSQL may
        # re-run the locking subquery per row, skipping rows it just updated, and claim far more
        # than `limit`.
        def build():
            candidates = (
                Message.select(Message.id)
                .where(due())
                .order_by(Message.next_attempt_at, Message.id)
                .limit(compiled.LIMIT)
                .for_update(skip_locked=True)
                .cte("candidates")
            )
            return (
                Message.update(**marked)
                .from_(candidates)
                .where(Message.id == candidates.c.id)
                .with_cte(candidates)
                .returning(Message)
            )

        with database.atomic():
            hold_lost_attempts(now, worker_id, active_tokens)
            rows = compiled.messages(database.execute_sql(*shape.statement("claim", build, channels)))
    else:
        # SQLite has no row locks: BEGIN IMMEDIATE takes the write lock before reading, so two
        # workers can never pick the same candidates.
        with write_transaction():
            hold_lost_attempts(now, worker_id, active_tokens)
            sql, params = shape.statement("candidates", lambda: (
                Message.select(Message.id).where(due()).order_by(Message.next_attempt_at, Message.id)
                .limit(compiled.LIMIT)
            ), channels)
            ids = [row_id for (row_id,) in database.execute_sql(sql, params)]
            if ids:
                by_id = _Shape(now, worker_id, active_tokens, token=(compiled.TOKEN, token),
                               lease=(compiled.LEASE, lease_expires_at),
                               **{f"id{n}": (compiled.id_marker(n), row_id) for n, row_id in enumerate(ids)})
                markers = [compiled.id_marker(n) for n in range(len(ids))]
                database.execute_sql(*by_id.statement("mark", lambda: (
                    Message.update(**marked).where(Message.id.in_(markers) & due())
                ), (channels, len(ids))))
                # By id: claim_token has no index, and a scan of the whole outbox per claim made the
                # notifier's memory (SQLite's page cache) and CPU grow with the size of the table.
                rows = compiled.messages(database.execute_sql(*by_id.statement("claimed", lambda: (
                    Message.select().where(Message.id.in_(markers) & (Message.claim_token == compiled.TOKEN))
                ), (len(ids),))))
            else:
                rows = []
    rows.sort(key=lambda m: (m.next_attempt_at, m.id))
    return Claim(token=token, worker_id=worker_id, lease_expires_at=lease_expires_at, messages=rows)


def full_jitter_backoff(attempt: int, base_seconds: float, cap_seconds: float) -> float:
    """Seconds to wait before retry number `attempt` (1-based): uniform in [0, min(cap, base·2^(n-1))]."""
    ceiling = min(cap_seconds, base_seconds * (2 ** min(attempt - 1, 32)))
    return random.uniform(0, ceiling)


def _held(message: Message, token: str):
    return (Message.id == message.id) & (Message.claim_token == token)


def _record_attempt(message, worker_id, started_at, finished_at, outcome, error=None):
    Attempt.create(
        message=message.id,
        number=message.attempts,
        worker_id=worker_id,
        started_at=started_at or finished_at,
        finished_at=finished_at,
        outcome=outcome,
        error=error,
    )


def _finish(message, token, worker_id, started_at, finished_at, status, outcome, error, **changes) -> bool:
    """End the claim with `status` and log the attempt. An ending without `start_attempt` (render
    error, suppressed, channel off) counts its attempt here."""
    counted = message.attempt_started_at is not None
    with database.atomic():
        updated = (
            Message.update(
                status=status,
                claim_token=None,
                lease_expires_at=None,
                attempt_started_at=None,
                last_error=error,
                **({} if counted else {"attempts": Message.attempts + 1}),
                **changes,
            )
            .where(_held(message, token))
            .execute()
        )
        if not counted:
            message.attempts += 1
        message.attempt_started_at = None
        _record_attempt(message, worker_id, started_at, finished_at, outcome if updated else f"{outcome}_late", error)
    return bool(updated)


def mark_sent(message, token, worker_id, started_at, finished_at, provider_id=None) -> bool:
    """Record success; False when the lease was lost meanwhile (the row belongs to someone else)."""
    return _finish(message, token, worker_id, started_at, finished_at, SENT, "sent", None,
                   sent_at=finished_at, provider_id=provider_id)


def mark_failed(message, token, worker_id, started_at, finished_at, error, next_attempt_at) -> bool:
    return _finish(message, token, worker_id, started_at, finished_at, FAILED, "transient", error,
                   next_attempt_at=next_attempt_at)


def mark_dead(message, token, worker_id, started_at, finished_at, error, outcome="permanent") -> bool:
    return _finish(message, token, worker_id, started_at, finished_at, DEAD, outcome, error)


def mark_unknown(message, token, worker_id, started_at, finished_at, error) -> bool:
    """Hold the message for review: it was handed over but the answer never came."""
    return _finish(message, token, worker_id, started_at, finished_at, UNKNOWN, "unknown", error)


def mark_suppressed(message, token, worker_id, started_at, finished_at, reason) -> bool:
    """End the message without sending it: the host's delivery check said no (`reason` is kept)."""
    return _finish(message, token, worker_id, started_at, finished_at, SUPPRESSED, "suppressed", reason)


def _status_before_claim():
    # A message never tried was queued; one tried before is waiting for its retry.
    return peewee.Case(None, [(Message.attempts == 0, QUEUED)], FAILED)


def give_back(message: Message, token: str) -> bool:
    """The channel was down before anything was handed over: undo the attempt's count and make the
    message due again as it was (the channel backs off, not the message)."""
    updated = (
        Message.update(
            status=peewee.Case(None, [(Message.attempts <= 1, QUEUED)], FAILED),
            attempts=Message.attempts - 1,
            attempt_started_at=None,
            claim_token=None,
            lease_expires_at=None,
        )
        .where(_held(message, token) & Message.attempt_started_at.is_null(False))
        .execute()
    )
    if updated:
        message.attempts -= 1
        message.attempt_started_at = None
    return bool(updated)


def release(messages: list[Message], token: str) -> int:
    """Give back claimed messages not yet tried; their attempt counts are untouched."""
    if not messages:
        return 0
    return (
        Message.update(
            status=_status_before_claim(),
            claim_token=None,
            lease_expires_at=None,
        )
        .where(
            Message.id.in_([m.id for m in messages])
            & (Message.claim_token == token)
            & Message.attempt_started_at.is_null()
        )
        .execute()
    )


def extend_lease(messages: list[Message], token: str, until: datetime) -> int:
    """Push back the lease of this claim's untried rows (the one being tried has its own)."""
    return (
        Message.update(lease_expires_at=until)
        .where(
            Message.id.in_([m.id for m in messages])
            & (Message.claim_token == token)
            & Message.attempt_started_at.is_null()
        )
        .execute()
    )
