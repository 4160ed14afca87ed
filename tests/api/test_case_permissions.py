"""The permission matrix of the case pages, repeated through the API: for the world of the policy tests
(one case, everyone by their relation to it) a token sees and may do exactly what its user may on the
pages (tests/policy/test_case_page_controls.py), and a case it may not see is 404, never 403."""

from __future__ import annotations

import pytest

from notifier.models import Message
from portal.models.cases import Case, CaseEvent
from tests.api.conftest import assert_error
from tests.policy.conftest import RELATIONS, world  # noqa: F401 -- the policy tests' world fixture
from tests.policy.test_case_page_controls import EXPECTED

SEES = set(EXPECTED)
CUSTOMER_SIDE = ("own customer", "linked customer", "account manager", "proxy (internal contact)")
HANDLERS = ("agent in the workgroup", "assigned agent (no member)", "supervisor of the workgroup", "admin")


def _etag(api, reference):
    return api.get(f"/cases/{reference}").headers["ETag"]


@pytest.mark.parametrize("who", RELATIONS)
def test_each_relation_gets_the_case_exactly_when_the_page_shows_it(api_as, world, who):  # noqa: F811
    api = api_as(world.users[who])
    response = api.get(f"/cases/{world.case.reference}")
    listed = [item["reference"] for item in api.get("/cases").get_json()["items"]]
    by_uuid = api.get(f"/cases/{world.case.uuid}")
    if who not in SEES:
        assert_error(response, 404, "not_found")
        assert_error(by_uuid, 404, "not_found")
        assert listed == []
        return
    assert response.status_code == 200 and by_uuid.status_code == 200
    assert listed == [world.case.reference]
    body = response.get_json()
    assert body["reference"] == world.case.reference
    staff = who in HANDLERS
    assert (body["priority"] is not None) is staff
    assert (body["assignee"] is not None) is staff
    assert body["workgroup"]["name"] == "Service desk"


@pytest.mark.parametrize("who", RELATIONS)
def test_internal_notes_and_their_files_only_reach_staff(api_as, world, people, who):  # noqa: F811
    from portal.cases.service import conversation

    conversation.add_comment(people.admin, world.case, "Customer seems annoyed", public=False)
    conversation.add_comment(people.admin, Case.get_by_id(world.case.id), "We are on it", public=True)
    response = api_as(world.users[who]).get(f"/cases/{world.case.reference}")
    if who not in SEES:
        assert response.status_code == 404
        return
    feed = response.get_json()["feed"]
    bodies = [entry["body"] for entry in feed]
    files = [f["filename"] for entry in feed for f in entry["attachments"]]
    staff = who in HANDLERS
    assert ("Customer seems annoyed" in bodies) is staff
    assert "We are on it" in bodies
    assert ("internal.txt" in files) is staff and "public.txt" in files
    assert all(not entry["internal"] for entry in feed) or staff
    assert all(entry["data"] is None for entry in feed) or staff


@pytest.mark.parametrize("who", RELATIONS)
def test_commenting_as_the_pages_allow(api_as, world, who):  # noqa: F811
    api = api_as(world.users[who])
    before = CaseEvent.select().count()
    response = api.post(f"/cases/{world.case.reference}/comments", json={"text": "Any news?"})
    if who not in SEES:
        assert_error(response, 404, "not_found")
        assert CaseEvent.select().count() == before
        return
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["feed"][-1]["body"] == "Any news?"
    assert response.headers["ETag"] == _etag(api, world.case.reference)


@pytest.mark.parametrize("who", RELATIONS)
def test_internal_notes_are_refused_to_the_customer_side_not_posted_publicly(api_as, world, who):  # noqa: F811
    before = CaseEvent.select().count()
    response = api_as(world.users[who]).post(f"/cases/{world.case.reference}/comments",
                                             json={"text": "Note to self", "internal": True})
    if who in HANDLERS:
        assert response.status_code == 201
        assert response.get_json()["feed"][-1]["internal"] is True
        return
    assert_error(response, 403 if who in SEES else 404, "forbidden" if who in SEES else "not_found")
    assert CaseEvent.select().count() == before


STAFF_CALLS = {
    "propose resolution": ("post", "/resolution", {"resolution": "Replaced the toner."}),
    "escalate": ("post", "/escalate", {"reason": "Outage"}),
    "priority": ("patch", "", {"priority": "urgent"}),
    "details": ("patch", "", {"title": "Printer on fire"}),
}


@pytest.mark.parametrize("call", STAFF_CALLS)
@pytest.mark.parametrize("who", RELATIONS)
def test_staff_actions_are_403_for_the_customer_side_and_404_for_outsiders(api_as, world, who, call):  # noqa: F811
    method, suffix, body = STAFF_CALLS[call]
    api = api_as(world.users[who])
    headers = {"If-Match": _etag(api, world.case.reference)} if who in SEES else {"If-Match": '"1"'}
    before = (CaseEvent.select().count(), Message.select().count())
    response = getattr(api, method)(f"/cases/{world.case.reference}{suffix}", json=body, headers=headers)
    if who in HANDLERS:
        assert response.status_code in (200, 204), response.get_data(as_text=True)
        if response.status_code == 204:  # done, and the case left their sight (escalated to the experts)
            assert response.get_data() == b""
            assert_error(api.get(f"/cases/{world.case.reference}"), 404, "not_found")
        return
    if who in SEES:
        assert_error(response, 403, "forbidden")
    else:
        assert_error(response, 404, "not_found")
    assert (CaseEvent.select().count(), Message.select().count()) == before


@pytest.mark.parametrize("who", RELATIONS)
def test_closing_as_the_pages_allow(api_as, world, who):  # noqa: F811
    response = api_as(world.users[who]).post(f"/cases/{world.case.reference}/close", json={})
    if who not in SEES:
        assert_error(response, 404, "not_found")
        assert Case.get_by_id(world.case.id).status.category == "open"
        return
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"]["category"] == "closed"


def test_assigning_and_moving_follow_the_workgroup_rules(api_as, world):  # noqa: F811
    """Agents take (assign themselves) but do not assign others; supervisors move only between
    workgroups they lead: the staff page's rules (tests/staff/test_assignment.py), through PATCH."""
    team_agent = world.users["agent in the workgroup"]
    agent_api = api_as(team_agent)
    ref = world.case.reference
    other = world.users["supervisor of the workgroup"]
    refused = agent_api.patch(f"/cases/{ref}", json={"assignee": other.uuid},
                              headers={"If-Match": _etag(agent_api, ref)})
    assert_error(refused, 403, "forbidden")
    taken = agent_api.patch(f"/cases/{ref}", json={"assignee": team_agent.uuid},
                            headers={"If-Match": _etag(agent_api, ref)})
    assert taken.status_code == 200 and taken.get_json()["assignee"]["id"] == team_agent.uuid

    lead = api_as(world.users["supervisor elsewhere"])
    assert_error(lead.patch(f"/cases/{ref}", json={"workgroup": world.experts.uuid}, headers={"If-Match": '"1"'}),
                 404, "not_found")
    supervisor = api_as(other)
    moved = supervisor.patch(f"/cases/{ref}", json={"workgroup": world.billing.uuid},
                             headers={"If-Match": _etag(supervisor, ref)})
    assert moved.status_code == 200 and moved.get_json()["workgroup"]["name"] == "Billing"
    not_theirs = supervisor.patch(f"/cases/{ref}", json={"workgroup": world.experts.uuid},
                                  headers={"If-Match": moved.headers["ETag"]})
    assert_error(not_theirs, 403, "forbidden")
