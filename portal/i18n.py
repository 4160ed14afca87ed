"""Words and dates for people, in their language: what every layer marks text with. No Flask here
(services, rules and the notifier's helpers use it too); portal.languages connects it to the request.

Every string a person reads is marked for translation where it is written:
- `_("...")` in code that runs while someone is served (views, flash messages): translated at once;
- `_l("...", name=value)` for strings created at import time (form labels, choices) and for every
  message a service raises: a LazyText that is put into words only when shown, in the language of
  whoever reads it. A service thus says what happened (the message id and its parameters); the edge
  that shows it translates.
Catalogues live in portal/translations/<lang>/LC_MESSAGES/messages.po (portal/catalogues.py maintains
them; hatch_build.py compiles them into the wheel).

Without a request (CLI, jobs, tests of services) text comes out in the source language, English.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import (
    TIMEDELTA_UNITS,
    format_datetime,
    format_skeleton,
    format_timedelta,
    match_skeleton,
    parse_pattern,
)
from markupsafe import Markup

__all__ = ["_", "_l", "ngettext", "LazyText", "LANGUAGES", "localtime", "localdate", "reltime",
           "format_moment", "format_day", "format_number", "lazy_ngettext", "current_locale",
           "supported_languages", "valid_language"]

# The languages Caseport ships, each named in itself (a language list is read by people who may not
# read the current one).
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "es": "Español"}


def _untranslated(message: str, **params) -> str:
    return message % params if params else message


def _untranslated_plural(singular: str, plural: str, num: int, **params) -> str:
    params.setdefault("num", num)
    return (singular if num == 1 else plural) % params


class _Context:
    """How to translate and whom for: portal.languages installs the request's; these are the defaults."""

    gettext: Callable[..., str] = staticmethod(_untranslated)
    ngettext: Callable[..., str] = staticmethod(_untranslated_plural)
    locale: Callable[[], Locale] = staticmethod(lambda: Locale.parse("en"))
    zone: Callable[[], ZoneInfo] = staticmethod(lambda: ZoneInfo("UTC"))


def install(*, gettext, ngettext, locale, zone) -> None:
    """Called once by portal.languages: translate through Flask-Babel, for the current request."""
    _Context.gettext, _Context.ngettext = staticmethod(gettext), staticmethod(ngettext)
    _Context.locale, _Context.zone = staticmethod(locale), staticmethod(zone)


def _(message: str, **params) -> str:
    return _Context.gettext(message, **params)


def ngettext(singular: str, plural: str, num: int, **params) -> str:
    return _Context.ngettext(singular, plural, num, **params)


class LazyText:
    """A message id with its parameters, put into words each time it is shown."""

    __slots__ = ("message", "params", "plural", "num")

    def __init__(self, message: str, plural: str | None = None, num: int | None = None, **params):
        self.message, self.plural, self.num, self.params = message, plural, num, params

    def __str__(self) -> str:
        if self.plural is not None:
            return ngettext(self.message, self.plural, self.num, **self.params)
        return _(self.message, **self.params)

    def __repr__(self) -> str:
        return f"LazyText({self.message!r})"

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.message)

    def __len__(self) -> int:
        return len(str(self))

    def __bool__(self) -> bool:
        return bool(self.message)

    def __contains__(self, item) -> bool:
        return item in str(self)

    def __add__(self, other) -> str:
        return str(self) + str(other)

    def __radd__(self, other) -> str:
        return str(other) + str(self)

    def __mod__(self, other) -> str:
        return str(self) % other

    def __getattr__(self, name):  # str's methods (lower, startswith, format ...), on the words shown
        if name in _NOT_STR:
            raise AttributeError(name)
        return getattr(str(self), name)


# What markupsafe asks every value it escapes (hasattr): str has neither, so the answer is no without
# translating the text for it (a form control's label was translated three times per escape).
_NOT_STR = frozenset({"__html__", "__html_format__"})


def _l(message: str, **params) -> LazyText:
    return LazyText(message, **params)


def lazy_ngettext(singular: str, plural: str, num: int, **params) -> LazyText:
    return LazyText(singular, plural, num, **params)


def supported_languages() -> dict[str, str]:
    """The shipped languages plus any an operator adds with EXTRA_LANGUAGES (tags shown untranslated,
    with their dates and direction: how a right-to-left layout is checked before a catalogue exists)."""
    from portal.settings import setting

    languages = dict(LANGUAGES)
    for tag in setting("EXTRA_LANGUAGES") or ():
        languages.setdefault(tag, _native_name(tag))
    return languages


def _native_name(tag: str) -> str:
    try:
        return (Locale.parse(tag.replace("-", "_")).get_display_name() or tag).capitalize()
    except (ValueError, UnknownLocaleError):
        return tag


def valid_language(tag: str | None) -> str:
    """The language tag a person chose, checked: one Caseport offers. Raises ValueError."""
    tag = (tag or "").strip()
    if tag not in supported_languages():
        raise ValueError(tag)
    return tag


def match_language(tag: str | None) -> str | None:
    """The locale to show for a language tag ("de-AT" → "de_AT", "de" → "de"), or None when Caseport
    does not offer its language. A region Babel does not know falls back to the bare language."""
    if not tag:
        return None
    tag = tag.strip().replace("-", "_")
    try:
        locale = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        base = tag.split("_")[0].lower()
        return base if base in supported_languages() else None
    if locale.language not in supported_languages() and str(locale) not in supported_languages():
        return None
    return str(locale)


def format_moment(value: datetime, zone: ZoneInfo, locale, *, seconds: bool = False) -> str:
    """A moment as people write it in locale, in zone, with the zone named: "Nov 30, 2026, 07:50 EST",
    "30. Nov. 2026, 13:50 MEZ". For notifications too (they pass the recipient's zone and language).
    The pattern and the zone's name are worked out once per language (and zone and offset): lists
    show dozens of moments, and Babel's skeleton matching and zone names cost more than the rest."""
    locale = locale if isinstance(locale, Locale) else Locale.parse(str(locale).replace("-", "_"))
    local = value.astimezone(zone)
    shown = _moment_pattern(locale, seconds).apply(local)
    return f"{shown} {_zone_name(local, locale)}"


@lru_cache(maxsize=64)
def _moment_pattern(locale: Locale, seconds: bool) -> MomentPattern:
    date_pattern = locale.datetime_skeletons["yMMMd"].pattern
    time_pattern = locale.datetime_skeletons[match_skeleton("Hms" if seconds else "Hm",
                                                            locale.datetime_skeletons)].pattern
    return MomentPattern(parse_pattern(locale.datetime_formats["medium"].format(time_pattern, date_pattern)),
                         locale)


class MomentPattern:
    """A Babel date-time pattern of one locale, applied with the fields moments show (year, month,
    day, hours, minutes, seconds) read straight from the datetime: Babel's DateTimePattern.apply looks
    every field up by name and formats it through a chain of calls (7 µs a moment, a list shows
    dozens). Same text as Babel's (tests/i18n/test_moment_pattern.py); a pattern with any other field
    is applied by Babel."""

    __slots__ = ("babel", "locale", "_format", "_fields", "_by_month", "_numbers")

    def __init__(self, pattern, locale: Locale):
        self.babel, self.locale, self._format = pattern, locale, pattern.format
        fields = [(name, _field_reader(name, locale)) for name in _PATTERN_FIELD.findall(pattern.format)]
        self._fields = None if any(read is None for _name, read in fields) else tuple(fields)
        self._by_month, self._numbers = _by_month(pattern.format, locale) if self._fields else (None, None)

    def apply(self, value: datetime) -> str:
        if self._by_month is not None:  # the usual patterns: one % of the month's format (a list's dozens of moments)
            return self._by_month[value.month] % self._numbers(value)
        if self._fields is None:
            return self.babel.apply(value, self.locale)
        return self._format % {name: read(value) for name, read in self._fields}


# Fields a moment's numbers fill in as they are ("%04d" % year ...), and the datetime attribute of each.
_NUMBER_FIELDS = {"y": "year", "M": "month", "L": "month", "d": "day", "H": "hour", "m": "minute", "s": "second"}


def _by_month(format_: str, locale: Locale) -> tuple[tuple[str, ...] | None, Callable | None]:
    """The pattern as twelve %-formats (one per month, its name written in) of the moment's numbers,
    and the attrgetter giving them: the same text as the field readers, in one % and one C call.
    (None, None) when a field needs more than a number or a month's name (12-hour clocks ...)."""
    attributes: list[str] = []
    formats: list[list[str]] = [[] for _month in range(13)]
    position = 0
    for found in _PATTERN_FIELD.finditer(format_):
        name = found.group(1)
        char, width = name[0], len(name)
        for parts in formats:
            parts.append(format_[position:found.start()])
        position = found.end()
        if char in ("M", "L") and 3 <= width <= 5:
            names = locale.months["format" if char == "M" else "stand-alone"][{3: "abbreviated", 4: "wide",
                                                                               5: "narrow"}[width]]
            for month, parts in enumerate(formats):
                parts.append(names[month].replace("%", "%%") if month else "")
        elif char in _NUMBER_FIELDS and not (char == "y" and width == 2) and not (char in "ML" and width > 2):
            attributes.append(_NUMBER_FIELDS[char])
            for parts in formats:
                parts.append(f"%0{width}d")
        else:
            return None, None
    if not attributes:
        return None, None
    for parts in formats:
        parts.append(format_[position:])
    getter = operator.attrgetter(*attributes)
    numbers = getter if len(attributes) > 1 else (lambda value: (getter(value),))
    return tuple("".join(parts) for parts in formats), numbers


_PATTERN_FIELD = re.compile(r"%\((\w+)\)s")


def _field_reader(name: str, locale: Locale) -> Callable[[datetime], str] | None:
    """A function giving what Babel's DateTimeFormat[name] gives, for the fields of a moment; None
    for any other field (or width)."""
    char, width = name[0], len(name)
    digits = f"%0{width}d"
    if char == "y" and width != 2:
        return lambda value: digits % value.year
    if char in ("M", "L"):
        if width <= 2:
            return lambda value: digits % value.month
        if width > 5:
            return None
        names = locale.months["format" if char == "M" else "stand-alone"][{3: "abbreviated", 4: "wide",
                                                                           5: "narrow"}[width]]
        return lambda value: names[value.month]
    readers = {
        "d": lambda value: digits % value.day,
        "H": lambda value: digits % value.hour,
        "h": lambda value: digits % (value.hour % 12 or 12),
        "K": lambda value: digits % (value.hour % 12),
        "k": lambda value: digits % (value.hour or 24),
        "m": lambda value: digits % value.minute,
        "s": lambda value: digits % value.second,
    }
    return readers.get(char)


_ZONE_NAMES: dict[tuple, str] = {}


def _zone_name(local: datetime, locale: Locale) -> str:
    """The zone's name for a moment ("EST", "MEZ"), the same for every moment of that zone and offset."""
    key = (local.tzinfo, str(locale), local.utcoffset(), local.dst())
    name = _ZONE_NAMES.get(key)
    if name is None:
        if len(_ZONE_NAMES) > 4096:
            _ZONE_NAMES.clear()
        name = _ZONE_NAMES[key] = format_datetime(local, "zzz", locale=locale)
    return name


def format_day(value, locale) -> str:
    """A calendar day ("Nov 30, 2026", "30. Nov. 2026"): due dates, dates typed into case fields."""
    locale = locale if isinstance(locale, Locale) else Locale.parse(str(locale).replace("-", "_"))
    return format_skeleton("yMMMd", value, locale=locale)


def format_number(value) -> str:
    """A number as the viewer writes it ("2,000", "2.000")."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=current_locale())


def current_locale() -> Locale:
    return _Context.locale()


def viewer_zone() -> ZoneInfo:
    return _Context.zone()


def localtime(value: datetime | None, seconds: bool = False) -> str:
    """A stored (aware UTC) time in the viewer's language and zone, the zone named."""
    if value is None:
        return ""
    return format_moment(value, viewer_zone(), current_locale(), seconds=seconds)


def localdate(value) -> str:
    """A calendar day (a date, not a moment: no zone) in the viewer's language."""
    if value is None:
        return ""
    return format_day(value, current_locale())


RELATIVE_THRESHOLD = 1.1  # "2 hours ago" from 1.1 hours on; before that "66 minutes ago"


def _rounded(seconds: float) -> tuple[str, int]:
    """seconds as Babel's format_timedelta rounds them: the largest unit reaching the threshold and the
    signed whole number of it. Every moment of one rounding shares one wording."""
    for unit, size in TIMEDELTA_UNITS:
        amount = abs(seconds) / size
        if amount >= RELATIVE_THRESHOLD or unit == "second":
            return unit, (1 if seconds >= 0 else -1) * int(round(amount))
    raise AssertionError("unreachable: the last unit is the second")


@lru_cache(maxsize=2048)
def _relative(locale: Locale, unit: str, amount: int) -> str:
    """The wording of amount units from now, worked out once (Babel's plural rules are slow)."""
    size = dict(TIMEDELTA_UNITS)[unit]
    return format_timedelta(timedelta(seconds=amount * size), add_direction=True, threshold=float("inf"),
                            granularity=unit, locale=locale)


class Moments:
    """Moments shown to one viewer (a locale and a zone) as of one time: the pattern, the zone's names
    and "now" worked out once, for pages that show dozens of them (a list's relative times)."""

    __slots__ = ("locale", "zone", "now", "_pattern", "_zone_names", "_wordings")

    def __init__(self, locale: Locale, zone: ZoneInfo, now: datetime):
        self.locale, self.zone, self.now = locale, zone, now
        self._pattern = _moment_pattern(locale, False)
        self._zone_names: dict[tuple, str] = {}
        self._wordings: dict[tuple[str, int], str] = {}

    def exact(self, value: datetime) -> str:
        """What format_moment(value, zone, locale) says."""
        local = value.astimezone(self.zone)
        key = (local.utcoffset(), local.dst())
        name = self._zone_names.get(key)
        if name is None:
            name = self._zone_names[key] = _zone_name(local, self.locale)
        return f"{self._pattern.apply(local)} {name}"

    def relative(self, value: datetime) -> Markup:
        """"2 hours ago", as a <time> whose title and hidden text give the exact moment (for the mouse
        and for screen readers, which do not read titles reliably)."""
        return Markup(self.relative_html(value))  # noqa: S704 -- every value escaped

    def relative_html(self, value: datetime) -> str:
        """relative() as the str of its markup, for code that writes a page's HTML itself (the feed)."""
        before, after = self.relative_frame(value)
        return f"{before}{self.relative_words(value)}{after}"

    def relative_words(self, value: datetime) -> str:
        """relative()'s words ("2 hours ago"), escaped: what changes with "now"."""
        seconds = (value - self.now).total_seconds()
        rounded = ("just now", 0) if abs(seconds) < 45 else _rounded(seconds)
        relative = self._wordings.get(rounded)  # escaped, once per wording
        if relative is None:
            wording = _("just now") if rounded[0] == "just now" else _relative(self.locale, *rounded)
            relative = self._wordings[rounded] = escape_text(wording)
        return relative

    def relative_frame(self, value: datetime) -> tuple[str, str]:
        """relative()'s markup before and after its words: the same for the moment, the locale and the
        zone whatever "now" is."""
        exact = escape_text(self.exact(value))
        # concatenated, not Markup.format: string.Formatter was the largest single cost of a list's dates.
        # An ISO 8601 text holds digits, "-", ":", "T", "." and "+" only: nothing to escape.
        return (f'<time datetime="{value.isoformat()}" title="{exact}">',
                f'<span class="visually-hidden"> ({exact})</span></time>')


_HTML_SPECIAL = re.compile("[&<>'\"]")
_HTML_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("'", "&#39;"), ('"', "&#34;"))


def escape_text(value) -> str:
    """markupsafe.escape(value) as a plain str (the same characters written the same way), for code
    that writes HTML as text: a Markup instance for each escaped value was a third of the feed's cost."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    text = str(value)
    if _HTML_SPECIAL.search(text) is None:
        return text
    for char, entity in _HTML_ENTITIES:
        text = text.replace(char, entity)
    return text


def viewer_moments() -> Moments:
    """Moments for the viewer, as of now: within a request one for the whole request (every moment of
    a page measured from the same "now", the formatting worked out once); outside, a new one."""
    from portal import request_memo
    from portal.clock import utcnow

    locale, zone = current_locale(), viewer_zone()
    return request_memo.remembered(("moments", locale, zone), lambda: Moments(locale, zone, utcnow()))


def reltime(value: datetime | None, now: datetime | None = None) -> Markup:
    """Moments.relative for the viewer: "2 hours ago" with the exact moment."""
    if value is None:
        return Markup("")
    if now is not None:
        return Moments(current_locale(), viewer_zone(), now).relative(value)
    return viewer_moments().relative(value)
