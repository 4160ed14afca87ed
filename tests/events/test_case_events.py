"""Opening, the conversation and every status change each record exactly one typed event, with ids
and old/new values, in the change's transaction."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage

from portal.case_config.service import system_status
from portal.cases.service import conversation, lifecycle, opening
from portal.clock import utcnow
from portal.models.cases import Attachment, CaseEvent
from portal.models.configuration import CaseStatus
from tests.cases.filing_setup import PNG_BYTES
from tests.events.conftest import data_without_feed, events_since, fresh, last_position, status, the_event
from tests.fixtures import post_form

VALUES = {"title": "Printer jams", "summary": "Every third page jams.", "cf_room": "Lobby", "cf_colour": "red"}


def png(name: str = "jam.png") -> FileStorage:
    return FileStorage(stream=io.BytesIO(PNG_BYTES), filename=name)


# --- opening -------------------------------------------------------------------------------------


def test_a_customer_opening_a_case_records_case_created_with_ids_and_field_keys(people, world):
    since = last_position()
    case = opening.open_case(people.customer, world.template, VALUES, customer=world.customer, files=[png()])
    event = the_event(since)
    [attachment] = Attachment.select().where(Attachment.case == case)
    assert (event.type, event.case_id, event.actor_id, event.internal) == (
        "case.created", case.id, people.customer.id, False)
    assert data_without_feed(event, case) == {
        "template": world.template.uuid, "title": "Printer jams", "summary": "Every third page jams.",
        "customer": world.customer.uuid, "status": status("open"), "priority": "normal", "reason": None,
        "workgroup": world.desk.uuid, "internal_contact": None, "asset": None, "follow_up_of": None,
        "language": "en", "channel": "web", "fields": {"room": "Lobby", "colour": "red"},
        "attachments": [attachment.uuid],
    }


def test_a_proxy_opening_a_case_is_its_internal_contact_in_the_event(people, world):
    since = last_position()
    case = opening.open_case(people.proxy, world.template, VALUES, customer=world.hana)
    event = the_event(since)
    data = data_without_feed(event, case)
    assert (event.type, event.actor_id) == ("case.created", people.proxy.id)
    assert (data["customer"], data["internal_contact"], data["attachments"]) == (world.hana.uuid, people.proxy.uuid, [])


def test_a_follow_up_names_the_earlier_case_by_id_and_reference(people, world, case):
    since = last_position()
    follow_up = opening.open_case(people.customer, world.template, VALUES, customer=world.customer,
                                  follow_up_of=case)
    data = data_without_feed(the_event(since), follow_up)
    assert data["follow_up_of"] == {"id": case.uuid, "reference": case.reference}


def test_internal_values_given_at_opening_never_reach_the_customer_side(people, world):
    since = last_position()
    case = opening.open_case(people.agent, world.template, {**VALUES, "cf_triage": "Check the fuser"},
                             customer=world.customer)
    created, internal = events_since(since)
    assert (created.type, created.internal) == ("case.created", False)
    assert created.data["fields"] == {"room": "Lobby", "colour": "red"}
    assert "Check the fuser" not in str(created.data)
    assert (internal.type, internal.internal, internal.case_id) == ("case.updated", True, case.id)
    assert internal.data["changes"] == {"triage": {"old": None, "new": "Check the fuser"}}
    assert internal.data["feed_event"] == created.data["feed_event"]


def test_a_refused_opening_records_nothing(people, world):
    since = last_position()
    with pytest.raises(Exception, match="Some answers"):
        opening.open_case(people.customer, world.template, {**VALUES, "title": ""}, customer=world.customer)
    assert last_position() == since


# --- the conversation ----------------------------------------------------------------------------


def test_a_public_comment_records_case_commented_with_its_feed_entry_and_files(people, case):
    since = last_position()
    feed = conversation.add_comment(people.customer, fresh(case), "Still jamming.", uploads=[png("again.png")])
    event = the_event(since)
    [attachment] = Attachment.select().where(Attachment.event == feed)
    assert (event.type, event.internal, event.actor_id) == ("case.commented", False, people.customer.id)
    assert data_without_feed(event, case) == {"comment": feed.uuid, "body": "Still jamming.",
                                              "attachments": [attachment.uuid], "channel": "web"}


def test_a_staff_reply_is_a_public_comment_too(people, case):
    since = last_position()
    feed = conversation.add_comment(people.agent, fresh(case), "On it.")
    event = the_event(since)
    assert (event.type, event.internal, event.data["comment"]) == ("case.commented", False, feed.uuid)


def test_an_internal_note_is_an_internal_event(people, case):
    since = last_position()
    feed = conversation.add_comment(people.agent, fresh(case), "Customer sounded upset.", public=False)
    event = the_event(since)
    assert (event.type, event.internal) == ("case.internal_note_added", True)
    assert data_without_feed(event, case) == {"comment": feed.uuid, "body": "Customer sounded upset.",
                                              "attachments": [], "channel": "web"}


def test_a_comment_asked_for_twice_with_one_form_key_records_one_event(people, case):
    from portal.errors import AlreadyDone

    key = "4b1c0a52-8f6e-4d5b-9a51-2f7c3c1d9e10"
    since = last_position()
    conversation.add_comment(people.customer, fresh(case), "Once.", submission=key)
    with pytest.raises(AlreadyDone):
        conversation.add_comment(people.customer, fresh(case), "Once.", submission=key)
    assert the_event(since).type == "case.commented"


# --- status --------------------------------------------------------------------------------------


def test_a_status_change_records_old_and_new_status_ids_and_categories(people, case):
    waiting = CaseStatus.create(name="Waiting for parts", category="waiting")
    since = last_position()
    lifecycle.change_status(people.agent, fresh(case), waiting.uuid)
    event = the_event(since)
    assert (event.type, event.internal, event.actor_id) == ("case.status_changed", False, people.agent.id)
    assert data_without_feed(event, case) == {"status": {"old": status("open"), "new": status(waiting)}}


def test_choosing_a_closed_status_records_case_closed(people, case):
    done = CaseStatus.create(name="Done elsewhere", category="closed")
    since = last_position()
    lifecycle.change_status(people.agent, fresh(case), done.uuid)
    event = the_event(since)
    assert event.type == "case.closed"
    assert data_without_feed(event, case) == {"status": {"old": status("open"), "new": status(done)},
                                              "reason": "", "automatic": None}


def test_proposing_a_resolution_records_it(people, case):
    since = last_position()
    lifecycle.propose_resolution(people.agent, fresh(case), "Replaced the fuser.")
    event = the_event(since)
    assert (event.type, event.internal) == ("case.resolution_proposed", False)
    assert data_without_feed(event, case) == {"status": {"old": status("open"), "new": status("resolved")},
                                              "resolution": "Replaced the fuser."}


def test_accepting_a_resolution_records_the_rating_and_the_closed_status(people, case):
    lifecycle.propose_resolution(people.agent, fresh(case), "Replaced the fuser.")
    since = last_position()
    lifecycle.accept_resolution(people.customer, fresh(case), rating=5, comment="Quick, thanks.")
    event = the_event(since)
    assert (event.type, event.actor_id) == ("case.resolution_accepted", people.customer.id)
    assert data_without_feed(event, case) == {"status": {"old": status("resolved"), "new": status("closed")},
                                              "rating": 5, "comment": "Quick, thanks."}


def test_rejecting_a_resolution_records_the_reason(people, case):
    lifecycle.propose_resolution(people.agent, fresh(case), "Replaced the fuser.")
    since = last_position()
    lifecycle.reject_resolution(people.proxy, fresh(case), "Still jams.")
    event = the_event(since)
    assert (event.type, event.actor_id) == ("case.resolution_rejected", people.proxy.id)
    assert data_without_feed(event, case) == {"status": {"old": status("resolved"), "new": status("open")},
                                              "reason": "Still jams."}


def test_closing_and_reopening_record_their_events(people, case):
    since = last_position()
    lifecycle.close_case(people.customer, fresh(case), "Fixed it myself.")
    closed = the_event(since)
    assert (closed.type, closed.actor_id) == ("case.closed", people.customer.id)
    assert data_without_feed(closed, case) == {"status": {"old": status("open"), "new": status("closed")},
                                               "reason": "Fixed it myself.", "automatic": None}
    since = last_position()
    lifecycle.reopen_case(people.customer, fresh(case), "It is back.")
    reopened = the_event(since)
    assert reopened.type == "case.reopened"
    assert data_without_feed(reopened, case) == {"status": {"old": status("closed"), "new": status("open")},
                                                 "reason": "It is back."}


def test_the_automatic_close_of_an_unanswered_resolution_has_no_actor(people, case):
    lifecycle.propose_resolution(people.agent, fresh(case), "Replaced the fuser.", now=utcnow() - timedelta(days=30))
    since = last_position()
    assert lifecycle.close_unanswered_resolutions() == 1
    event = the_event(since)
    assert (event.type, event.actor_id, event.internal) == ("case.closed", None, False)
    assert data_without_feed(event, case) == {"status": {"old": status("resolved"), "new": status("closed")},
                                              "reason": "", "automatic": "unanswered_resolution"}


def test_the_resolution_reminder_changes_nothing_and_records_nothing(people, case):
    lifecycle.propose_resolution(people.agent, fresh(case), "Replaced the fuser.", now=utcnow() - timedelta(days=3))
    since = last_position()
    assert lifecycle.remind_unanswered_resolutions() == 1
    assert last_position() == since
    assert CaseEvent.select().where(CaseEvent.kind == "resolution_reminder_sent").exists()


def test_the_second_of_two_quick_closes_is_refused_and_records_nothing(people, case):
    first, second = fresh(case), fresh(case)  # two tabs loaded the open case
    since = last_position()
    lifecycle.close_case(people.customer, first)
    with pytest.raises(Exception, match="already closed"):
        lifecycle.close_case(people.customer, second)
    assert the_event(since).type == "case.closed"
    assert fresh(case).status_id == system_status("closed").id


def test_a_case_closed_meanwhile_refuses_a_comment_and_records_nothing(people, case):
    stale = fresh(case)
    lifecycle.close_case(people.agent, fresh(case))
    since = last_position()
    with pytest.raises(Exception, match="closed"):
        conversation.add_comment(people.customer, stale, "Hello?")
    assert last_position() == since



# --- through the pages ---------------------------------------------------------------------------


def test_the_web_forms_record_the_same_events(client, login, people, world, case):
    login(people.customer)
    since = last_position()
    response = post_form(client, f"/cases/{case.reference}/comments", {"body": "sneaky", "visibility": "internal"},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302
    event = the_event(since)
    assert (event.type, event.internal, event.actor_id, event.data["body"]) == (
        "case.commented", False, people.customer.id, "sneaky")
    since = last_position()
    response = post_form(client, f"/cases/new/{world.template.uuid}", {**VALUES, "cf_triage": "forged"})
    assert response.status_code == 302, response.get_data(as_text=True)
    created = the_event(since)
    assert (created.type, created.data["fields"]) == ("case.created", {"room": "Lobby", "colour": "red"})
