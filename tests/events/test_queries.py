"""Who reads which events (the policy's case visibility; internal events for staff only), what an
integrator receives of each, and the cost of reading a page of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from portal.cases.service import conversation, lifecycle
from portal.events.queries import event_payload, events_for
from portal.events.service import record
from portal.models.cases import Case
from portal.models.events import Event
from portal.models.people import Customer
from portal.staff.service import contacts, handling
from tests import factories
from tests.events.conftest import fresh


@pytest.fixture
def history(people, world, case):
    """On the case: a public comment, an internal note, a priority change; on another customer's case
    in the desk: a comment; on a case of the expert team: a comment; and one event about no case."""
    conversation.add_comment(people.customer, fresh(case), "Still jams.")
    conversation.add_comment(people.agent, fresh(case), "Probably the fuser.", public=False)
    handling.set_priority(people.agent, fresh(case), "high")
    others = factories.case(people.other_customer, template=world.template, workgroup=world.desk)
    conversation.add_comment(people.other_customer, others, "My own problem.")
    experts = factories.case(people.other_customer, template=world.template, workgroup=world.experts)
    conversation.add_comment(world.expert, experts, "Expert work.")
    record("case.reopened", case=None, actor=None, data={})
    return {"case": case, "others": others, "experts": experts}


def seen(user, **kwargs) -> list[tuple[str, str, str | None]]:
    """(type, case reference or "-", body) of each event user sees."""
    return [(e.type, e.case.reference if e.case_id else "-", e.data.get("body"))
            for e in events_for(user, after=kwargs.pop("after", None), limit=kwargs.pop("limit", 100), **kwargs)]


def public_on(case) -> list:
    return [("case.commented", case.reference, "Still jams.")]


def all_on(case) -> list:
    return [*public_on(case), ("case.internal_note_added", case.reference, "Probably the fuser."),
            ("case.priority_changed", case.reference, None)]


def test_a_customer_sees_the_public_events_of_their_own_cases_only(people, history):
    assert seen(people.customer) == public_on(history["case"])


def test_another_customer_sees_their_own_cases_never_this_one(people, history):
    assert seen(people.other_customer) == [("case.commented", history["others"].reference, "My own problem."),
                                           ("case.commented", history["experts"].reference, "Expert work.")]


def test_the_proxy_who_filed_the_case_sees_its_public_events(people, history):
    assert seen(people.proxy) == public_on(history["case"])


def test_a_linked_customer_sees_the_public_events_of_the_case(people, history):
    colleague = factories.user(role="customer")
    contacts.link_customer(people.agent, fresh(history["case"]), Customer.get(Customer.user == colleague).uuid)
    assert seen(colleague) == public_on(history["case"])  # the link itself is internal


def test_staff_of_the_workgroup_see_every_event_of_its_cases(people, history):
    expected = [*all_on(history["case"]), ("case.commented", history["others"].reference, "My own problem.")]
    assert seen(people.agent) == expected
    assert seen(people.supervisor) == expected


def test_staff_of_another_workgroup_see_only_their_cases(people, world, history):
    assert seen(world.expert) == [("case.commented", history["experts"].reference, "Expert work.")]


def test_admins_see_everything_including_events_about_no_case(people, history):
    assert len(seen(people.admin)) == 6
    assert seen(people.admin)[-1] == ("case.reopened", "-", None)


def test_a_deactivated_or_missing_user_sees_nothing(people, history):
    people.customer.active = False
    people.customer.save()
    assert seen(people.customer) == []
    assert seen(None) == []


def test_an_assignee_outside_the_workgroup_sees_the_cases_assigned_to_them(people, history):
    outsider = factories.user(role="agent")
    assert seen(outsider) == []
    Case.update(assignee=outsider).where(Case.id == history["case"].id).execute()
    assert seen(outsider) == all_on(history["case"])


def test_after_limit_types_and_case_narrow_the_page(people, history):
    everything = events_for(people.agent, after=None, limit=100)
    first_two = events_for(people.agent, after=None, limit=2)
    assert [e.position for e in first_two] == [e.position for e in everything[:2]]
    rest = events_for(people.agent, after=first_two[-1].position, limit=100)
    assert [e.position for e in first_two + rest] == [e.position for e in everything]
    assert [e.type for e in events_for(people.agent, after=None, limit=100, types=["case.priority_changed"])] == [
        "case.priority_changed"]
    assert {e.case_id for e in events_for(people.agent, after=None, limit=100, case=history["others"])} == {
        history["others"].id}
    assert events_for(people.customer, after=None, limit=100, case=history["others"]) == []
    assert events_for(people.agent, after=None, limit=100, types=[]) == []


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_a_limit_out_of_range_is_refused(people, limit):
    with pytest.raises(ValueError):
        events_for(people.agent, after=None, limit=limit)


def test_the_payload_is_plain_json_with_ids_and_a_utc_time(people, case):
    lifecycle.close_case(people.customer, fresh(case), "Sorted.", now=datetime(2026, 3, 12, 10, 2, 3, tzinfo=UTC))
    [event] = events_for(people.customer, after=None, limit=10)
    payload = event_payload(event)
    assert payload == {
        "id": event.uuid, "position": event.position, "type": "case.closed",
        "occurred_at": "2026-03-12T10:02:03Z",
        "case": {"id": case.uuid, "reference": case.reference},
        "actor": people.customer.uuid, "internal": False, "data": event.data,
    }
    assert json.loads(json.dumps(payload)) == payload
    assert "Cora" not in json.dumps(payload)  # no display names


def test_an_event_about_no_case_by_nobody_has_nulls(people):
    event = record("case.reopened", case=None, actor=None, data={})
    [read] = events_for(people.admin, after=None, limit=10)
    assert read.id == event.id
    assert (event_payload(read)["case"], event_payload(read)["actor"]) == (None, None)


def _page_statements(sql_log, user, count: int) -> int:
    with sql_log() as statements:
        page = events_for(user, after=None, limit=500)
        payloads = [event_payload(event) for event in page]
    assert len(payloads) == count
    return len(statements)


@pytest.mark.parametrize("role, per_round", [("customer", 1), ("agent", 3)])
def test_a_page_costs_the_same_statements_for_3_events_as_for_30(people, case, sql_log, role, per_round):
    user = people.by_role(role)
    statements = {}
    for rounds in (3, 30):
        while len(events_for(user, after=None, limit=500)) < rounds * per_round:
            conversation.add_comment(people.customer, fresh(case), "Again.")
            conversation.add_comment(people.agent, fresh(case), "Noted.", public=False)
            handling.set_priority(people.agent, fresh(case), "high" if fresh(case).priority != "high" else "low")
        statements[rounds] = _page_statements(sql_log, user, len(events_for(user, after=None, limit=500)))
    assert statements[3] == statements[30] <= 2


def test_event_positions_match_the_order_events_for_returns(people, history):
    page = events_for(people.admin, after=None, limit=100)
    assert [e.position for e in page] == sorted(e.position for e in Event.select())
