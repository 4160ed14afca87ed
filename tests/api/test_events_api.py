"""GET /api/v1/events from outside: what each token sees, polling without loss or repeats, filters,
and refusals in the error shape."""

from __future__ import annotations

from portal.cases.service.conversation import add_comment
from portal.models.cases import Case
from tests import factories
from tests.api.conftest import assert_error


def _world(people):
    group = factories.workgroup(people.agent)
    mine = factories.case(people.customer, workgroup=group)
    theirs = factories.case(people.other_customer, workgroup=group)
    add_comment(people.customer, mine, "Printer still broken")
    add_comment(people.agent, Case.get_by_id(mine.id), "Checked the logs", public=False)
    add_comment(people.agent, Case.get_by_id(mine.id), "We are on it")
    add_comment(people.other_customer, theirs, "Not mine to see")
    return mine, theirs


def test_a_customer_polls_the_public_events_of_their_own_cases(app, api_as, people):
    mine, _ = _world(people)
    response = api_as(people.customer, ["events:read"]).get("/events")
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [item["type"] for item in items] == ["case.commented", "case.commented"]
    assert all(item["case"] == {"id": mine.uuid, "reference": mine.reference} for item in items)
    assert not any(item["internal"] for item in items)
    assert items[0]["actor"] == people.customer.uuid and items[1]["actor"] == people.agent.uuid
    assert items[0]["occurred_at"].endswith("Z")


def test_staff_see_internal_events_and_polling_never_repeats_or_misses(app, api_as, people):
    _world(people)
    api = api_as(people.agent, ["events:read"])
    seen, after = [], None
    while True:
        query = "/events?limit=1" + (f"&after={after}" if after is not None else "")
        page = api.get(query).get_json()
        if not page["items"]:
            assert page["next_after"] == after
            break
        seen += page["items"]
        after = page["next_after"]
    positions = [item["position"] for item in seen]
    assert positions == sorted(set(positions)) == list(range(1, len(positions) + 1))
    assert "case.internal_note_added" in {item["type"] for item in seen}
    # A change after the last poll is the next page, and nothing before it comes again.
    add_comment(people.customer, Case.get(Case.reference == seen[0]["case"]["reference"]), "More news")
    page = api.get(f"/events?after={after}").get_json()
    assert [item["position"] for item in page["items"]] == [after + 1]


def test_filters_by_type_and_case(app, api_as, people):
    mine, theirs = _world(people)
    api = api_as(people.agent, ["events:read"])
    only = api.get("/events?type=case.internal_note_added").get_json()["items"]
    assert [item["type"] for item in only] == ["case.internal_note_added"]
    both = api.get("/events?type=case.commented&type=case.internal_note_added").get_json()["items"]
    assert len(both) == 4
    of_theirs = api.get(f"/events?case={theirs.reference}").get_json()["items"]
    assert {item["case"]["reference"] for item in of_theirs} == {theirs.reference}


def test_another_customers_case_is_not_found(app, api_as, people):
    _, theirs = _world(people)
    assert_error(api_as(people.customer, ["events:read"]).get(f"/events?case={theirs.reference}"), 404, "not_found")
    assert_error(api_as(people.customer, ["events:read"]).get("/events?case=00000000"), 404, "not_found")


def test_bad_parameters_are_refused_with_the_field_named(app, api_as, people):
    api = api_as(people.agent, ["events:read"])
    for query, field in (("after=-1", "after"), ("after=abc", "after"), ("limit=0", "limit"),
                         ("limit=100000", "limit"), ("type=case.exploded", "type.0"), ("bogus=1", "bogus"),
                         ("after=99999999999999999999999", "after")):
        error = assert_error(api.get(f"/events?{query}"), 422, "invalid")
        assert field in error["fields"], (query, error)


def test_the_events_scope_is_needed_and_refusals_speak_the_users_language(app, api_as, people):
    assert_error(api_as(people.agent, ["cases:read"]).get("/events"), 403, "insufficient_scope")
    german = factories.user(role="agent", language="de")
    error = assert_error(api_as(german, ["cases:read"]).get("/events"), 403, "insufficient_scope")
    assert "Berechtigung events:read" in error["message"]
