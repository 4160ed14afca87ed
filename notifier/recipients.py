"""Who a message goes to, and the address checks made before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from notifier.models import CHANNELS, EMAIL, SMS


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
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}: use one of {', '.join(CHANNELS)}")
    if not isinstance(address, str) or not address.strip():
        raise ValueError(f"empty {channel} address")
    if any(c in address for c in "\r\n\0"):
        raise ValueError(f"{channel} address contains line breaks")
    if channel == EMAIL:
        try:
            return validate_email(address.strip(), check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValueError(f"invalid email address {address!r}: {error}") from None
    assert channel == SMS
    return _e164(address.strip())


def _e164(number: str) -> str:
    # E.164 only: a leading + and a country code, so no guessing of the region happens here.
    if not number.startswith("+"):
        raise ValueError(f"invalid phone number {number!r}: use E.164, e.g. +447911123456")
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"invalid phone number {number!r}: {error}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"invalid phone number {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def check_display_name(name: str | None) -> str | None:
    if name is not None and any(c in name for c in "\r\n\0"):
        raise ValueError("recipient name contains line breaks")
    return name
