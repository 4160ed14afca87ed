"""The dashboard's columns sort (links, so it works without JavaScript), and cases that changed since
the viewer last opened them are marked."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.cases.service.conversation import add_comment
from portal.cases.service.search_index import reindex_case
from portal.clock import utcnow
from portal.models.readings import CaseReading
from tests import factories
from tests.fixtures import sign_in


def titles(page: str) -> list[str]:
    return re.findall(r'<a href="/cases/\d{8}">([^<]+)</a>', page)


def test_columns_sort_both_ways_and_keep_the_filters(app, people):
    for minutes, title in ((3, "Beta printer"), (2, "Alpha printer"), (1, "Gamma printer")):
        case = factories.case(people.customer, title=title)
        case.updated_at = utcnow() - timedelta(minutes=minutes)
        case.save()
        reindex_case(case.id)
    client = app.test_client()
    sign_in(client, people.customer)

    default = client.get("/cases").get_data(as_text=True)
    assert titles(default) == ["Gamma printer", "Alpha printer", "Beta printer"]  # most recently updated first
    assert 'aria-sort="descending"' in default

    by_title = client.get("/cases?sort=title").get_data(as_text=True)
    assert titles(by_title) == ["Alpha printer", "Beta printer", "Gamma printer"]
    assert 'aria-sort="ascending"' in by_title
    # the active column's link reverses it
    assert 'href="/cases?sort=title&amp;order=desc"' in by_title
    assert titles(client.get("/cases?sort=title&order=desc").get_data(as_text=True)) == [
        "Gamma printer", "Beta printer", "Alpha printer"]

    # a search keeps the order, and the order links keep the search
    searched = client.get("/cases?q=printer&sort=title").get_data(as_text=True)
    assert titles(searched) == ["Alpha printer", "Beta printer", "Gamma printer"]
    assert '<input type="hidden" name="sort" value="title">' in searched
    assert "q=printer" in re.search(r'href="([^"]*sort=reference[^"]*)"', searched).group(1)


def test_an_unknown_column_or_order_falls_back_to_the_default_order(app, people):
    factories.case(people.customer, title="Only one")
    client = app.test_client()
    sign_in(client, people.customer)
    for query in ("sort=password_hash", "sort=title&order=sideways", "sort=%00", "order=asc&sort="):
        response = client.get(f"/cases?{query}")
        assert response.status_code in (200, 400), query
        assert "Only one" in response.get_data(as_text=True) or response.status_code == 400


def test_new_and_updated_cases_are_marked_until_opened(app, people):
    case = factories.case(people.customer, title="Router drops the line", assignee=people.agent)
    client = app.test_client()
    sign_in(client, people.customer)

    def mark() -> str | None:
        page = client.get("/cases").get_data(as_text=True)
        row = page[page.index("Router drops the line"):]
        found = re.match(r'[^<]*</a>( <span class="badge badge-updated">(\w+))?', row)
        return found.group(2)

    assert mark() == "New"  # filed for them by someone else, never opened
    assert client.get(f"/cases/{case.reference}").status_code == 200
    assert mark() is None

    # opening it again unchanged writes nothing
    first = CaseReading.get().seen_at
    client.get(f"/cases/{case.reference}")
    assert CaseReading.get().seen_at == first

    add_comment(people.agent, case, "Please restart the router once more.")
    assert mark() == "Updated"
    client.get(f"/cases/{case.reference}")
    assert mark() is None
    # another person's reading is their own
    assert CaseReading.select().where(CaseReading.user == people.agent.id).count() == 0
