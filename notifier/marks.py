"""The writes every delivered message needs, made cheap: storing a batch's renderings in one
statement, and one transaction per send that counts the attempt about to be made *and* marks the
message delivered just before it sent (its SQL written once per database, no query building).

Why one transaction per send and not one per batch: before a message is handed over, the database
must say that it may be in flight, or a crash right after the hand-over would send it again. A
single mark for a whole batch cannot tell, after a crash, the messages that were tried (held for
review) from those that were not (to be sent, their attempt not spent): the two look the same
unless something was written between them. So the start mark stays per message, and it carries
the previous message's sent mark, which then costs no commit of its own.

After a crash at most one message per worker is left marked "in flight": the one being sent, or
the one just delivered whose sent mark was to ride with the next start. The next claim holds it for
review (outcome unknown); it is never sent again by itself. The last delivery of a batch is marked
on its own; on PostgreSQL that commit does not wait for the disk (`synchronous_commit = off`): if
the database server crashes and loses it, the row still says "in flight" and is held the same way,
never resent, never lost. The start mark always waits for the disk.
"""

# The statements below are built from the models' table and column names only; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import threading
from datetime import datetime, timedelta

import peewee

from notifier.models import SENT, Attempt, Message, database, is_postgres

_statements: dict[tuple, str] = {}

# SQLite has one write lock per database file, and a connection that finds it taken sleeps in its
# busy handler (1 ms, then 2, 5, 10 ... ms) before trying again: the lanes of one worker (threads,
# one connection each) would sleep on each other's start marks. They take turns here instead,
# which costs no sleep. (Other processes still meet SQLite's lock and its busy timeout.)
_sqlite_writer = threading.Lock()


def _writing():
    return contextlib.nullcontext() if is_postgres() else _sqlite_writer


def _q(field: peewee.Field) -> str:
    return f'"{field.column_name}"'


def _statement(name: str, build) -> str:
    """The text of a statement, written once per database (placeholders differ: ? or %s)."""
    key = (id(database.obj), name)
    if key not in _statements:
        _statements[key] = build(database.obj.param)
    return _statements[key]


_MESSAGE = f'"{Message._meta.table_name}"'
_ATTEMPT = f'"{Attempt._meta.table_name}"'
_ATTEMPT_COLUMNS = ", ".join(_q(f) for f in (Attempt.message, Attempt.number, Attempt.worker_id,
                                               Attempt.started_at, Attempt.finished_at, Attempt.outcome))


def _held_by(p: str) -> str:
    return f"{_q(Message.id)} = {p} AND {_q(Message.claim_token)} = {p}"


def _start_sql(p: str) -> str:
    return (f"UPDATE {_MESSAGE} SET {_q(Message.attempts)} = {_q(Message.attempts)} + 1, "
            f"{_q(Message.attempt_started_at)} = {p}, {_q(Message.lease_expires_at)} = {p} WHERE {_held_by(p)}")


def _sent_sql(p: str) -> str:
    return (f"UPDATE {_MESSAGE} SET {_q(Message.status)} = '{SENT}', {_q(Message.sent_at)} = {p}, "
            f"{_q(Message.provider_id)} = {p}, {_q(Message.claim_token)} = NULL, "
            f"{_q(Message.lease_expires_at)} = NULL, {_q(Message.attempt_started_at)} = NULL, "
            f"{_q(Message.last_error)} = NULL WHERE {_held_by(p)}")


def _attempt_sql(p: str) -> str:
    return f"INSERT INTO {_ATTEMPT} ({_ATTEMPT_COLUMNS}) VALUES ({p}, {p}, {p}, {p}, {p}, {p})"


def _sent_and_start_sql(p: str) -> str:
    # PostgreSQL: one statement, so one round trip. Every data-modifying CTE runs exactly once,
    # whether or not the final SELECT reads it.
    return (
        f"WITH sent AS ({_sent_sql(p)} RETURNING {_q(Message.id)}), "
        f"logged AS (INSERT INTO {_ATTEMPT} ({_ATTEMPT_COLUMNS}) VALUES ({p}, {p}, {p}, {p}, {p}, "
        f"CASE WHEN EXISTS (SELECT 1 FROM sent) THEN 'sent' ELSE 'sent_late' END)), "
        f"started AS ({_start_sql(p)} RETURNING {_q(Message.id)}) "
        f"SELECT (SELECT count(*) FROM sent), (SELECT count(*) FROM started)"
    )


def _stamp(field: peewee.Field, value: datetime):
    return field.db_value(value)


def _sent_values(entry, token: str, worker_id: str | None) -> tuple[list, list]:
    """The parameters of the sent mark and of its attempt row (outcome left off) for one delivery."""
    message, started_at, finished_at, provider_id = entry
    sent = [_stamp(Message.sent_at, finished_at), provider_id, message.id, token]
    logged = [message.id, message.attempts, worker_id, _stamp(Attempt.started_at, started_at),
              _stamp(Attempt.finished_at, finished_at)]
    return sent, logged


def start_attempt(message: Message, token: str, now: datetime, lease_seconds: float, delivered=None,
                  worker_id: str | None = None) -> tuple[bool, int | None]:
    """Count the attempt about to be made and give this row a lease long enough for the slowest send
    the channel allows; in the same transaction, mark `delivered` (message, started_at, finished_at,
    provider_id), the message sent just before, as sent. Returns (started, delivered_marked): started
    False means send nothing (the claim was lost meanwhile); delivered_marked is None when there was
    no `delivered`, else 1 (marked) or 0 (its claim was lost: logged `sent_late`)."""
    p_start = [_stamp(Message.attempt_started_at, now),
               _stamp(Message.lease_expires_at, now + timedelta(seconds=lease_seconds)), message.id, token]
    marked = None
    if delivered is None:
        with _writing():
            started = database.execute_sql(_statement("start", _start_sql), p_start).rowcount
    else:
        sent, logged = _sent_values(delivered, token, worker_id)
        if is_postgres():
            cursor = database.execute_sql(_statement("sent+start", _sent_and_start_sql), sent + logged + p_start)
            marked, started = cursor.fetchone()
        else:
            with _sqlite_writer:
                marked, started = _sqlite_sent_and_start(sent, logged, p_start)
        delivered[0].attempt_started_at = None
    if started:
        message.attempts += 1
        message.attempt_started_at = now
    return bool(started), marked


def _sqlite_sent_and_start(sent: list, logged: list, p_start: list) -> tuple[int, int]:
    """SQLite: the sent mark, its attempt row and the next start mark in one transaction, on the
    sqlite3 connection itself (peewee's transaction and statement wrappers cost about as much CPU
    as SQLite's own work here). Inside a transaction someone else opened, peewee's savepoint is used."""
    if database.in_transaction():
        with database.atomic():
            marked = database.execute_sql(_statement("sent", _sent_sql), sent).rowcount
            database.execute_sql(_statement("attempt", _attempt_sql), [*logged, "sent" if marked else "sent_late"])
            return marked, database.execute_sql(_statement("start", _start_sql), p_start).rowcount
    connection = database.connection()
    connection.execute("BEGIN IMMEDIATE")
    try:
        marked = connection.execute(_statement("sent", _sent_sql), sent).rowcount
        connection.execute(_statement("attempt", _attempt_sql), [*logged, "sent" if marked else "sent_late"])
        started = connection.execute(_statement("start", _start_sql), p_start).rowcount
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            connection.execute("ROLLBACK")
        raise
    return marked, started


def _store_sql(columns: tuple[str, ...]):
    def build(p: str) -> str:
        sets = ", ".join(f"{_q(Message._meta.fields[name])} = {p}" for name in ("rendered", *columns))
        return f"UPDATE {_MESSAGE} SET {sets} WHERE {_held_by(p)}"

    return build


def store_renderings(entries: list[tuple], token: str) -> set[int]:
    """Keep each message's first rendering on its row (with the channel's measures of it, e.g. SMS
    segments), so retries send exactly the same content: one statement per shape of columns, run
    for all rows at once. `entries` are (message, rendered, columns or None). Returns the ids whose
    claim still held (the others belong to another worker now and were left alone)."""
    shapes: dict[tuple[str, ...], list] = {}
    for message, rendered, columns in entries:
        columns = columns or {}
        names = tuple(sorted(columns))
        values = [Message.rendered.db_value(rendered),
                  *(Message._meta.fields[name].db_value(columns[name]) for name in names), message.id, token]
        shapes.setdefault(names, []).append(values)
    updated = 0
    for names, rows in shapes.items():
        cursor = database.cursor()
        cursor.executemany(_statement(("store", names), _store_sql(names)), rows)
        updated += cursor.rowcount
    ids = [message.id for message, _, _ in entries]
    if updated == len(ids):
        return set(ids)
    return {row_id for (row_id,) in
            Message.select(Message.id).where(Message.id.in_(ids) & (Message.claim_token == token)).tuples()}


def mark_sent_many(results: list[tuple], token: str, worker_id: str) -> tuple[int, int]:
    """Mark a group of delivered messages sent and log their attempts, in one transaction.
    `results` are (message, started_at, finished_at, provider_id). Returns (marked, lost): lost are
    those whose claim was lost meanwhile (logged as `sent_late`, the row left to its new holder)."""
    if not results:
        return 0, 0
    ids = [message.id for message, *_ in results]
    with _writing(), database.atomic():
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


class SentMarks:
    """The sent mark of the last delivery, waiting to ride with the next start mark (at most one)."""

    def __init__(self, claim, report):
        self.claim, self.report = claim, report
        self.pending = None

    def __bool__(self) -> bool:
        return self.pending is not None

    def start(self, message: Message, now: datetime, lease_seconds: float) -> bool:
        delivered, self.pending = self.pending, None
        try:
            started, marked = start_attempt(message, self.claim.token, now, lease_seconds, delivered,
                                            self.claim.worker_id)
        except BaseException:
            self.pending = delivered  # not written: the run's last flush tries it again
            raise
        if marked is not None:
            self.report.sent += marked
            self.report.lost += 1 - marked
        return started

    def add(self, entry) -> None:
        assert self.pending is None, "a delivery whose sent mark is still waiting"
        self.pending = entry

    def flush(self) -> None:
        if self.pending is None:
            return
        pending, self.pending = self.pending, None
        marked, lost = mark_sent_many([pending], self.claim.token, self.claim.worker_id)
        self.report.sent += marked
        self.report.lost += lost
