"""Who a message goes to, and the address checks made before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from notifier import registry


@dataclass(frozen=True)
class Recipient:
    """One recipient on one channel. `ref` is an opaque host reference (e.g. a user's UUID)."""

    channel: str
    address: str
    name: str | None = None
    language: str | None = None
    ref: str | None = None


def normalise_address(channel: str, address: str) -> str:
    """The address as it will be sent to; raises ValueError for anything undeliverable by shape."""
    spec = registry.channel(channel)
    if not isinstance(address, str) or not address.strip():
        raise ValueError(f"empty {channel} address")
    if any(c in address for c in "\r\n\0"):
        raise ValueError(f"{channel} address contains line breaks")
    return spec.normalise(address.strip())


def check_display_name(name: str | None) -> str | None:
    if name is not None and any(c in name for c in "\r\n\0"):
        raise ValueError("recipient name contains line breaks")
    return name
