"""Small helpers to enqueue test messages with defaults and overrides."""

from __future__ import annotations

from datetime import UTC, datetime

import notifier
from notifier.models import Message

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def email_to(address="ada@example.com", name="Ada", **overrides) -> notifier.Recipient:
    return notifier.Recipient(channel="email", address=address, name=name, **overrides)


def sms_to(number="+447911123456", **overrides) -> notifier.Recipient:
    return notifier.Recipient(channel="sms", address=number, **overrides)


def enqueue_test_message(recipients=None, key="k1", now=T0, **overrides) -> int:
    context = overrides.pop("context", {"user_name": "Ada", "portal_name": "Caseport"})
    return notifier.enqueue(
        overrides.pop("event", "test_message"),
        recipients or [email_to()],
        context,
        key,
        now=now,
        **overrides,
    )


def only_message() -> Message:
    return Message.get()
