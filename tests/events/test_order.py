"""Positions: 1, 2, 3 ... in commit order with no gap, however many changes of whatever kind, and a
refused or rolled-back change takes no position."""

from __future__ import annotations

import pytest

from portal.cases.service import conversation, lifecycle, opening
from portal.db import database
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.models.cases import CaseEvent
from portal.models.events import Event, EventCounter
from portal.staff.service import contacts, handling, tasks
from tests.events.conftest import fresh, last_position


def positions() -> list[int]:
    return [p for (p,) in Event.select(Event.position).order_by(Event.position).tuples()]


def counter() -> int:
    return EventCounter.get_by_id("events").value


def test_many_changes_get_positions_1_to_n_with_refusals_in_between(people, world, case):
    def refused(action, *errors):
        with pytest.raises(errors):
            action()

    opened = opening.open_case(people.customer, world.template, {"title": "Lights flicker", "summary": "Room 4."},
                               customer=world.customer)
    conversation.add_comment(people.agent, fresh(opened), "Which lights?")
    refused(lambda: conversation.add_comment(people.agent, fresh(opened), "  "), ValidationFailed)
    handling.set_priority(people.agent, fresh(case), "high")
    refused(lambda: handling.set_priority(people.agent, fresh(case), "high"), InvalidTransition)
    task = tasks.create_task(people.agent, fresh(case), tasks.TaskData(title="Call back"))
    tasks.set_task_done(people.agent, task.uuid, True)
    contacts.log_contact(people.agent, fresh(case), channel="phone", direction="inbound", summary="Called.")
    stale = fresh(opened)
    lifecycle.close_case(people.customer, fresh(opened))
    refused(lambda: lifecycle.close_case(people.customer, stale), InvalidTransition, Conflict)
    lifecycle.reopen_case(people.customer, fresh(opened))
    handling.escalate_case(people.agent, fresh(case), "Expert needed.")
    lifecycle.propose_resolution(people.agent, fresh(opened), "Changed the bulbs.")
    lifecycle.accept_resolution(people.customer, fresh(opened), rating=4)
    assert positions() == list(range(1, 12))
    assert counter() == 11
    assert [e.type for e in Event.select().order_by(Event.position)] == [
        "case.created", "case.commented", "case.priority_changed", "task.created", "task.completed",
        "case.contact_logged", "case.closed", "case.reopened", "case.escalated", "case.resolution_proposed",
        "case.resolution_accepted"]


def test_internal_events_are_exactly_those_whose_feed_entry_is_staff_only(people, world, case):
    """Whatever the change, a customer-side reader of events learns no more than the case's feed shows them."""
    opening.open_case(people.proxy, world.template, {"title": "Door sticks", "summary": "Room 9."},
                      customer=world.hana)
    conversation.add_comment(people.customer, fresh(case), "Any news?")
    conversation.add_comment(people.agent, fresh(case), "Upset customer.", public=False)
    handling.assign_case(people.supervisor, fresh(case), "")
    handling.set_priority(people.agent, fresh(case), "low")
    contacts.link_customer(people.agent, fresh(case), world.hana.uuid)
    contacts.log_contact(people.agent, fresh(case), channel="email", direction="outbound", summary="Mailed.")
    tasks.create_task(people.agent, fresh(case), tasks.TaskData(title="Visit", customer_visible=True))
    lifecycle.propose_resolution(people.agent, fresh(case), "Oiled the hinge.")
    lifecycle.reject_resolution(people.customer, fresh(case), "Still sticks.")
    handling.escalate_case(people.agent, fresh(case), "Carpenter needed.")
    lifecycle.close_case(people.admin, fresh(case))
    feed = {entry.uuid: entry for entry in CaseEvent.select()}
    recorded = list(Event.select().order_by(Event.position))
    assert len(recorded) == 12
    assert [(e.type, e.internal) for e in recorded if e.internal == feed[e.data["feed_event"]].public] == []


class Undone(Exception):
    pass


def test_a_change_rolled_back_after_its_event_gives_its_position_back(people, case):
    handling.set_priority(people.agent, fresh(case), "high")
    # The caller's transaction around the service fails after it.
    with pytest.raises(Undone), database.atomic():
        conversation.add_comment(people.agent, fresh(case), "Never sent.")
        assert last_position() == 2
        raise Undone
    assert (positions(), counter()) == ([1], 1)
    conversation.add_comment(people.agent, fresh(case), "Sent.")
    assert (positions(), counter()) == ([1, 2], 2)
    assert Event.get(Event.position == 2).data["body"] == "Sent."
