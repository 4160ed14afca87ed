"""Claiming due messages under a lease, and the conditional writes that end a claim.

A claim sets `status = sending`, a fresh `claim_token` and `lease_expires_at`. Every later write
carries `WHERE claim_token = <token>`, so a worker whose lease ran out (and whose rows another
worker has since claimed) changes nothing. A crashed worker's rows become due again when the
lease expires.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from notifier.models import (
    DEAD,
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    SUPPRESSED,
    Attempt,
    Message,
    database,
    is_postgres,
    write_transaction,
)


@dataclass
class Claim:
    token: str
    worker_id: str
    lease_expires_at: datetime
    messages: list[Message]


def _due(now: datetime, channels):
    due = (
        (Message.status.in_([QUEUED, FAILED]) & (Message.next_attempt_at <= now))
        | ((Message.status == SENDING) & (Message.lease_expires_at <= now))
    )
    if channels:
        due &= Message.channel.in_(list(channels))
    return due


def claim_batch(
    now: datetime, worker_id: str, limit: int, lease_seconds: float, channels=None
) -> Claim:
    """Claim up to `limit` due messages for this worker; each claim counts as an attempt."""
    token = uuid.uuid4().hex
    lease_expires_at = now + timedelta(seconds=lease_seconds)
    claimed = {
        "status": SENDING,
        "claim_token": token,
        "lease_expires_at": lease_expires_at,
        "worker_id": worker_id,
        "attempts": Message.attempts + 1,
    }
    if is_postgres():
        # SKIP LOCKED lets concurrent workers take disjoint batches without waiting on each other.
        # The candidates sit in a CTE so they are chosen once: as an `IN (subquery)` PostgreSQL may
        # re-run the locking subquery per row, skipping rows it just updated, and claim far more
        # than `limit`.
        candidates = (
            Message.select(Message.id)
            .where(_due(now, channels))
            .order_by(Message.next_attempt_at, Message.id)
            .limit(limit)
            .for_update(skip_locked=True)
            .cte("candidates")
        )
        with database.atomic():
            rows = list(
                Message.update(**claimed)
                .from_(candidates)
                .where(Message.id == candidates.c.id)
                .with_cte(candidates)
                .returning(Message)
                .execute()
            )
    else:
        # SQLite has no row locks: BEGIN IMMEDIATE takes the write lock before reading, so two
        # workers can never pick the same candidates.
        with write_transaction():
            ids = [
                row.id
                for row in Message.select(Message.id)
                .where(_due(now, channels))
                .order_by(Message.next_attempt_at, Message.id)
                .limit(limit)
            ]
            if ids:
                Message.update(**claimed).where(Message.id.in_(ids) & _due(now, channels)).execute()
        rows = list(Message.select().where(Message.claim_token == token)) if ids else []
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
        started_at=started_at,
        finished_at=finished_at,
        outcome=outcome,
        error=error,
    )


def store_rendered(message: Message, token: str, rendered: dict, sms_info: tuple | None) -> bool:
    """Keep the first rendering on the row so retries send exactly the same content."""
    changes = {"rendered": rendered}
    if sms_info is not None:
        changes["sms_encoding"], changes["sms_segments"] = sms_info
    return bool(Message.update(**changes).where(_held(message, token)).execute())


def mark_sent(message, token, worker_id, started_at, finished_at, provider_id=None) -> bool:
    """Record success; False when the lease was lost meanwhile (the row belongs to someone else)."""
    with database.atomic():
        updated = (
            Message.update(
                status=SENT,
                sent_at=finished_at,
                provider_id=provider_id,
                claim_token=None,
                lease_expires_at=None,
                last_error=None,
            )
            .where(_held(message, token))
            .execute()
        )
        _record_attempt(message, worker_id, started_at, finished_at, "sent" if updated else "sent_late")
    return bool(updated)


def mark_failed(message, token, worker_id, started_at, finished_at, error, next_attempt_at) -> bool:
    with database.atomic():
        updated = (
            Message.update(
                status=FAILED,
                next_attempt_at=next_attempt_at,
                claim_token=None,
                lease_expires_at=None,
                last_error=error,
            )
            .where(_held(message, token))
            .execute()
        )
        _record_attempt(message, worker_id, started_at, finished_at, "transient", error)
    return bool(updated)


def mark_dead(message, token, worker_id, started_at, finished_at, error, outcome="permanent") -> bool:
    with database.atomic():
        updated = (
            Message.update(
                status=DEAD,
                claim_token=None,
                lease_expires_at=None,
                last_error=error,
            )
            .where(_held(message, token))
            .execute()
        )
        _record_attempt(message, worker_id, started_at, finished_at, outcome, error)
    return bool(updated)


def mark_suppressed(message, token, worker_id, started_at, finished_at, reason) -> bool:
    """End the message without sending it: the host's delivery check said no (`reason` is kept)."""
    with database.atomic():
        updated = (
            Message.update(
                status=SUPPRESSED,
                claim_token=None,
                lease_expires_at=None,
                last_error=reason,
            )
            .where(_held(message, token))
            .execute()
        )
        _record_attempt(message, worker_id, started_at, finished_at, "suppressed", reason)
    return bool(updated)


def release(messages: list[Message], token: str) -> int:
    """Give back claimed messages not yet tried, without counting the attempt."""
    if not messages:
        return 0
    return (
        Message.update(
            status=QUEUED,
            attempts=Message.attempts - 1,
            claim_token=None,
            lease_expires_at=None,
        )
        .where(
            Message.id.in_([m.id for m in messages])
            & (Message.claim_token == token)
        )
        .execute()
    )
