"""Moments are written by portal.i18n.MomentPattern, which reads the fields straight from the datetime
instead of through Babel's DateTimeFormat: the text must be Babel's, letter for letter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import parse_pattern

from portal.i18n import MomentPattern, _moment_pattern, format_moment

# The shipped languages, regional variants people's browsers send, and locales whose patterns use
# other fields and orders (12-hour clocks, day periods, other scripts and digits).
LOCALES = ["en", "de", "es", "en_US", "en_GB", "de_AT", "de_CH", "es_MX", "fr", "ja", "ar", "ko", "hi", "zh",
           "fa", "th", "bg", "ru", "pt_BR", "he"]
ZONES = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def _moments(count: int) -> list[datetime]:
    rng = random.Random(12)
    start = datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)
    edges = [datetime(2026, month, 1, hour, tzinfo=UTC) for month in (1, 3, 10, 12) for hour in (0, 1, 11, 12, 13, 23)]
    return edges + [start + timedelta(seconds=rng.randrange(40 * 365 * 86400)) for _ in range(count)]


@pytest.mark.parametrize("tag", LOCALES)
@pytest.mark.parametrize("seconds", [False, True])
def test_a_moment_reads_as_babel_writes_it(tag, seconds):
    locale = Locale.parse(tag)
    pattern = _moment_pattern(locale, seconds)
    for zone in ZONES:
        for value in _moments(150):
            local = value.astimezone(ZoneInfo(zone))
            assert pattern.apply(local) == pattern.babel.apply(local, locale), (tag, zone, value)


@pytest.mark.parametrize("text", ["MMM d, y, h:mm a", "dd.MM.yyyy HH:mm:ss", "MMMM d, y 'at' HH:mm", "LLL d, y, k:mm",
                                  "y-MM-dd K:mm", "d MMM y, h:mm", "dd.MM.y hh:mm:ss", "MMMMM d y", "d MMM yy, HH:mm",
                                  "EEE d MMM y, HH:mm", "d MMM y, HH:mm zzzz", "'100%' d MMM y"])
def test_other_patterns_read_as_babel_writes_them(text):
    """Fields a moment pattern can hold today or after a CLDR update; the ones MomentPattern does not
    read itself (weekdays, day periods, zones, two-digit years) go to Babel whole."""
    for tag in ("en", "de", "ja"):
        locale = Locale.parse(tag)
        pattern = MomentPattern(parse_pattern(text), locale)
        for value in _moments(40):
            assert pattern.apply(value) == pattern.babel.apply(value, locale), (text, tag, value)


def test_format_moment_names_the_zone():
    value = datetime(2026, 11, 30, 12, 50, tzinfo=UTC)
    assert format_moment(value, ZoneInfo("America/New_York"), "en") == "Nov 30, 2026, 07:50 EST"
    assert format_moment(value, ZoneInfo("Europe/Berlin"), "de") == "30. Nov. 2026, 13:50 MEZ"
