"""The inbound mail queue: every message `caseport mail-in` accepted, stored raw before the MTA was told
"250", with what processing did with it (portal.mail_in.process)."""

import peewee

from portal.models.base import BaseModel, JSONField, UTCDateTimeField, uuid_field
from portal.models.cases import Case

# The states of a received message. Processing claims "new" with a conditional update ("processing"),
# then writes its outcome: "done" (commented, opened, ignored, bounced, answered), "held" (for staff,
# with a reason) or "failed" (an unexpected error: staff retry or discard). Staff may discard held
# and failed messages ("discarded"); nothing is ever deleted by processing.
NEW = "new"
PROCESSING = "processing"
DONE = "done"
HELD = "held"
FAILED = "failed"
DISCARDED = "discarded"
INBOUND_STATES = (NEW, PROCESSING, DONE, HELD, FAILED, DISCARDED)


class InboundMessage(BaseModel):
    """One received message. Unique by Message-ID when it has one, and by the SHA-256 of its bytes, so
    a redelivery (the MTA did not see our "250", or the sender's server sent it twice) stores nothing new."""

    uuid = uuid_field()
    message_id = peewee.CharField(max_length=500, null=True, unique=True)
    sha256 = peewee.CharField(max_length=64, unique=True)
    raw = peewee.BlobField()
    size = peewee.IntegerField()
    # The envelope: MAIL FROM and RCPT TO (LMTP), or the pipe's -f/recipient arguments when given.
    envelope_sender = peewee.CharField(max_length=320, null=True)
    envelope_recipients = JSONField(default=list)
    received_at = UTCDateTimeField(index=True)
    # Read from the message when processed: what the queue shows and the per-sender rate limit counts.
    sender = peewee.CharField(max_length=320, null=True, index=True)
    subject = peewee.TextField(null=True)
    state = peewee.CharField(max_length=12, default=NEW)
    # The claim: which processing attempt holds the message; its writes are conditional on it.
    claim_token = peewee.CharField(max_length=32, null=True)
    claimed_at = UTCDateTimeField(null=True)
    attempts = peewee.IntegerField(default=0)
    outcome_state = peewee.CharField(max_length=12, null=True)
    outcome_reason = peewee.CharField(max_length=60, null=True)
    outcome_detail = peewee.TextField(null=True)
    case = peewee.ForeignKeyField(Case, null=True, backref="inbound_messages", on_delete="SET NULL")
    processed_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "inbound_message"
        indexes = ((("state", "received_at"), False),)


MODELS = [InboundMessage]
