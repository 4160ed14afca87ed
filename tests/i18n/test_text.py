"""portal.i18n without a request (services, CLI, jobs) and the date formats people read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale, refresh

from portal.errors import NotFound
from portal.i18n import LazyText, _l, format_day, format_moment, reltime


def test_a_lazy_message_is_english_without_a_request_and_keeps_its_parameters():
    message = _l("Case %(reference)s is closed.", reference="40000001")
    assert str(message) == "Case 40000001 is closed."
    assert isinstance(message, LazyText) and "40000001" in message
    assert str(NotFound()) == "That was not found."


def test_a_lazy_message_is_put_into_words_in_the_language_of_whoever_reads_it(app):
    error = NotFound()  # raised once, shown to two people
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert str(error) == "Das wurde nicht gefunden."
        refresh()  # the fixture's app context outlives these requests; a served request starts afresh
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert str(error) == "No se encontró."
        refresh()
    with app.test_request_context("/"), force_locale("de"):
        assert str(error) == "Das wurde nicht gefunden."


def test_moments_name_their_zone_and_follow_the_language():
    moment = datetime(2026, 11, 30, 12, 50, tzinfo=UTC)
    assert format_moment(moment, ZoneInfo("America/New_York"), "en") == "Nov 30, 2026, 07:50 EST"
    assert format_moment(moment, ZoneInfo("Europe/Berlin"), "de") == "30. Nov. 2026, 13:50 MEZ"
    assert format_moment(moment, ZoneInfo("UTC"), "es") == "30 nov 2026, 12:50 UTC"
    # across the change to summer time the zone's name changes with it
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert format_moment(summer, ZoneInfo("Europe/Berlin"), "de").endswith("14:00 MESZ")
    assert [format_day(date(2026, 3, 5), tag) for tag in ("en", "de", "es")] == [
        "Mar 5, 2026", "5. März 2026", "5 mar 2026"]


def test_relative_times_keep_the_exact_moment_for_the_mouse_and_screen_readers(app):
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        shown = str(reltime(now - timedelta(hours=2), now=now))
        assert "vor 2 Stunden" in shown
        assert 'datetime="2026-11-30T10:00:00+00:00"' in shown
        assert "30. Nov. 2026, 10:00 UTC" in shown  # in the title and in the hidden text
        assert shown.count("30. Nov. 2026, 10:00 UTC") == 2
        refresh()
    with app.test_request_context("/"):
        assert "just now" in str(reltime(now - timedelta(seconds=10), now=now))


def test_a_new_language_starts_with_an_empty_catalogue_of_every_marked_string(tmp_path):
    from babel.messages.pofile import read_po

    from portal.catalogues import ROOT, update_catalogues

    left = update_catalogues(ROOT, tmp_path, add="fr")
    with (tmp_path / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source, locale="fr")
    assert left["fr"] == len([entry for entry in catalogue if entry.id]) > 10
    assert all(not any(entry.string) if isinstance(entry.string, tuple) else not entry.string
               for entry in catalogue if entry.id)


def test_relative_wording_is_babels_own_for_any_delta():
    """reltime words a delta once per rounding (Babel's plural rules are slow); it must say exactly what
    format_timedelta says, in every shipped language, for deltas from a minute to years either way."""
    from babel import Locale
    from babel.dates import format_timedelta

    from portal.i18n import _relative, _rounded

    deltas = [sign * size * step / 7 for sign in (-1, 1) for size in (60, 3600, 86400, 2592000, 31536000)
              for step in range(1, 120)]
    for tag in ("en", "de", "es"):
        locale = Locale.parse(tag)
        for seconds in deltas:
            expected = format_timedelta(timedelta(seconds=seconds), add_direction=True, threshold=1.1, locale=locale)
            assert _relative(locale, *_rounded(seconds)) == expected, (tag, seconds)


def test_escaping_a_lazy_message_translates_it_once(monkeypatch):
    """markupsafe asks every value for __html__ before escaping it: a lazy message answers no without
    being put into words for the question (form labels were translated three times per escape)."""
    from markupsafe import escape

    import portal.i18n

    said = []
    original = portal.i18n._Context.gettext
    monkeypatch.setattr(portal.i18n._Context, "gettext",
                        staticmethod(lambda message, **params: said.append(message) or original(message, **params)))
    label = _l("Summary <b>%(n)s</b>", n="&")
    assert str(escape(label)) == "Summary &lt;b&gt;&amp;&lt;/b&gt;"
    assert said == ["Summary <b>%(n)s</b>"]
    assert not hasattr(label, "__html__") and label.upper() == "SUMMARY <B>&</B>"


def test_escape_text_writes_what_markupsafe_writes():
    import random
    import uuid

    from markupsafe import Markup, escape

    from portal.i18n import escape_text

    rng = random.Random(5)
    alphabet = "ab <>&'\"é€\n;#x"
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(300)]
    values += [Markup("<b>\"kept\"</b>"), uuid.UUID(int=7), 42, None, _l("A <b>%(x)s</b>", x="&"), ""]
    for value in values:
        assert escape_text(value) == str(escape(value)) and type(escape_text(value)) is str, value
