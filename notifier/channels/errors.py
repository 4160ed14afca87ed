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
