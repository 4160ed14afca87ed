"""The notifier's tables. They live behind a DatabaseProxy of their own so the host binds whatever
database it uses (`notifier.bind_database`), and they never reference the host's tables."""

from __future__ import annotations

import uuid

import peewee

from notifier.fields import JSONField, UTCDateTimeField

database = peewee.DatabaseProxy()

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
DEAD = "dead"
# Terminal: the host's delivery-time check (e.g. a recipient preference) said not to send it.
SUPPRESSED = "suppressed"
# Held for review: an attempt was made but its outcome is unknown (the relay or gateway took the
# message and did not answer in time, or the worker died mid-send). Never resent by itself, as it
# may well have been delivered; staff requeue it after checking.
UNKNOWN = "unknown"
STATUSES = (QUEUED, SENDING, SENT, FAILED, DEAD, SUPPRESSED, UNKNOWN)

# The built-in channels (notifier.registry has every channel, including those a host adds).
EMAIL = "email"
SMS = "sms"


class NotifierModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class Message(NotifierModel):
    """One notification to one recipient on one channel: the outbox row."""

    uuid = peewee.UUIDField(unique=True, default=uuid.uuid4)
    key = peewee.CharField(max_length=255)
    event = peewee.CharField(max_length=100, index=True)
    channel = peewee.CharField(max_length=10)
    address = peewee.CharField(max_length=320)
    # Lower-cased address: what uniqueness and staff searches compare, while `address` keeps the
    # spelling the mail is sent to.
    address_key = peewee.CharField(max_length=320, index=True)
    recipient_name = peewee.CharField(max_length=200, null=True)
    language = peewee.CharField(max_length=20, default="")
    ref = peewee.CharField(max_length=200, null=True, index=True)
    variant = peewee.CharField(max_length=100, default="")
    topic = peewee.CharField(max_length=200, null=True, index=True)
    thread = peewee.CharField(max_length=255, null=True)
    context = JSONField()
    # Extra email headers the host asked for (e.g. List-Unsubscribe); checked for line breaks when sent.
    extra_headers = JSONField(null=True)
    status = peewee.CharField(max_length=10, default=QUEUED)
    attempts = peewee.IntegerField(default=0)
    created_at = UTCDateTimeField(index=True)
    next_attempt_at = UTCDateTimeField()
    # The lease: who holds the row and until when. The token makes every later write conditional
    # on still holding this very claim, so a worker whose lease expired cannot overwrite the row.
    claim_token = peewee.CharField(max_length=32, null=True)
    lease_expires_at = UTCDateTimeField(null=True)
    worker_id = peewee.CharField(max_length=200, null=True)
    # Set while an attempt is under way (between "about to send" and its outcome being written): a
    # row still carrying it after its worker is gone was tried with an unknown outcome.
    attempt_started_at = UTCDateTimeField(null=True)
    # Rendered once, on the first attempt, so every retry sends byte-identical content.
    rendered = JSONField(null=True)
    sms_encoding = peewee.CharField(max_length=10, null=True)
    sms_segments = peewee.IntegerField(null=True)
    provider_id = peewee.CharField(max_length=255, null=True)
    sent_at = UTCDateTimeField(null=True)
    last_error = peewee.TextField(null=True)
    # A delivery status notification (bounce) came back for this email after it was sent: when, and its
    # status code (e.g. "5.1.1"). Set by the host's inbound mail; the status stays "sent".
    bounced_at = UTCDateTimeField(null=True)
    bounce_status = peewee.CharField(max_length=20, null=True)

    class Meta:
        table_name = "notifier_message"
        indexes = (
            (("key", "channel", "address_key"), True),
            (("status", "next_attempt_at"), False),
        )


class Attempt(NotifierModel):
    """One try at delivering a message, successful or not: the delivery log staff read."""

    message = peewee.ForeignKeyField(Message, backref="attempt_rows", on_delete="CASCADE")
    number = peewee.IntegerField()
    worker_id = peewee.CharField(max_length=200, null=True)
    started_at = UTCDateTimeField()
    finished_at = UTCDateTimeField()
    outcome = peewee.CharField(max_length=20)
    error = peewee.TextField(null=True)

    class Meta:
        table_name = "notifier_attempt"


class Template(NotifierModel):
    """A message template slot; its content lives in versions, the newest being active."""

    uuid = peewee.UUIDField(unique=True, default=uuid.uuid4)
    event = peewee.CharField(max_length=100)
    channel = peewee.CharField(max_length=10)
    language = peewee.CharField(max_length=20, default="")
    variant = peewee.CharField(max_length=100, default="")
    # Variables the context is documented to carry; saving a version checks against them.
    variables = JSONField(null=True)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "notifier_template"
        indexes = ((("event", "channel", "language", "variant"), True),)


class TemplateVersion(NotifierModel):
    uuid = peewee.UUIDField(unique=True, default=uuid.uuid4)
    template = peewee.ForeignKeyField(Template, backref="version_rows", on_delete="CASCADE")
    number = peewee.IntegerField()
    parts = JSONField()
    author = peewee.CharField(max_length=200)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "notifier_template_version"
        indexes = ((("template", "number"), True),)


class CapturedMessage(NotifierModel):
    """A complete rendered message kept by the dev sink instead of being sent (demo mail viewer)."""

    uuid = peewee.UUIDField(unique=True, default=uuid.uuid4)
    message_uuid = peewee.UUIDField(index=True)
    channel = peewee.CharField(max_length=10)
    to_address = peewee.CharField(max_length=320)
    from_address = peewee.CharField(max_length=320, null=True)
    subject = peewee.TextField(null=True)
    text = peewee.TextField()
    html = peewee.TextField(null=True)
    headers = JSONField(null=True)
    raw = peewee.TextField(null=True)
    captured_at = UTCDateTimeField(index=True)

    class Meta:
        table_name = "notifier_captured_message"


class Hold(NotifierModel):
    """An address whose messages wait: none is claimed while the hold lasts (e.g. a webhook endpoint
    paused after failing again and again). New messages to it are still queued; releasing the hold
    lets them all go, in order."""

    channel = peewee.CharField(max_length=10)
    address_key = peewee.CharField(max_length=320)
    reason = peewee.TextField()
    held_at = UTCDateTimeField()

    class Meta:
        table_name = "notifier_hold"
        indexes = ((("channel", "address_key"), True),)


MODELS = [Message, Attempt, Template, TemplateVersion, CapturedMessage, Hold]


def bind_database(db: peewee.Database) -> None:
    """Point the notifier's models at the host's database (call once at start-up)."""
    database.initialize(db)


def is_postgres() -> bool:
    return isinstance(database.obj, peewee.PostgresqlDatabase)


def write_transaction():
    """A transaction that will write after reading. On SQLite it takes the write lock up front
    (BEGIN IMMEDIATE): a deferred transaction that reads first cannot upgrade to a writer once
    another connection has committed, and fails with "database is locked" without waiting."""
    if is_postgres():
        return database.atomic()
    return database.atomic("IMMEDIATE")
