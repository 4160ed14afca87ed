"""The staff workspace's changes (assignment, moves, escalation, priority, details, customers,
contacts, tasks) and an assignee's deactivation each record exactly one typed event."""

from __future__ import annotations

import datetime

import pytest

from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.models.cases import CaseCustomerLink
from portal.models.configuration import CaseReason
from portal.models.staff import CaseTask
from portal.people.service import changes as people_changes
from portal.staff.service import contacts, details, handling, tasks
from tests import factories
from tests.events.conftest import data_without_feed, events_since, fresh, last_position, the_event

# --- assignment ----------------------------------------------------------------------------------


def test_assigning_records_old_and_new_assignee_ids(people, case):
    since = last_position()
    handling.assign_case(people.supervisor, fresh(case), people.supervisor.uuid)
    event = the_event(since)
    assert (event.type, event.internal, event.actor_id) == ("case.assigned", True, people.supervisor.id)
    assert data_without_feed(event, case) == {"assignee": {"old": people.agent.uuid, "new": people.supervisor.uuid},
                                              "reason": None}


def test_back_to_the_queue_is_an_assignment_to_nobody(people, case):
    since = last_position()
    handling.assign_case(people.supervisor, fresh(case), "")
    assert data_without_feed(the_event(since), case)["assignee"] == {"old": people.agent.uuid, "new": None}


def test_taking_a_case_from_the_queue(people, case):
    handling.assign_case(people.supervisor, fresh(case), "")
    since = last_position()
    handling.take_case(people.agent, fresh(case))
    event = the_event(since)
    assert (event.actor_id, event.data["assignee"]) == (people.agent.id, {"old": None, "new": people.agent.uuid})


def test_moving_records_the_workgroups_and_the_assignee_it_drops(people, world, case):
    since = last_position()
    handling.move_case(people.admin, fresh(case), world.experts.uuid)
    event = the_event(since)
    assert (event.type, event.internal) == ("case.moved", True)
    assert data_without_feed(event, case) == {
        "workgroup": {"old": world.desk.uuid, "new": world.experts.uuid},
        "assignee": {"old": people.agent.uuid, "new": None},
    }


def test_escalating_and_sending_back(people, world, case):
    since = last_position()
    handling.escalate_case(people.agent, fresh(case), "Needs an expert.")
    escalated = the_event(since)
    assert (escalated.type, escalated.internal) == ("case.escalated", True)
    assert data_without_feed(escalated, case) == {
        "workgroup": {"old": world.desk.uuid, "new": world.experts.uuid},
        "assignee": {"old": people.agent.uuid, "new": None},
        "escalated": {"old": False, "new": True}, "reason": "Needs an expert.",
    }
    since = last_position()
    handling.deescalate_case(world.expert, fresh(case), "Routine after all.")
    back = the_event(since)
    assert back.type == "case.deescalated"
    assert data_without_feed(back, case) == {
        "workgroup": {"old": world.experts.uuid, "new": world.desk.uuid},
        "assignee": {"old": None, "new": None},
        "escalated": {"old": True, "new": False}, "reason": "Routine after all.",
    }


def test_priority_changes_record_codes(people, case):
    since = last_position()
    handling.set_priority(people.agent, fresh(case), "urgent")
    event = the_event(since)
    assert (event.type, event.internal) == ("case.priority_changed", True)
    assert data_without_feed(event, case) == {"priority": {"old": "normal", "new": "urgent"}}


def test_an_unchanged_priority_is_refused_and_records_nothing(people, case):
    since = last_position()
    with pytest.raises(InvalidTransition):
        handling.set_priority(people.agent, fresh(case), "normal")
    with pytest.raises(ValidationFailed):
        handling.set_priority(people.agent, fresh(case), "whenever")
    assert last_position() == since


# --- details -------------------------------------------------------------------------------------


def test_editing_details_records_each_change_by_key_with_stored_values(people, case):
    reason = CaseReason.create(name="Hardware fault")
    since = last_position()
    details.edit_case_details(people.agent, fresh(case), {
        "title": "Printer jams in tray 2", "summary": "Something is wrong.", "reason": reason.uuid,
        "cf_room": "Lobby", "cf_triage": "Fuser", "cf_colour": "blue"})
    event = the_event(since)
    assert (event.type, event.internal) == ("case.updated", True)
    assert data_without_feed(event, case) == {"changes": {
        "title": {"old": "Printer jams", "new": "Printer jams in tray 2"},
        "reason": {"old": None, "new": reason.uuid},
        "room": {"old": None, "new": "Lobby"},
        "triage": {"old": None, "new": "Fuser"},
        "colour": {"old": None, "new": "blue"},
    }}
    since = last_position()
    details.edit_case_details(people.agent, fresh(case), {
        "title": "Printer jams in tray 2", "summary": "Something is wrong.", "reason": "",
        "cf_room": "", "cf_triage": "Fuser", "cf_colour": "red"})
    assert data_without_feed(the_event(since), case) == {"changes": {
        "reason": {"old": reason.uuid, "new": None},
        "room": {"old": "Lobby", "new": None},
        "colour": {"old": "blue", "new": "red"},
    }}


def test_an_edit_that_changes_nothing_records_nothing(people, case):
    since = last_position()
    with pytest.raises(InvalidTransition):
        details.edit_case_details(people.agent, fresh(case), {"title": "Printer jams",
                                                              "summary": "Something is wrong."})
    assert last_position() == since


# --- customers and contacts ----------------------------------------------------------------------


def test_linking_and_unlinking_a_customer(people, world, case):
    since = last_position()
    contacts.link_customer(people.agent, fresh(case), world.hana.uuid)
    linked = the_event(since)
    assert (linked.type, linked.internal) == ("case.customer_linked", True)
    assert data_without_feed(linked, case) == {"customer": world.hana.uuid}
    since = last_position()
    contacts.unlink_customer(people.agent, fresh(case), world.hana.uuid)
    unlinked = the_event(since)
    assert unlinked.type == "case.customer_unlinked"
    assert data_without_feed(unlinked, case) == {"customer": world.hana.uuid}


def test_linking_a_customer_twice_is_refused_and_records_once(people, world, case):
    since = last_position()
    contacts.link_customer(people.agent, fresh(case), world.hana.uuid)
    with pytest.raises(Conflict):
        contacts.link_customer(people.agent, fresh(case), world.hana.uuid)
    assert the_event(since).type == "case.customer_linked"
    assert CaseCustomerLink.select().count() == 1


def test_an_update_to_all_customers_is_a_public_comment(people, world, case):
    contacts.link_customer(people.agent, fresh(case), world.hana.uuid)
    since = last_position()
    feed = contacts.update_all_customers(people.agent, fresh(case), "The engineer comes on Monday.")
    event = the_event(since)
    assert (event.type, event.internal, event.data["comment"]) == ("case.commented", False, feed.uuid)


def test_a_logged_contact_is_internal_with_codes_and_a_utc_time(people, case):
    when = datetime.datetime(2026, 3, 12, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    since = last_position()
    contacts.log_contact(people.agent, fresh(case), channel="in_person", direction="outbound",
                         summary="Visited the lobby.", contacted_at=when)
    event = the_event(since)
    assert (event.type, event.internal) == ("case.contact_logged", True)
    assert data_without_feed(event, case) == {"channel": "in_person", "direction": "outbound",
                                              "contacted_at": "2026-03-12T08:30:00Z", "summary": "Visited the lobby."}


def test_a_bad_contact_entry_records_nothing(people, case):
    since = last_position()
    with pytest.raises(ValidationFailed):
        contacts.log_contact(people.agent, fresh(case), channel="pigeon", direction="inbound", summary="Coo.")
    assert last_position() == since


# --- tasks ---------------------------------------------------------------------------------------


def test_a_task_is_created_updated_completed_and_reopened(people, case):
    since = last_position()
    task = tasks.create_task(people.agent, fresh(case), tasks.TaskData(
        title="Order a fuser", assignee_uuid=people.agent.uuid, due_date=datetime.date(2030, 3, 12)))
    created = the_event(since)
    assert (created.type, created.internal) == ("task.created", True)
    assert data_without_feed(created, case) == {"task": task.uuid, "title": "Order a fuser",
                                                "assignee": people.agent.uuid, "due_date": "2030-03-12",
                                                "customer_visible": False}
    since = last_position()
    tasks.update_task(people.agent, task.uuid, tasks.TaskData(
        title="Order a fuser", assignee_uuid=people.supervisor.uuid, due_date=None, customer_visible=True))
    updated = the_event(since)
    assert updated.type == "task.updated"
    assert data_without_feed(updated, case) == {"task": task.uuid, "changes": {
        "assignee": {"old": people.agent.uuid, "new": people.supervisor.uuid},
        "due_date": {"old": "2030-03-12", "new": None},
        "customer_visible": {"old": False, "new": True},
    }}
    since = last_position()
    tasks.set_task_done(people.agent, task.uuid, True)
    assert (the_event(since).type, the_event(since).internal) == ("task.completed", True)
    assert data_without_feed(the_event(since), case) == {"task": task.uuid}
    since = last_position()
    with pytest.raises(InvalidTransition):
        tasks.set_task_done(people.agent, task.uuid, True)
    assert last_position() == since
    tasks.set_task_done(people.agent, task.uuid, False)
    reopened = the_event(since)
    assert reopened.type == "task.reopened"
    assert data_without_feed(reopened, case) == {"task": task.uuid}
    assert CaseTask.get_by_id(task.id).status == "open"


# --- an assignee's account -----------------------------------------------------------------------


def test_deactivating_an_assignee_puts_each_open_case_back_with_an_event(people, world, case):
    other = factories.case(people.customer, template=world.template, workgroup=world.desk, assignee=people.agent)
    closed = factories.case(people.customer, template=world.template, workgroup=world.desk,
                            assignee=people.agent, status="closed")
    since = last_position()
    assert people_changes.deactivate_user(people.admin, people.agent.uuid) == 2
    recorded = events_since(since)
    assert [(e.type, e.case_id, e.actor_id, e.internal) for e in recorded] == [
        ("case.assigned", case.id, people.admin.id, True), ("case.assigned", other.id, people.admin.id, True)]
    for event, which in zip(recorded, (case, other), strict=True):
        assert data_without_feed(event, which) == {"assignee": {"old": people.agent.uuid, "new": None},
                                                   "reason": "deactivated"}
    assert closed.id not in {e.case_id for e in recorded}


def test_an_assignee_leaving_the_staff_gives_their_cases_back(people, case):
    since = last_position()
    people_changes.change_role(people.admin, people.agent.uuid, "proxy")
    event = the_event(since)
    assert (event.type, event.data["assignee"], event.data["reason"]) == (
        "case.assigned", {"old": people.agent.uuid, "new": None}, "left_staff")
