"""The outbox: writing messages in the caller's transaction, and the reads staff screens need."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import peewee

from notifier import registry
from notifier.clock import aware
from notifier.models import DEAD, FAILED, QUEUED, STATUSES, UNKNOWN, Attempt, Message, database
from notifier.plain_data import plain_context
from notifier.recipients import Recipient, check_display_name, normalise_address

# Headers the notifier writes itself: a host may not replace them.
RESERVED_HEADERS = frozenset(
    ("from", "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to", "references",
     "auto-submitted", "content-type", "content-transfer-encoding", "mime-version", "sender")
)
_HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,75}")
# Reserved headers a host may still give a value of its own, and the values it may give: an answer to a
# received message says it is one (RFC 3834 "auto-replied") and names that message (In-Reply-To).
HOST_VALUES = {"auto-submitted": re.compile(r"auto-replied"),
               "in-reply-to": re.compile(r"<[^<>\s@\"]{1,200}@[^<>\s@\"]{1,200}>")}


def checked_headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    """Extra headers as stored: names are RFC 5322 field names the notifier does not set itself,
    values single-line text. Raises ValueError otherwise."""
    if not headers:
        return None
    checked = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"invalid header name {name!r}")
        host_value = HOST_VALUES.get(name.lower())
        if name.lower() in RESERVED_HEADERS and not (host_value and host_value.fullmatch(str(value))):
            raise ValueError(f"the notifier sets the {name} header itself")
        if not isinstance(value, str) or any(c in value for c in "\r\n\0") or len(value) > 2000:
            raise ValueError(f"invalid value for the {name} header")
        checked[name] = value
    return checked


# What staff may put back in the queue: stopped, failed, or held because its outcome is unknown
# (after checking that it did not arrive: a requeued message is sent again).
REQUEUEABLE = (DEAD, FAILED, UNKNOWN)


class NotRequeueable(ValueError):
    """Only dead, failed or held (outcome unknown) messages can be put back in the queue."""


class MessageNotFound(LookupError):
    pass


def enqueue(
    event: str,
    recipients: Iterable[Recipient],
    context: dict,
    key: str,
    *,
    variant: str = "",
    topic: str | None = None,
    thread: str | None = None,
    headers: dict[str, str] | None = None,
    now: datetime | None = None,
) -> int:
    """Write one outbox row per (key, channel, address) inside the caller's transaction.

    Never commits by itself: the rows exist if and only if the caller's transaction commits.
    Repeating a call with the same key adds nothing. Returns the number of new rows.
    `headers` are extra email headers (e.g. List-Unsubscribe) sent with every email of this call.
    Raises ValueError for an invalid address, header or non-plain context before writing anything.
    """
    return enqueue_all(event, key, [Outgoing(tuple(recipients), context, headers)], variant=variant,
                       topic=topic, thread=thread, now=now)


@dataclass(frozen=True)
class Outgoing:
    """What one person gets of an event: their recipients (one per channel), the context their
    messages render with, and extra email headers (e.g. their own List-Unsubscribe)."""

    recipients: Sequence[Recipient]
    context: dict
    headers: dict[str, str] | None = None


# Rows per INSERT: well below SQLite's limit of 32,766 bound values (16 columns a row).
_ROWS_PER_INSERT = 500


def enqueue_all(
    event: str,
    key: str,
    outgoing: Iterable[Outgoing],
    *,
    variant: str = "",
    topic: str | None = None,
    thread: str | None = None,
    now: datetime | None = None,
) -> int:
    """`enqueue` for many people at once, each with their own context: one INSERT for all of them
    (per 500 rows), however many they are, so a change that tells a large team holds the write
    lock no longer than one that tells one person. Same guarantees as `enqueue`: inside the
    caller's transaction, nothing written when anything is invalid, a repeated key adds nothing
    (ON CONFLICT DO NOTHING: no savepoints, and the caller's transaction stays usable on
    PostgreSQL). Returns the number of new rows."""
    if not event or not key:
        raise ValueError("event and key are required")
    now = aware(now)
    rows = []
    for item in outgoing:
        data = plain_context(item.context)
        extra_headers = checked_headers(item.headers)
        for recipient in item.recipients:
            address = normalise_address(recipient.channel, recipient.address)
            rows.append(
                {
                    "uuid": uuid.uuid4(),
                    "key": key,
                    "event": event,
                    "channel": recipient.channel,
                    "address": address,
                    "address_key": address.lower(),
                    "recipient_name": check_display_name(recipient.name),
                    "language": recipient.language or "",
                    "ref": recipient.ref,
                    "variant": variant or "",
                    "topic": topic,
                    "thread": thread,
                    "context": data,
                    "extra_headers": extra_headers if registry.channel(recipient.channel).takes_headers else None,
                    "created_at": now,
                    "next_attempt_at": now,
                }
            )
    if len(rows) <= _ROWS_PER_INSERT:
        return _insert_new(rows)
    with database.atomic():  # all or nothing, even for a caller without a transaction
        return sum(_insert_new(rows[start:start + _ROWS_PER_INSERT])
                   for start in range(0, len(rows), _ROWS_PER_INSERT))


# The INSERT's text by (database kind, columns, rows): building it with peewee cost more CPU than running it, in
# every submission and comment, while SQLite's write lock is held (issue 12).
_INSERT_SQL: dict[tuple, str] = {}
_CONFLICT_TARGET = (Message.key, Message.channel, Message.address_key)


def _insert_sql(names: tuple[str, ...], count: int) -> str:
    db = database.obj
    key = (type(db), names, count)
    sql = _INSERT_SQL.get(key)
    if sql is None:
        def quoted(name: str) -> str:
            return f"{db.quote[0]}{name}{db.quote[1]}"

        fields = Message._meta.fields
        columns = ", ".join(quoted(fields[name].column_name) for name in names)
        row = "(" + ", ".join([db.param] * len(names)) + ")"
        target = ", ".join(quoted(field.column_name) for field in _CONFLICT_TARGET)
        sql = _INSERT_SQL[key] = (f"INSERT INTO {quoted(Message._meta.table_name)} ({columns}) "  # noqa: S608
                                  f"VALUES {', '.join([row] * count)} ON CONFLICT ({target}) DO NOTHING")
    return sql


def _insert_new(rows: list[dict]) -> int:
    """What Message.insert_many(rows).on_conflict(DO NOTHING).as_rowcount() does, with the SQL text built once:
    the fields rows leave out take their defaults, every value goes through its field's db_value."""
    if not rows:
        return 0
    fields = Message._meta.fields
    defaults = [field for field in Message._meta.sorted_fields
                if field.name not in rows[0] and field.default is not None]
    names = (*rows[0], *(field.name for field in defaults))
    params = []
    for row in rows:
        values = {**row, **{field.name: field.default() if callable(field.default) else field.default
                            for field in defaults}}
        params.extend(fields[name].db_value(values[name]) for name in names)
    return database.execute_sql(_insert_sql(names, len(rows)), params).rowcount


def messages(
    status: str | None = None,
    topic: str | None = None,
    address: str | None = None,
    event: str | None = None,
    *,
    where: peewee.Expression | None = None,
) -> peewee.ModelSelect:
    """Messages newest first, filtered by any of status, topic, address (case-insensitive) or event.
    `where` is the host's own condition on Message (e.g. what the viewer may read), applied first."""
    query = Message.select()
    if where is not None:
        query = query.where(where)
    if status is not None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        query = query.where(Message.status == status)
    if topic is not None:
        query = query.where(Message.topic == topic)
    if address is not None:
        query = query.where(Message.address_key == address.strip().lower())
    if event is not None:
        query = query.where(Message.event == event)
    return query.order_by(Message.created_at.desc(), Message.id.desc())


def message_by_uuid(message_uuid) -> Message:
    """The message with this UUID; raises MessageNotFound."""
    try:
        # Checked here: PostgreSQL rejects a malformed UUID with an error that aborts the transaction.
        parsed = uuid.UUID(str(message_uuid))
        return Message.get(Message.uuid == parsed)
    except (Message.DoesNotExist, ValueError):
        raise MessageNotFound(f"no message {message_uuid}") from None


def attempts_for(message: Message) -> peewee.ModelSelect:
    """Every delivery attempt of a message, oldest first."""
    return (
        Attempt.select()
        .where(Attempt.message == message)
        .order_by(Attempt.number, Attempt.id)
    )


def requeue(message_uuid, now: datetime | None = None) -> Message:
    """Put a dead, failed or held (outcome unknown) message back in the queue for immediate delivery
    with a fresh attempt budget.

    The earlier attempts stay in the attempt history. Raises MessageNotFound, or NotRequeueable for a
    message that is queued, sending or already sent.
    """
    now = aware(now)
    message = message_by_uuid(message_uuid)
    updated = (
        Message.update(
            status=QUEUED,
            attempts=0,
            next_attempt_at=now,
            claim_token=None,
            lease_expires_at=None,
            attempt_started_at=None,
        )
        .where(
            (Message.id == message.id)
            & Message.status.in_(REQUEUEABLE)
        )
        .execute()
    )
    if not updated:
        raise NotRequeueable(
            f"message {message_uuid} is {message.status}; only dead, failed or unknown messages can be requeued"
        )
    return Message.get_by_id(message.id)


def status_counts(where: peewee.Expression | None = None) -> dict[str, int]:
    """How many messages (of those matching the host's `where`, if given) are in each state;
    every state present, zero when empty."""
    counts = dict.fromkeys(STATUSES, 0)
    query = Message.select(Message.status, peewee.fn.COUNT(Message.id).alias("n"))
    if where is not None:
        query = query.where(where)
    query = (
        query
        .group_by(Message.status)
        .tuples()
    )
    for status, count in query:
        counts[status] = count
    return counts
