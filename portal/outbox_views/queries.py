"""What staff may read of the notifier: the outbox with its attempts, and the demo's captured mail.

Every read goes through portal.policy (message_visibility, capture_visibility, can_read_message ...):
lists, counts, filters, details and the case page's tab all apply the same condition in SQL, so
they agree with each other and paginate and count only what the viewer may see. Pages get plain
rows, never Message objects: the content of account mail (reset links ...) never reaches them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

import peewee

from notifier import outbox
from notifier.channels import devsink
from notifier.models import STATUSES, CapturedMessage, Message
from portal import policy
from portal.errors import NotFound
from portal.fixed_reads import FixedRead
from portal.i18n import _l
from portal.notify.catalogue import event_title
from portal.pagination import Page, paginate
from portal.settings import setting

PAGE_SIZE = 50
STATUS_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed, will retry"),
    "dead": _l("Stopped"),
    "suppressed": _l("Not sent (preference)"),
    "unknown": _l("Outcome unknown, held"),
}
# What an attempt's outcome code means, for the attempts table.
OUTCOME_LABELS = {
    "sent": _l("Sent"),
    "transient": _l("Failed, will retry"),
    "permanent": _l("Refused"),
    "render_error": _l("Template error"),
    "suppressed": _l("Not sent (preference)"),
    "unknown": _l("Outcome unknown"),
}
HIDDEN_RENDER_ERROR = _l(
    "The template could not be rendered. The details are not shown because this message carries a "
    "link into an account; preview the template to see the error."
)
HIDDEN_LINK = "[link hidden]"
# Pieces of a link long enough to be a token (token_urlsafe(32) gives 43 characters).
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-.~%]{16,}")


def _require_reader(user) -> None:
    if not policy.can_use_outbox(user):
        raise NotFound()


def _secrets(message: Message) -> list[str]:
    """The links in an account message's data, and the token-like pieces of their paths, longest first."""
    found = set()
    for value in (message.context or {}).values():
        if isinstance(value, str) and "://" in value:
            found.add(value)
            path = value.split("://", 1)[1].partition("/")[2]
            found.update(_TOKEN_LIKE.findall(path))
    return sorted(found, key=len, reverse=True)


def shown_error(message: Message, error: str | None, *, render_error: bool) -> str | None:
    """Error text as staff may read it. For account mail a render error may quote the rendered link,
    so it is replaced; a delivery error (a server's reply) keeps its words with the links masked."""
    if not error or not policy.message_carries_account_access(message.event):
        return error
    if render_error:
        return HIDDEN_RENDER_ERROR
    for secret in _secrets(message):
        error = error.replace(secret, HIDDEN_LINK)
    return error


@dataclass(frozen=True)
class OutboxEntry:
    """One message as lists show it (the outbox, the case page's Notifications tab)."""

    uuid: str
    event: str
    event_title: str
    channel: str
    recipient_name: str
    address: str
    status: str
    status_label: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    # A bounce (delivery status notification) came back for it after it was sent (portal.mail_in).
    bounced_at: datetime | None = None
    bounce_status: str | None = None


def _entry(message: Message, unrendered: bool) -> OutboxEntry:
    return OutboxEntry(
        uuid=str(message.uuid), event=message.event, event_title=event_title(message.event),
        channel=message.channel, recipient_name=message.recipient_name or "", address=message.address,
        status=message.status, status_label=STATUS_LABELS.get(message.status, message.status),
        attempts=message.attempts, created_at=message.created_at, sent_at=message.sent_at,
        # Rendering happens before any send, so an unrendered message's error is a render error.
        last_error=shown_error(message, message.last_error, render_error=bool(unrendered)),
        bounced_at=message.bounced_at, bounce_status=message.bounce_status,
    )


# What _entry reads of a message (context: the links shown_error masks), and nothing more: the
# rendered content, headers and lease stay in the database.
_LISTED_COLUMNS = (Message.id, Message.uuid, Message.event, Message.channel, Message.recipient_name, Message.address,
                   Message.status, Message.attempts, Message.created_at, Message.sent_at, Message.last_error,
                   Message.bounced_at, Message.bounce_status, Message.context)


def _listed(query: peewee.ModelSelect) -> peewee.ModelSelect:
    """The columns lists show (see _entry), and whether the message is rendered yet."""
    return query.select(*_LISTED_COLUMNS, Message.rendered.is_null().alias("unrendered"))


def visible_messages(user, *, status: str = "", topic: str = "", address: str = "", event: str = ""):
    """The outbox rows user may read, newest first, filtered; NotFound for those who may read none.
    Unknown status values are ignored. Filters only narrow what the policy already allows."""
    _require_reader(user)
    return outbox.messages(
        status=status if status in STATUSES else None,
        topic=topic.strip() or None,
        address=address.strip() or None,
        event=event.strip() or None,
        where=policy.message_visibility(user),
    )


def outbox_page(user, page: int = 1, **filters) -> Page:
    """One page of visible_messages as OutboxEntry items (not counted: the outbox grows without end)."""
    found = paginate(_listed(visible_messages(user, **filters)), page, PAGE_SIZE, counted=False)
    return replace(found, items=[_entry(message, message.unrendered) for message in found.items])


def outbox_counts(user) -> dict[str, int]:
    """How many of the messages user may read are in each state."""
    _require_reader(user)
    return outbox.status_counts(where=policy.message_visibility(user))


@dataclass(frozen=True)
class AttemptEntry:
    number: int
    started_at: datetime
    finished_at: datetime
    worker_id: str
    outcome: str
    error: str


@dataclass(frozen=True)
class MessageDetail:
    """One message as its outbox page shows it. `subject`/`text` are None when not rendered yet or
    when the viewer may not read the content (`content_hidden`)."""

    entry: OutboxEntry
    next_attempt_at: datetime
    topic: str | None
    sms_segments: int | None
    sms_encoding: str | None
    header_names: list[str]
    rendered: bool
    content_hidden: bool
    subject: str | None
    text: str | None
    can_requeue: bool
    attempts: list[AttemptEntry]


def _readable_message(user, message_uuid: str) -> Message:
    _require_reader(user)
    try:
        message = outbox.message_by_uuid(message_uuid)
    except outbox.MessageNotFound:
        raise NotFound() from None
    if not policy.can_read_message(user, message):
        raise NotFound()
    return message


def outbox_message(user, message_uuid: str) -> MessageDetail:
    """One message and its attempts; NotFound for unknown ids and for messages user may not read."""
    message = _readable_message(user, message_uuid)
    show_content = policy.can_read_message_content(user, message)
    rendered = message.rendered or {}
    attempts = [
        AttemptEntry(
            number=attempt.number, started_at=attempt.started_at, finished_at=attempt.finished_at,
            worker_id=attempt.worker_id or "", outcome=attempt.outcome,
            error=shown_error(message, attempt.error, render_error=attempt.outcome == "render_error") or "",
        )
        for attempt in outbox.attempts_for(message)
    ]
    return MessageDetail(
        entry=_entry(message, message.rendered is None),
        next_attempt_at=message.next_attempt_at,
        topic=message.topic,
        sms_segments=message.sms_segments,
        sms_encoding=message.sms_encoding,
        # Values stay out: List-Unsubscribe holds the recipient's personal one-click link.
        header_names=sorted(message.extra_headers or {}),
        rendered=message.rendered is not None,
        content_hidden=not show_content,
        subject=rendered.get("subject") if show_content else None,
        text=rendered.get("text") if show_content else None,
        can_requeue=policy.can_requeue_message(user, message),
        attempts=attempts,
    )


def notifications_for_case(user, case_reference: str) -> list[OutboxEntry]:
    """Who was told what about a case, and when: the outbox messages whose topic is the case
    reference, newest first. Staff who may view the case (NotFound for everyone else)."""
    from portal.models.cases import Case

    _require_reader(user)
    reference = (case_reference or "").strip()[:20]
    case = Case.get_or_none(Case.reference == reference) if reference else None
    if case is None or not policy.can_view_case(user, case):
        raise NotFound()
    return notifications_for_shown_case(user, case)


def notifications_for_shown_case(user, case) -> list[OutboxEntry]:
    """notifications_for_case for a case the caller loaded and checked with policy.can_view_case
    already (the case page): the case is not read again. [] for those who may not use the outbox.
    Every message about a case the viewer may see is one they may read (policy.case_message_visibility):
    the statement is that condition's, its SQL written once (portal.fixed_reads: generating it was a
    twentieth of the staff case page)."""
    if not policy.can_read_case_messages(user, case):
        return []
    return [_entry(message, message.unrendered) for message in _CASE_MESSAGES(case.reference)]


_CASE_MESSAGES = FixedRead(lambda reference: _listed(outbox.messages(topic=reference)), "str")


def mailbox_enabled() -> bool:
    return setting("MAIL_BACKEND") == "devsink" or setting("SMS_BACKEND") == "devsink"


def _visible_captures(user):
    if not mailbox_enabled():
        raise NotFound()
    _require_reader(user)
    return (
        CapturedMessage.select(CapturedMessage)
        .join(Message, peewee.JOIN.LEFT_OUTER, on=(CapturedMessage.message_uuid == Message.uuid))
        .where(policy.capture_visibility(user))
    )


def captured_messages(user, page: int = 1) -> Page:
    """A page of the demo sink's messages user may read (see policy.capture_visibility), newest first;
    only while a dev sink is in use (NotFound otherwise, and for customers and proxies)."""
    query = _visible_captures(user).order_by(CapturedMessage.captured_at.desc(), CapturedMessage.id.desc())
    return paginate(query, page, PAGE_SIZE, counted=False)


def captured_message(user, capture_uuid: str) -> CapturedMessage:
    """One captured message user may read; NotFound otherwise."""
    visible = _visible_captures(user)
    capture = devsink.captured_by_uuid(capture_uuid)
    if capture is None:
        raise NotFound()
    found = visible.where(CapturedMessage.id == capture.id).first()
    if found is None:
        raise NotFound()
    return found

