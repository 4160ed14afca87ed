"""Holding an address: its messages stay queued, unclaimed, until the hold is released (a webhook
endpoint that keeps failing is paused this way; nothing is lost meanwhile)."""

from __future__ import annotations

from datetime import datetime

from notifier.clock import aware
from notifier.models import FAILED, QUEUED, Hold, Message
from notifier.recipients import normalise_address


def hold(channel: str, address: str, reason: str, now: datetime | None = None) -> bool:
    """Hold the address (inside the caller's transaction). False when it was held already."""
    key = normalise_address(channel, address).lower()
    return bool(
        Hold.insert(channel=channel, address_key=key, reason=reason[:1000], held_at=aware(now))
        .on_conflict(action="NOTHING", conflict_target=[Hold.channel, Hold.address_key])
        .as_rowcount()
        .execute()
    )


def release_hold(channel: str, address: str, now: datetime | None = None) -> bool:
    """Let the address's messages go again, at once: those waiting for a retry are due now too
    (inside the caller's transaction). False when it was not held."""
    key = normalise_address(channel, address).lower()
    released = Hold.delete().where((Hold.channel == channel) & (Hold.address_key == key)).execute()
    (Message.update(next_attempt_at=aware(now))
     .where((Message.channel == channel) & (Message.address_key == key) & Message.status.in_([QUEUED, FAILED]))
     .execute())
    return bool(released)


def is_held(channel: str, address: str) -> bool:
    key = normalise_address(channel, address).lower()
    return Hold.select().where((Hold.channel == channel) & (Hold.address_key == key)).exists()
