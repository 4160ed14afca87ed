"""Caseport's notifier: a generic delivery engine (templates, an outbox, channels, a scheduler).

It knows nothing about the portal. The host binds a database, creates `MODELS`, and calls
`enqueue(...)` inside its own transactions; a scheduler process delivers what is due.
"""

from notifier.channels.errors import (
    ChannelDownError,
    DeliveryError,
    OutcomeUnknownError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifier.models import MODELS, bind_database
from notifier.outbox import MessageNotFound, NotRequeueable, Outgoing, enqueue, enqueue_all
from notifier.recipients import Recipient
from notifier.rendering import RenderError, TemplateError
from notifier.settings import Settings

__all__ = [
    "MODELS",
    "ChannelDownError",
    "DeliveryError",
    "MessageNotFound",
    "NotRequeueable",
    "OutcomeUnknownError",
    "Outgoing",
    "PermanentDeliveryError",
    "Recipient",
    "RenderError",
    "Settings",
    "TemplateError",
    "TransientDeliveryError",
    "bind_database",
    "enqueue",
    "enqueue_all",
]
