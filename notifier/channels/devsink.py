"""The development sink: keeps each complete rendered message in `notifier_captured_message`
instead of sending it, so the demo can show mail and SMS in the portal."""

from __future__ import annotations

import uuid as uuid_module

import peewee

from notifier.channels.outgoing import OutgoingEmail, OutgoingSms, build_email, envelope_sender
from notifier.clock import utcnow
from notifier.models import EMAIL, SMS, CapturedMessage


class DevSinkChannel:
    def __init__(self, settings):
        self.settings = settings

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    # The sink writes to the database: it is never "down" on its own and needs no breaker.
    endpoint = None
    max_send_seconds = 60.0

    def probe(self) -> None:
        pass

    def send(self, outgoing: OutgoingEmail | OutgoingSms) -> str:
        """Capture the message; returns the capture's UUID as the provider id."""
        now = utcnow()
        if isinstance(outgoing, OutgoingEmail):
            domain = self.settings.message_id_domain
            msg = build_email(outgoing, mail_from=self.settings.MAIL_FROM, domain=domain, sent_at=now)
            row = CapturedMessage.create(
                message_uuid=outgoing.message_uuid,
                channel=EMAIL,
                to_address=outgoing.to_address,
                from_address=envelope_sender(self.settings.MAIL_FROM),
                subject=outgoing.subject,
                text=outgoing.text,
                html=outgoing.html,
                headers={name: str(value) for name, value in msg.items()},
                raw=msg.as_string(),
                captured_at=now,
            )
        else:
            row = CapturedMessage.create(
                message_uuid=outgoing.message_uuid,
                channel=SMS,
                to_address=outgoing.to_number,
                from_address=self.settings.SMS_FROM or None,
                text=outgoing.text,
                captured_at=now,
            )
        return str(row.uuid)


def captured(limit: int = 50, offset: int = 0) -> peewee.ModelSelect:
    """Captured messages, newest first."""
    return (
        CapturedMessage.select()
        .order_by(CapturedMessage.captured_at.desc(), CapturedMessage.id.desc())
        .limit(limit)
        .offset(offset)
    )


def captured_by_uuid(capture_uuid) -> CapturedMessage | None:
    """One captured message by its UUID, or None."""
    try:
        capture_uuid = uuid_module.UUID(str(capture_uuid))
    except ValueError:
        return None
    return CapturedMessage.get_or_none(CapturedMessage.uuid == capture_uuid)
