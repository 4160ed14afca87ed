"""GET /cases: filters, keyword search, cursors that neither repeat nor skip a case while others are
opened and changed, and a constant number of statements per page whatever its size."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.case_config.service import system_status
from portal.cases.service import conversation
from portal.cases.service.search_index import reindex_case
from portal.clock import utcnow
from portal.models.cases import Case
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer
from tests import factories
from tests.api.conftest import assert_error


@pytest.fixture
def desk(app, people):
    return factories.workgroup(people.agent, people.supervisor, name="Desk")


def _cases(people, desk, n, *, start=None, **overrides):
    """n cases of the customer ("Case <n>") in the desk's queue, opened a minute apart (oldest first)."""
    start = start or utcnow() - timedelta(days=1)
    made = []
    for i in range(n):
        moment = start + timedelta(minutes=i)
        made.append(factories.case(people.customer, workgroup=desk, opened_at=moment, updated_at=moment,
                                   **overrides))
        reindex_case(made[-1].id)  # findable by keyword, as a case opened through the form is
    return made


def _all_pages(api, query: str, between=None) -> list[str]:
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get(f"/cases?{query}" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        seen += [item["reference"] for item in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        if cursor is None:
            return seen
        if between is not None:
            between(pages)


def test_pages_newest_first_neither_repeat_nor_skip_while_cases_are_opened_and_changed(api_as, people, desk):
    made = _cases(people, desk, 7)
    # Two cases opened at the very same moment: the UUID breaks the tie.
    Case.update(opened_at=made[3].opened_at).where(Case.id == made[4].id).execute()
    expected = [c.reference for c in sorted((Case.get_by_id(c.id) for c in made),
                                            key=lambda c: (c.opened_at, c.uuid), reverse=True)]
    api = api_as(people.agent)

    def meanwhile(page):
        factories.case(people.customer, workgroup=desk)  # newer than everything listed: before the cursor
        conversation.add_comment(people.agent, Case.get_by_id(made[0].id), f"Update {page}")  # not yet listed

    assert _all_pages(api, "limit=3", between=meanwhile) == expected


def test_pages_by_update_see_every_case_at_least_once_even_when_changed_meanwhile(api_as, people, desk):
    made = _cases(people, desk, 6)
    api = api_as(people.agent)
    changed_unseen = made[5]

    def meanwhile(page):
        if page == 1:
            conversation.add_comment(people.agent, Case.get_by_id(changed_unseen.id), "Moves to the end")
            conversation.add_comment(people.agent, Case.get_by_id(made[0].id), "Seen, changed: listed again")

    seen = _all_pages(api, "order=updated_at&limit=2", between=meanwhile)
    assert set(seen) == {c.reference for c in made}
    assert seen[:2] == [made[0].reference, made[1].reference]
    assert seen[-2:] == [changed_unseen.reference, made[0].reference]
    assert len(seen) == 7  # the changed, already seen case once more; nothing skipped


def test_a_cursor_works_only_with_the_filters_and_user_it_was_issued_for(api_as, people, desk):
    _cases(people, desk, 3)
    api = api_as(people.agent)
    cursor = api.get("/cases?limit=1").get_json()["next_cursor"]
    assert api.get(f"/cases?limit=2&cursor={cursor}").status_code == 200  # another page size is fine
    assert_error(api.get(f"/cases?limit=1&status_category=open&cursor={cursor}"), 400, "invalid_cursor")
    assert_error(api_as(people.supervisor).get(f"/cases?limit=1&cursor={cursor}"), 400, "invalid_cursor")
    for junk in ("x", cursor[:-1], "e30." + cursor.split(".")[1]):
        assert_error(api.get(f"/cases?cursor={junk}"), 400, "invalid_cursor")


def test_filters(api_as, people, desk):
    other_team = factories.workgroup(people.agent, name="Other")
    template = CaseTemplate.create(name="Billing", state="published")
    otto = Customer.get(Customer.user == people.other_customer)
    first, second = _cases(people, desk, 2)
    urgent = factories.case(people.customer, workgroup=other_team, priority="urgent", assignee=people.agent,
                            template=template)
    waiting = factories.case(customer=otto, workgroup=desk, status="closed")
    old = utcnow() - timedelta(days=30)
    Case.update(updated_at=old).where(Case.id.in_([first.id, second.id])).execute()
    api = api_as(people.agent)

    def refs(query):
        response = api.get(f"/cases?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return {item["reference"] for item in response.get_json()["items"]}

    assert refs("") == {c.reference for c in (first, second, urgent, waiting)}
    assert refs("status_category=closed") == {waiting.reference}
    assert refs("status_category=open&status_category=closed") == refs("")
    assert refs(f"status={system_status('closed').uuid}") == {waiting.reference}
    assert refs(f"template={template.uuid}") == {urgent.reference}
    assert refs(f"workgroup={other_team.uuid}") == {urgent.reference}
    assert refs(f"customer={otto.uuid}") == {waiting.reference}
    assert refs("assignee=me") == refs(f"assignee={people.agent.uuid}") == {urgent.reference}
    assert refs("assignee=none") == {first.reference, second.reference, waiting.reference}
    assert refs("priority=urgent&priority=high") == {urgent.reference}
    since = (utcnow() - timedelta(days=2)).isoformat()
    assert refs(f"updated_since={since.replace('+', '%2B')}") == {urgent.reference, waiting.reference}
    assert refs("template=3f1c2d4e-0000-4000-8000-000000000000") == set()


def test_customers_cannot_filter_by_what_they_do_not_see(api_as, people, desk):
    _cases(people, desk, 1, priority="urgent")
    api = api_as(people.customer)
    assert len(api.get("/cases").get_json()["items"]) == 1
    for query in ("priority=urgent", "assignee=me"):
        error = assert_error(api.get(f"/cases?{query}"), 422, "invalid")
        assert set(error["fields"]) == {query.split("=")[0]}


def test_keyword_search_finds_what_the_pages_find_for_each_side(api_as, people, world_for_search):
    customer, agent = api_as(people.customer), api_as(people.admin)
    assert [i["title"] for i in customer.get("/cases?q=toner").get_json()["items"]] == ["Printer out of toner"]
    assert customer.get("/cases?q=secretword").get_json()["items"] == []  # only in an internal note
    assert [i["title"] for i in agent.get("/cases?q=secretword").get_json()["items"]] == ["Printer out of toner"]
    assert api_as(people.other_customer).get("/cases?q=toner").get_json()["items"] == []


@pytest.fixture
def world_for_search(app, api_as, people):
    from tests.case_config import factories as config

    template = config.template(people.admin, name="General")
    api = api_as(people.customer)
    for title in ("Printer out of toner", "Router blinks"):
        assert api.post("/cases", json={"template": template.uuid, "title": title,
                                        "summary": "Please help."}).status_code == 201
    conversation.add_comment(people.admin, Case.get(Case.title == "Printer out of toner"), "secretword",
                             public=False)


@pytest.mark.parametrize("who", ["agent", "customer"])
def test_a_page_costs_the_same_statements_whatever_its_size(api_as, people, desk, sql_log, who):
    api = api_as(getattr(people, who))
    _cases(people, desk, 2, assignee=people.agent)

    def statements(query):
        api.get(f"/cases?{query}")  # the token's first use notes it; measure the next ones
        with sql_log() as log:
            response = api.get(f"/cases?{query}")
        assert response.status_code == 200
        return len(log), len(response.get_json()["items"])

    small = {query: statements(query) for query in ("limit=200", "limit=200&q=case")}
    _cases(people, desk, 40, assignee=people.agent)
    large = {query: statements(query) for query in small}
    assert large["limit=200"][1] == large["limit=200&q=case"][1] == 42
    assert {q: n for q, (n, _) in small.items()} == {q: n for q, (n, _) in large.items()}
    assert large["limit=200"][0] <= 8, large


@pytest.mark.parametrize("query", [
    "limit=0", "limit=201", "limit=abc", "status_category=pending", "priority=extreme", "template=not-a-uuid",
    "assignee=someone", "updated_since=yesterday", "updated_since=2026-01-01T00:00:00", "order=title",
    "q=" + "x" * 501, "unknown=1", "limit=1&limit=2",
])
def test_bad_list_parameters_are_422(api_as, people, query):
    assert_error(api_as(people.agent).get(f"/cases?{query}"), 422, "invalid")
