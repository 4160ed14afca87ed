"""The two ways a delivery fails, which decide between retrying and the dead letter."""

from __future__ import annotations


class DeliveryError(Exception):
    pass


class TransientDeliveryError(DeliveryError):
    """Worth retrying later (server down, 4xx, rate limited). `retry_after` in seconds if the server said."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (recipient refused, invalid number, malformed message)."""


class ChannelDownError(TransientDeliveryError):
    """The channel as a whole does not answer (connection refused, connect timeout, 421, 503): nothing
    was handed over. The message is given back untried and the channel backs off, not the message."""


class OutcomeUnknownError(DeliveryError):
    """The message was handed over (SMTP: the final "." sent; HTTP: the request sent) but no answer
    came: it may or may not have been delivered, so it must not be resent blindly."""


class AttemptNotStarted(Exception):
    """The attempt could not be counted (the worker's claim on the message was lost meanwhile), so
    nothing was handed over. Raised by a channel whose `send(outgoing, start=...)` got False from
    `start()`; the channel has left the relay without the message."""
