"""Storing a received message before the MTA is told it arrived: the one step that must not lose mail.

`store_message` commits the raw bytes (with the envelope) and only then returns; the receiving edge (the
pipe command, the LMTP server) answers "250"/exit 0 after it. A redelivery, recognised by its Message-ID
or else by the SHA-256 of its bytes, stores nothing and is answered as accepted, so the MTA stops
retrying and processing never sees the message twice. Uniqueness is the database's (unique indexes), not a
check before inserting: two deliveries racing each other both end as accepted, one row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32

import peewee

from portal.clock import utcnow
from portal.db import database
from portal.models.mail_in import InboundMessage
from portal.settings import setting


class TooLarge(ValueError):
    """The message is larger than MAIL_IN_MAX_BYTES: the edge refuses it (LMTP 552, the pipe EX_UNAVAILABLE)."""


@dataclass(frozen=True)
class Stored:
    message: InboundMessage
    created: bool  # False: a redelivery of a message stored before (nothing new was written)


def header_message_id(raw: bytes) -> str | None:
    """The Message-ID as the header section says it, without angle brackets; None when missing or unusable.
    Read with the lenient stdlib header parser only: storing never depends on the message being well formed."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:262_144], headersonly=True)
        value = headers.get("Message-ID")
    except Exception:  # noqa: BLE001 - any unreadable header section just has no usable Message-ID
        return None
    if value is None:
        return None
    value = str(value).strip().strip("<>").strip()
    if not value or len(value) > 500 or any(c.isspace() for c in value):
        return None
    return value


def store_message(raw: bytes, *, envelope_sender: str | None = None, envelope_recipients: Sequence[str] = (),
                  now: datetime | None = None) -> Stored:
    """Store one received message and commit. Raises TooLarge above MAIL_IN_MAX_BYTES; database errors
    propagate (the edge then answers a temporary failure, and the MTA retries later)."""
    if len(raw) > int(setting("MAIL_IN_MAX_BYTES")):
        raise TooLarge(f"{len(raw)} bytes is more than MAIL_IN_MAX_BYTES")
    digest = hashlib.sha256(raw).hexdigest()
    message_id = header_message_id(raw)
    try:
        with database.atomic():
            message = InboundMessage.create(
                message_id=message_id, sha256=digest, raw=raw, size=len(raw),
                envelope_sender=(envelope_sender or None) and envelope_sender[:320],
                envelope_recipients=[address[:320] for address in envelope_recipients][:100],
                received_at=now or utcnow())
    except peewee.IntegrityError:
        return Stored(_stored_before(message_id, digest), created=False)
    return Stored(message, created=True)


def _stored_before(message_id: str | None, digest: str) -> InboundMessage:
    condition = InboundMessage.sha256 == digest
    if message_id is not None:
        condition |= InboundMessage.message_id == message_id
    return InboundMessage.select().where(condition).get()
