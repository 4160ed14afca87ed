"""Notification variables in the recipient's words: their language and time zone.

A message is rendered later, by the notifier, from plain data; so the values that are text for
people (moments, days, labels marked with _l) are put into words here, one recipient at a time,
before they are queued. The message template itself is picked by the notifier from the recipient's
language (notifier.templates.language_candidates).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask_babel import LazyString, force_locale

from portal.i18n import format_day, format_moment, match_language
from portal.settings import setting


def recipient_locale(language: str | None) -> Locale:
    """The locale a recipient reads: their language when Caseport ships it ("de-AT" keeps Austrian
    conventions), else the portal's default language."""
    return Locale.parse(match_language(language) or setting("DEFAULT_LANGUAGE"))


def recipient_zone(time_zone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@contextmanager
def in_language(language: str | None) -> Iterator[Locale]:
    """Within the block, gettext and lazy strings answer in the recipient's language (outside an
    application context there are no catalogues: the English text)."""
    locale = recipient_locale(language)
    with force_locale(locale):
        yield locale


def worded(value, zone: ZoneInfo, locale: Locale):
    """One variable as the recipient reads it: a moment in their zone and language, a calendar day
    in their language, a lazy label translated; anything else as it is. Call it in_language."""
    if isinstance(value, datetime):
        return format_moment(value, zone, locale)
    if isinstance(value, date):
        return format_day(value, locale)
    if isinstance(value, LazyString):
        return str(value)
    return value


def worded_context(context: dict, *, language: str | None, time_zone: str | None = "UTC") -> dict:
    """A message context with every value put into the recipient's words (see `worded`)."""
    zone = recipient_zone(time_zone)
    with in_language(language) as locale:
        return {name: worded(value, zone, locale) for name, value in context.items()}


def words_for(language: str | None, value) -> str:
    """A single label (e.g. a role marked with _l) in the recipient's language, for account mail."""
    with in_language(language):
        return str(value)
