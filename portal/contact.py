"""Normalising what people type as contact details: emails, phone numbers (stored E.164), time zones."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from portal.i18n import _l


class ContactError(ValueError):
    """A message fit to show next to the field: `message` is marked for translation and put into words
    when shown (str() does so at once, in the current language)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def normalize_email(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ContactError(_l("Enter an email address."))
    if len(value) > 254:
        raise ContactError(_l("An email address has at most %(max)s characters.", max=254))
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        # The validator's own explanation is English only: one sentence that reads in every language.
        raise ContactError(_l("Enter a valid email address, such as name@example.com.")) from exc
    return result.normalized.lower()


def normalize_phone(value: str, default_region: str = "US") -> str:
    """Any common format ("(415) 555-0100", "+44 20 7946 0958", "020 7946 0958") to E.164."""
    value = (value or "").strip()
    if not value:
        raise ContactError(_l("Enter a phone number."))
    if len(value) > 40:
        raise ContactError(_l("That is too long for a phone number."))
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ContactError(_l("Enter a valid phone number, for example +1 415 555 0100.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ContactError(_l("That phone number does not exist. Check the digits and the country code."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def optional_phone(value: str | None, region: str, errors: dict, field: str = "phone") -> str | None:
    """E.164 for a phone number that may be left empty; a problem goes into errors[field]."""
    if not (value or "").strip():
        return None
    try:
        return normalize_phone(value, region)
    except ContactError as exc:
        errors[field] = exc.message
        return None


def optional_email(value: str | None, errors: dict, field: str = "email") -> str | None:
    """The normalised address for an email that may be left empty; a problem goes into errors[field]."""
    if not (value or "").strip():
        return None
    try:
        return normalize_email(value)
    except ContactError as exc:
        errors[field] = exc.message
        return None


def format_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@lru_cache(maxsize=1)
def time_zones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")


def valid_time_zone(value: str) -> str:
    if value not in set(time_zones()):
        raise ContactError(_l("Choose a time zone from the list."))
    return value
