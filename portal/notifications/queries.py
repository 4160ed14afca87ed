"""What staff may read of the notifier: the outbox with its attempts, and the demo's captured mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee

from notifier import outbox
from notifier.channels import devsink
from notifier.models import STATUSES, CapturedMessage, Message
from portal.errors import NotFound
from portal.policy import has_role, is_staff, require_role
from portal.settings import setting

# Messages that carry a way into someone's account: only admins and the recipient may read them.
SECURITY_EVENTS = ("password_reset", "email_verification", "signup_existing_account")
PAGE_SIZE = 50
STATUS_LABELS = {
    "queued": "Queued",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed, will retry",
    "dead": "Stopped",
    "suppressed": "Not sent (preference)",
}


def _require_staff(user) -> None:
    require_role(user, "agent", "supervisor", "admin", hide=True)


def outbox_messages(user, *, status: str = "", topic: str = "", address: str = "", event: str = ""):
    """Outbox rows newest first, filtered; staff only. Unknown status values are ignored."""
    _require_staff(user)
    query = outbox.messages(
        status=status if status in STATUSES else None,
        topic=topic.strip() or None,
        address=address.strip() or None,
        event=event.strip() or None,
    )
    return query


def outbox_counts(user) -> dict[str, int]:
    _require_staff(user)
    return outbox.status_counts()


def outbox_message(user, message_uuid: str):
    """One message and its attempts; NotFound for non-staff and unknown ids."""
    _require_staff(user)
    try:
        message = outbox.message_by_uuid(message_uuid)
    except outbox.MessageNotFound:
        raise NotFound() from None
    return message, list(outbox.attempts_for(message))


@dataclass(frozen=True)
class CaseNotification:
    """One message about a case as the case page's Notifications tab shows it."""

    uuid: str
    event: str
    event_title: str
    channel: str
    recipient_name: str
    address: str
    status: str
    status_label: str
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


def notifications_for_case(user, case_reference: str) -> list[CaseNotification]:
    """Who was told what about a case, and when: every outbox message whose topic is the case
    reference, newest first. Staff only (NotFound for others)."""
    from portal.notification_admin.catalogue import event_title

    _require_staff(user)
    reference = (case_reference or "").strip()[:20]
    if not reference:
        return []
    return [
        CaseNotification(
            uuid=str(message.uuid), event=message.event, event_title=event_title(message.event),
            channel=message.channel, recipient_name=message.recipient_name or "", address=message.address,
            status=message.status, status_label=STATUS_LABELS.get(message.status, message.status),
            created_at=message.created_at, sent_at=message.sent_at, last_error=message.last_error,
        )
        for message in outbox.messages(topic=reference)
    ]


def mailbox_enabled() -> bool:
    return setting("MAIL_BACKEND") == "devsink" or setting("SMS_BACKEND") == "devsink"


def _visible_captures(user):
    if not mailbox_enabled() or not is_staff(user):
        raise NotFound()
    query = CapturedMessage.select(CapturedMessage, Message.event).join(
        Message, peewee.JOIN.LEFT_OUTER, on=(CapturedMessage.message_uuid == Message.uuid)
    )
    if not has_role(user, "admin"):
        query = query.where(
            Message.event.is_null()
            | Message.event.not_in(SECURITY_EVENTS)
            | (peewee.fn.LOWER(CapturedMessage.to_address) == user.email)
        )
    return query


def captured_messages(user, page: int = 1):
    """The demo sink's messages, newest first: staff only, and only while a dev sink is in use."""
    return (
        _visible_captures(user)
        .order_by(CapturedMessage.captured_at.desc(), CapturedMessage.id.desc())
        .paginate(max(page, 1), PAGE_SIZE)
    )


def captured_message(user, capture_uuid: str):
    capture = devsink.captured_by_uuid(capture_uuid)
    if capture is None:
        raise NotFound()
    visible = _visible_captures(user).where(CapturedMessage.id == capture.id).first()
    if visible is None:
        raise NotFound()
    return visible
