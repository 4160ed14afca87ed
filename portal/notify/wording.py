"""Notification variables in the recipient's words: their language and time zone.

A message is rendered later, by the notifier, from plain data; so the values that are text for
people (moments, days, labels marked with _l) are put into words here, one recipient at a time,
before they are queued. The message template itself is picked by the notifier from the recipient's
language (notifier.templates.language_candidates).

No Flask: services call this inside their transaction, with or without a request, and the reader is
not the person being served. The catalogues are read with Babel directly, once per language.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.support import NullTranslations, Translations

from portal.catalogues import TRANSLATIONS
from portal.i18n import LazyText, format_day, format_moment, match_language
from portal.settings import setting


def recipient_locale(language: str | None) -> Locale:
    """The locale a recipient reads: their language when Caseport offers it ("de-AT" keeps Austrian
    conventions), else the portal's default language."""
    return Locale.parse(match_language(language) or setting("DEFAULT_LANGUAGE").replace("-", "_"))


def recipient_zone(time_zone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@functools.lru_cache(maxsize=32)
def _catalogue(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [locale])


def _lazy_parts(value):
    """(message, plural, num, params) of a message marked with _l or lazy_ngettext, else None."""
    if isinstance(value, LazyText):
        params = dict(value.params)
        if value.plural is not None:
            params.setdefault("num", value.num)
        return value.message, value.plural, value.num, params
    return None


def translated(value, locale: Locale):
    """A label or message marked for translation (lazily) as words in `locale`, its parameters too;
    anything else as it is."""
    parts = _lazy_parts(value)
    if parts is None:
        return value
    message, plural, num, params = parts
    catalogue = _catalogue(str(locale))
    text = catalogue.ungettext(message, plural, num) if plural is not None else catalogue.ugettext(message)
    if not params:
        return text
    return text % {name: translated(param, locale) for name, param in params.items()}


def worded(value, zone: ZoneInfo, locale: Locale):
    """One variable as the recipient reads it: a moment in their zone and language, a calendar day
    in their language, a label marked for translation in their language; anything else as it is."""
    if isinstance(value, datetime):
        return format_moment(value, zone, locale)
    if isinstance(value, date):
        return format_day(value, locale)
    return translated(value, locale)


def worded_context(context: dict, *, language: str | None, time_zone: str | None = "UTC") -> dict:
    """A message context with every value put into the recipient's words (see `worded`)."""
    zone, locale = recipient_zone(time_zone), recipient_locale(language)
    return {name: worded(value, zone, locale) for name, value in context.items()}


def words_for(language: str | None, value) -> str:
    """A single label (e.g. a role marked with _l) in the recipient's language, for account mail."""
    return str(translated(value, recipient_locale(language)))
