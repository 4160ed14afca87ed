"""The dashboard's columns sort (links, so it works without JavaScript), and cases that changed since
the viewer last opened them are marked."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.cases.service.conversation import add_comment
from portal.cases.service.search_index import reindex_case
from portal.clock import utcnow
from portal.models.cases import Case
from portal.models.configuration import CaseTemplate
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


def test_each_reader_has_their_own_reading_read_with_the_case(app, people, sql_log):
    """The case page reads when the viewer last read the case with the case itself (no statement of its
    own), the viewer's own reading and no one else's: an agent opening a case the customer read has
    their reading recorded, and the customer's stays as it was."""
    group = factories.workgroup(people.agent)
    case = factories.case(people.customer, title="Router drops the line", workgroup=group)
    customer, agent = app.test_client(), app.test_client()
    sign_in(customer, people.customer)
    sign_in(agent, people.agent)
    assert customer.get(f"/cases/{case.reference}").status_code == 200
    theirs = CaseReading.get(CaseReading.user == people.customer.id).seen_at

    def view() -> tuple[int, int]:
        """The agent opens the case: (reads of a reading on their own, writes of one)."""
        with sql_log() as statements:
            assert agent.get(f"/cases/{case.reference}").status_code == 200
        return (sum(s.startswith('SELECT "t1"."seen_at" FROM "case_reading"') for s in statements),
                sum(s.startswith('INSERT INTO "case_reading"') for s in statements))

    assert view() == (0, 1)  # never read by them: recorded
    assert CaseReading.get(CaseReading.user == people.agent.id).seen_at >= theirs
    assert CaseReading.get(CaseReading.user == people.customer.id).seen_at == theirs
    assert view() == (0, 0)  # unchanged since: nothing written


def test_the_list_and_the_action_group_read_together_are_what_each_reads_alone(app, people):
    """The unfiltered first page reads its rows and the action group's in one statement (one round trip
    on PostgreSQL): the same rows in the same order as two statements, ties on the update time broken by
    the later case, each row's own reading."""
    from portal.case_scope import case_scope
    from portal.cases.queries import dashboard_sql
    from portal.cases.queries.dashboard import ACTION_CATEGORIES, CaseRow
    from tests.cases.test_dashboard import make_case, profile

    template = CaseTemplate.create(name="General question", state="published")
    own = profile(people.customer)
    base = utcnow()
    for n in range(40):
        case = make_case(own, template, title=f"Case {n}", category=("open", "waiting", "resolved", "closed")[n % 4])
        # cases in pairs share an update time, so the order's tie-break shows
        Case.update(updated_at=base - timedelta(minutes=n // 2)).where(Case.id == case.id).execute()
    for case in Case.select().where(Case.title.in_(["Case 2", "Case 6"])):
        CaseReading.create(case=case, user=people.customer.id, seen_at=utcnow())
    scope = case_scope(people.customer)

    for limit, offset, preview in ((25, 0, 10), (5, 0, 3), (50, 0, 50), (10, 30, 2)):
        together = dashboard_sql.rows_and_preview(scope, people.customer.id, CaseRow, limit=limit, offset=offset,
                                                  preview_limit=preview, preview_categories=ACTION_CATEGORIES)
        alone = (dashboard_sql.rows(scope, people.customer.id, CaseRow, sort_key="updated", descending=True,
                                    limit=limit, offset=offset),
                 dashboard_sql.rows(scope, people.customer.id, CaseRow, sort_key="updated", descending=True,
                                    limit=preview, categories=ACTION_CATEGORIES))
        assert together == alone, (limit, offset, preview)
        assert together[1] and all(row.status_category in ACTION_CATEGORIES for row in together[1])
