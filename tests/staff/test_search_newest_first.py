"""The staff search's first look at a keyword (issue 12: an agent's search over a million cases on
PostgreSQL): the viewer's newest MAX_WALKED visible cases are walked latest update first; when the page
and one more match are among them, the page lists them and says only what that walk proved ("More than
N cases found", N up to the page's end) with a "Count matches" link; when the walk ends short, the index
is asked and the count is exact (up to MAX_LISTED_MATCHES) as before. The same rule on both databases,
the same rows as the counted page, and never a case the viewer may not see. Limits are lowered so a few
cases take a million's paths."""

import re

import pytest

from portal.cases.queries import search as keyword_search
from portal.cases.service.search_index import reindex_case
from portal.staff import queries
from tests import factories
from tests.fixtures import sign_in


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    monkeypatch.setattr(keyword_search, "MAX_WALKED", 6)
    monkeypatch.setattr(keyword_search, "MAX_LISTED_MATCHES", 100)
    # Blocks of 2 (PostgreSQL: a statement each, from where the last ended; cases made in one second tie
    # on their update time and the id decides): after each, the walk stops when it could not fill the page.
    monkeypatch.setattr(keyword_search, "WALKED_AT_ONCE", 2)


def _case(people, teams, title, workgroup=None):
    made = factories.case(people.customer, template=teams.template, workgroup=workgroup or teams.desk, title=title)
    reindex_case(made.id)
    return made


def _listed(page: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"\b\d{8}\b", page[page.index('id="results-title"'):])))


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture(params=[True, False], ids=["documents", "statement"])
def decide_on_text(request, monkeypatch):
    """SQLite decides the walked cases on their stored text or with the statement: the same pages."""
    monkeypatch.setattr(keyword_search, "DECIDE_ON_TEXT", request.param)


def test_a_word_common_among_the_newest_cases_lists_them_uncounted_with_a_count_link(
        client, people, teams, small, decide_on_text):
    made = [_case(people, teams, f"Printer jammed {n}") for n in range(5)]
    sign_in(client, people.agent)
    first = _get(client, "/staff/search?q=printer")
    assert "More than 2 cases found" in first and "5 cases found" not in first
    assert _listed(first) == [c.reference for c in reversed(made)][:2]
    assert "Count matches" in first and "count=1" in first and 'rel="next"' in first
    second = _get(client, "/staff/search?q=printer&page=2")
    assert "More than 4 cases found" in second
    assert _listed(second) == [c.reference for c in reversed(made)][2:4]
    # Page 3 would need a sixth match among the newest six cases: the walk ends short, the index counts.
    third = _get(client, "/staff/search?q=printer&page=3")
    assert "5 cases found" in third and "Count matches" not in third
    assert _listed(third) == [made[0].reference]
    counted = _get(client, "/staff/search?q=printer&count=1")
    assert "5 cases found" in counted and "Count matches" not in counted
    assert _listed(counted) == _listed(first)
    assert "count=1" in counted.split('id="results-title"')[1]  # its pager keeps counting


def test_a_rare_word_is_counted_exactly_at_once(client, people, teams, small, decide_on_text):
    for n in range(8):
        _case(people, teams, f"Printer jammed {n}")
    rare = _case(people, teams, "Printer zebra")
    sign_in(client, people.agent)
    page = _get(client, "/staff/search?q=zebra")
    assert "1 case found" in page and "Count matches" not in page and _listed(page) == [rare.reference]


def test_the_walk_counts_only_the_newest_cases_and_then_asks_the_index(client, people, teams, small, decide_on_text):
    old = [_case(people, teams, f"Printer jammed {n}") for n in range(2)]
    for n in range(6):
        _case(people, teams, f"Scanner broken {n}")  # the six newest cases do not match
    sign_in(client, people.agent)
    page = _get(client, "/staff/search?q=printer")
    assert "2 cases found" in page and "More than" not in page
    assert _listed(page) == [c.reference for c in reversed(old)]


def test_cases_the_agent_may_not_see_are_neither_walked_nor_listed(client, people, teams, small, decide_on_text):
    shown = []
    for n in range(4):
        _case(people, teams, f"Printer hidden {n}", workgroup=teams.experts)
        shown.append(_case(people, teams, f"Printer shown {n}"))
    sign_in(client, people.agent)
    first = _get(client, "/staff/search?q=printer")
    assert "More than 2 cases found" in first
    assert _listed(first) == [c.reference for c in reversed(shown)][:2]
    everything = [ref for n in (1, 2) for ref in _listed(_get(client, f"/staff/search?q=printer&page={n}"))]
    assert everything == [c.reference for c in reversed(shown)]
    counted = _get(client, "/staff/search?q=printer&count=1")
    assert "4 cases found" in counted


def test_the_walk_and_the_counted_pages_list_the_same_cases(client, people, teams, small, decide_on_text):
    for n in range(7):
        _case(people, teams, f"Printer jammed {n}" if n % 3 else f"Monitor flickers {n}")
    sign_in(client, people.agent)
    for text in ("printer", "pri", "printer jammed", '"jammed"', "monitor", "nothing"):
        for number in (1, 2, 3):
            walked = _get(client, f"/staff/search?q={text}&page={number}")
            counted = _get(client, f"/staff/search?q={text}&page={number}&count=1")
            assert _listed(walked) == _listed(counted), (text, number)


def test_a_page_past_the_end_says_so(client, people, teams, small):
    for n in range(5):
        _case(people, teams, f"Printer jammed {n}")
    sign_in(client, people.agent)
    past = _get(client, "/staff/search?q=printer&page=9")
    assert "5 cases found" in past  # counted: the last page is shown, as for any counted list
    keyword_search_limit = 3
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyword_search, "MAX_LISTED_MATCHES", keyword_search_limit)
        past = _get(client, "/staff/search?q=printer&page=9")
    assert "Page 9 is past the last page of these results." in past and "Go to the first page" in past


def test_the_count_link_is_said_in_german_and_spanish(client, people, teams, small):
    for n in range(5):
        _case(people, teams, f"Printer jammed {n}")
    sign_in(client, people.agent)
    for language, words in (("de", ("Mehr als 2 Fälle gefunden", "Treffer zählen")),
                            ("es", ("Se encontraron más de 2 casos", "Contar coincidencias"))):
        people.agent.language = language
        people.agent.save()
        page = _get(client, "/staff/search?q=printer")
        assert all(word in page for word in words), language


def test_a_page_just_filled_by_the_walk_is_not_said_to_have_more(client, people, teams, small, decide_on_text):
    """The walk claims "more than N" only when it found case N + 1: exactly a page of matches is counted."""
    made = [_case(people, teams, f"Printer jammed {n}") for n in range(2)]
    sign_in(client, people.agent)
    page = _get(client, "/staff/search?q=printer")
    assert "2 cases found" in page and "More than" not in page and 'rel="next"' not in page
    assert _listed(page) == [c.reference for c in reversed(made)]


def test_the_walk_stops_after_a_block_too_poor_to_fill_the_page(client, people, teams, small, decide_on_text):
    """Pages of 2 need 3 matches among 6 cases; after the first block of 2 without one, the rate (0 of 2)
    cannot reach them: the walk stops and the index counts, although the 6 cases hold 4 matches."""
    made = [_case(people, teams, f"Printer jammed {n}") for n in range(4)]
    for n in range(2):
        _case(people, teams, f"Scanner broken {n}")
    sign_in(client, people.agent)
    page = _get(client, "/staff/search?q=printer")
    assert "4 cases found" in page and "More than" not in page
    assert _listed(page) == [c.reference for c in reversed(made)][:2]


def test_the_walk_stops_at_a_later_block_too(client, people, teams, small, decide_on_text):
    """Newest first: printer, scanner x3, printer x2. The first block (1 of 2) may still fill a page of 3
    by 6 cases; after the second (1 of 4) it may not: the walk stops there and the index counts 3. On
    PostgreSQL that second block is met in the statement that walks on after the first."""
    titles = ["Printer old 1", "Printer old 2", "Scanner 1", "Scanner 2", "Scanner 3", "Printer new"]
    made = [_case(people, teams, title) for title in titles]
    sign_in(client, people.agent)
    page = _get(client, "/staff/search?q=printer")
    assert "3 cases found" in page and "More than" not in page
    assert _listed(page) == [made[5].reference, made[1].reference]
