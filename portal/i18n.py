"""Languages: which locale a request is shown in, the translation functions, and dates in the viewer's
language and time zone.

Every string a person reads is marked for translation where it is written: `_` (gettext) in code that
runs during a request, `_l` (lazy_gettext) for strings defined at import time (form labels, messages
a service raises: they translate when rendered, in the language of whoever reads them). Catalogues
live in portal/translations/<lang>/LC_MESSAGES/messages.po (portal/catalogues.py maintains them;
the wheel ships them compiled by hatch_build.py).

The locale of a request: the signed-in user's language, else the best of the browser's
Accept-Language the portal ships (a regional tag keeps its region for dates and numbers: de-AT is
shown in German with Austrian conventions), else DEFAULT_LANGUAGE.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_skeleton, format_timedelta
from flask import Flask, current_app, g, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, LazyString, get_locale, gettext, lazy_gettext, ngettext
from markupsafe import Markup, escape

from portal.catalogues import TRANSLATIONS

__all__ = ["_", "_l", "ngettext", "LANGUAGES", "init_app", "localtime", "localdate", "reltime", "text_direction"]

_ = gettext
_l = lazy_gettext

# Flask-Babel's lazy strings call themselves safe markup (their __html__ is the raw text), so a lazy
# message with a parameter people typed (a name, a template's source quoted in an error) would reach
# a page unescaped. They are text like any other: escaped when shown.
LazyString.__html__ = lambda self: escape(str(self))


# The languages Caseport ships, each named in itself (a language list is read by people who may not
# read the current one).
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "es": "Español"}


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, also for messages marked with _l (API error bodies, flashed messages kept in the
    session): they are put into words in the request's language when written."""

    @staticmethod
    def default(o):
        if isinstance(o, LazyString):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app: Flask) -> None:
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    Babel(app, locale_selector=select_locale, timezone_selector=select_time_zone,
          default_translation_directories=str(TRANSLATIONS))

    @app.context_processor
    def language_globals():
        return {"html_lang": html_lang(), "text_dir": text_direction()}


def supported_languages() -> dict[str, str]:
    """The shipped languages plus any an operator adds with EXTRA_LANGUAGES (tags shown untranslated,
    with their dates and direction: how a right-to-left layout is checked before a catalogue exists)."""
    from portal.settings import setting

    extra = setting("EXTRA_LANGUAGES") or ()
    languages = dict(LANGUAGES)
    for tag in extra:
        languages.setdefault(tag, _native_name(tag))
    return languages


def _native_name(tag: str) -> str:
    try:
        return (Locale.parse(tag).get_display_name() or tag).capitalize()
    except (ValueError, UnknownLocaleError):
        return tag


def match_language(tag: str | None) -> str | None:
    """The locale to show for a language tag ("de-AT" → "de_AT", "de" → "de"), or None when Caseport
    does not ship its language. A region Babel does not know falls back to the bare language."""
    if not tag:
        return None
    tag = tag.strip().replace("-", "_")
    try:
        locale = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        base = tag.split("_")[0].lower()
        return base if base in supported_languages() else None
    if locale.language not in supported_languages():
        return None
    return str(locale)


def valid_language(tag: str | None) -> str:
    """The language tag a person chose, checked: one Caseport offers. Raises ValueError."""
    tag = (tag or "").strip()
    if tag not in supported_languages():
        raise ValueError(tag)
    return tag


def select_locale() -> str:
    from flask_login import current_user

    user = current_user if has_request_context() else None
    if user is not None and user.is_authenticated:
        chosen = match_language(getattr(user, "language", None))
        if chosen:
            return chosen
    if has_request_context():
        for tag, _quality in request.accept_languages:
            chosen = match_language(tag)
            if chosen:
                return chosen
    return current_app.config.get("DEFAULT_LANGUAGE", "en")


def select_time_zone() -> str:
    from portal.web_helpers import viewer_zone

    return viewer_zone().key


def current_language() -> str:
    """The bare language of this request's locale ("de" for de_AT): what a new account is given."""
    return get_locale().language if has_request_context() else current_app.config.get("DEFAULT_LANGUAGE", "en")


def html_lang() -> str:
    return str(get_locale()).replace("_", "-")


def text_direction(locale: Locale | None = None) -> str:
    locale = locale or get_locale()
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def _zone() -> ZoneInfo:
    if "viewer_zone" in g:
        return g.viewer_zone
    from portal.web_helpers import viewer_zone

    return viewer_zone()


def format_moment(value: datetime, zone: ZoneInfo, locale, *, seconds: bool = False) -> str:
    """A moment as people write it in locale, in zone, with the zone named: "Nov 30, 2026, 07:50 EST",
    "30. Nov. 2026, 13:50 MEZ". For notifications too (they pass the recipient's zone and language)."""
    locale = Locale.parse(locale) if not isinstance(locale, Locale) else locale
    date_part = format_skeleton("yMMMd", value, tzinfo=zone, locale=locale)
    time_part = format_skeleton("Hms" if seconds else "Hm", value, tzinfo=zone, locale=locale)
    both = locale.datetime_formats["medium"].format(time_part, date_part)
    return f"{both} {format_datetime(value, 'zzz', tzinfo=zone, locale=locale)}"


def format_day(value, locale) -> str:
    """A calendar day ("Nov 30, 2026", "30. Nov. 2026"): due dates, dates typed into case fields."""
    from babel.dates import format_skeleton as skeleton

    return skeleton("yMMMd", value, locale=locale)


def localtime(value: datetime | None, seconds: bool = False) -> str:
    """A stored (aware UTC) time in the viewer's language and zone, the zone named."""
    if value is None:
        return ""
    return format_moment(value, _zone(), get_locale(), seconds=seconds)


def localdate(value) -> str:
    """A calendar day (a date, not a moment: no zone) in the viewer's language."""
    if value is None:
        return ""
    return format_day(value, get_locale())


def reltime(value: datetime | None, now: datetime | None = None) -> Markup:
    """"2 hours ago", as a <time> whose title and hidden text give the exact moment (for the mouse
    and for screen readers, which do not read titles reliably)."""
    if value is None:
        return Markup("")
    from portal.clock import utcnow

    now = now or utcnow()
    delta = value - now
    if abs(delta) < timedelta(seconds=45):
        relative = gettext("just now")
    else:
        relative = format_timedelta(delta, add_direction=True, threshold=1.1, locale=get_locale())
    exact = localtime(value)
    return Markup('<time datetime="{iso}" title="{exact}">{relative}<span class="visually-hidden"> ({exact})'
                  "</span></time>").format(iso=escape(value.isoformat()), exact=escape(exact),
                                          relative=escape(relative))
