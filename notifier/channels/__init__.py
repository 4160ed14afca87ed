"""Delivery channels. Each takes a rendered message and either returns a provider id or raises a
TransientDeliveryError (try again later) or a PermanentDeliveryError (never going to work)."""

from notifier.channels.errors import (
    ChannelDownError,
    DeliveryError,
    OutcomeUnknownError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifier.channels.outgoing import OutgoingEmail, OutgoingSms

__all__ = [
    "ChannelDownError",
    "OutcomeUnknownError",
    "DeliveryError",
    "OutgoingEmail",
    "OutgoingSms",
    "PermanentDeliveryError",
    "TransientDeliveryError",
]
