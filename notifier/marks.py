"""The two writes every delivered message needs, made cheap: counting the attempt just before the
send (one statement whose SQL is generated once), and marking successes sent in small groups (one
transaction per group instead of one per message).

A group not yet written when a worker dies leaves its messages with `attempt_started_at` set: the
next claim holds them for review (outcome unknown), it never sends them again. On PostgreSQL the
group's commit does not wait for the disk (`synchronous_commit = off`): a mark lost in a crash of
the database server has the same effect, never a lost message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import peewee

from notifier.models import SENT, Attempt, Message, database, is_postgres

# Distinct sample values: where each lands in the compiled parameters says where the real one goes.
_SAMPLES = {
    "started": datetime(2000, 1, 1, tzinfo=UTC),
    "until": datetime(2001, 1, 1, tzinfo=UTC),
    "id": -7,
    "token": "sample-token",
}
_compiled: dict[int, tuple[str, list]] = {}


def _start_statement() -> tuple[str, list]:
    """The SQL of start_attempt, generated once per database, and the order of its parameters."""
    key = id(database.obj)
    if key not in _compiled:
        query = (
            Message.update(
                attempts=Message.attempts + 1,
                attempt_started_at=_SAMPLES["started"],
                lease_expires_at=_SAMPLES["until"],
            )
            .where((Message.id == _SAMPLES["id"]) & (Message.claim_token == _SAMPLES["token"]))
        )
        sql, params = query.sql()
        converted = {
            "started": Message.attempt_started_at.db_value(_SAMPLES["started"]),
            "until": Message.lease_expires_at.db_value(_SAMPLES["until"]),
            "id": _SAMPLES["id"],
            "token": _SAMPLES["token"],
        }
        order = [next((name for name, value in converted.items() if value == param), param) for param in params]
        _compiled[key] = (sql, order)
    return _compiled[key]


def start_attempt(message: Message, token: str, now: datetime, lease_seconds: float) -> bool:
    """Count the attempt about to be made, and give this row a lease long enough for the slowest
    send the channel allows. False (send nothing) when the claim was lost meanwhile."""
    sql, order = _start_statement()
    values = {
        "started": Message.attempt_started_at.db_value(now),
        "until": Message.lease_expires_at.db_value(now + timedelta(seconds=lease_seconds)),
        "id": message.id,
        "token": token,
    }
    params = [values[item] if isinstance(item, str) and item in values else item for item in order]
    updated = database.execute_sql(sql, params).rowcount
    if updated:
        message.attempts += 1
        message.attempt_started_at = now
    return bool(updated)


def mark_sent_many(results: list[tuple], token: str, worker_id: str) -> tuple[int, int]:
    """Mark a group of delivered messages sent and log their attempts, in one transaction.
    `results` are (message, started_at, finished_at, provider_id). Returns (marked, lost): lost are
    those whose claim was lost meanwhile (logged as `sent_late`, the row left to its new holder)."""
    if not results:
        return 0, 0
    ids = [message.id for message, *_ in results]
    with database.atomic():
        if is_postgres():
            database.execute_sql("SET LOCAL synchronous_commit = off")
        held = {
            row_id for (row_id,) in
            Message.select(Message.id).where(Message.id.in_(ids) & (Message.claim_token == token)).tuples()
        }
        if held:
            mine = [entry for entry in results if entry[0].id in held]
            (
                Message.update(
                    status=SENT,
                    sent_at=peewee.Case(Message.id, [(m.id, Message.sent_at.db_value(f)) for m, _, f, _ in mine]),
                    provider_id=peewee.Case(Message.id, [(m.id, p) for m, _, _, p in mine]),
                    claim_token=None,
                    lease_expires_at=None,
                    attempt_started_at=None,
                    last_error=None,
                )
                .where(Message.id.in_(sorted(held)) & (Message.claim_token == token))
                .execute()
            )
        Attempt.insert_many([
            {
                "message": message.id,
                "number": message.attempts,
                "worker_id": worker_id,
                "started_at": started_at,
                "finished_at": finished_at,
                "outcome": "sent" if message.id in held else "sent_late",
                "error": None,
            }
            for message, started_at, finished_at, _ in results
        ]).execute()
    for message, *_ in results:
        message.attempt_started_at = None
    return len(held), len(results) - len(held)


# Successes are marked sent in groups of this many (one transaction each): after a crash, at most
# this many delivered messages are held for review (never resent).
MARK_GROUP = 20


class SentMarks(list):
    """Delivered messages waiting for their sent mark, written a group at a time."""

    def __init__(self, claim, report):
        super().__init__()
        self.claim, self.report = claim, report

    def add(self, entry) -> None:
        self.append(entry)
        if len(self) >= MARK_GROUP:
            self.flush()

    def flush(self) -> None:
        marked, lost = mark_sent_many(list(self), self.claim.token, self.claim.worker_id)
        self.report.sent += marked
        self.report.lost += lost
        self.clear()
