"""Changing cases through the API: every transition, staff changes by PATCH, and ETag/If-Match so two
systems cannot overwrite each other's changes unseen (428 without it on PATCH, 412 when stale, checked
in the change's own transaction)."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

import pytest

from portal.case_config.service import system_status
from portal.clock import utcnow
from portal.models.cases import Case, CaseEvent, CaseFeedback
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer
from portal.staff.service import details, handling
from tests import factories
from tests.api.conftest import assert_error
from tests.case_config import factories as config


@pytest.fixture
def setup(app, people):
    desk = factories.workgroup(people.agent, people.supervisor, name="Desk")
    experts = factories.workgroup(name="Experts")
    room = config.case_field(people.admin, key="room", label="Room")
    secret = config.case_field(people.admin, key="triage", label="Triage", visibility="internal")
    template = config.template(people.admin, name="General", fields=[room, secret])
    CaseTemplate.update(default_workgroup=desk, escalation_workgroup=experts).where(
        CaseTemplate.id == template.id).execute()
    case = factories.case(people.customer, template=CaseTemplate.get_by_id(template.id), workgroup=desk)
    return case


def etag(api, case) -> str:
    response = api.get(f"/cases/{case.reference}")
    assert response.status_code == 200
    return response.headers["ETag"]


def events(case) -> list[str]:
    return [e.kind for e in CaseEvent.select().where(CaseEvent.case == case.id).order_by(CaseEvent.id)]


def test_every_change_moves_the_etag_and_the_answer_carries_the_new_one(api_as, people, setup):
    api = api_as(people.customer)
    first = etag(api, setup)
    assert first.startswith('"') and first.endswith('"')
    commented = api.post(f"/cases/{setup.reference}/comments", json={"text": "Hello"})
    assert commented.status_code == 201
    assert commented.headers["ETag"] != first and commented.headers["ETag"] == etag(api, setup)
    assert commented.get_json()["etag"] == commented.headers["ETag"]


def test_patch_needs_if_match(api_as, people, setup):
    api = api_as(people.agent)
    assert_error(api.patch(f"/cases/{setup.reference}", json={"priority": "high"}), 428, "precondition_required")
    assert Case.get_by_id(setup.id).priority == "normal"


@pytest.mark.parametrize("tag", ['"1"', 'W/"{etag}"', "junk", '""', '"99999999999999999999999"'])
def test_a_stale_or_foreign_if_match_is_412_and_changes_nothing(api_as, people, setup, tag):
    api = api_as(people.agent)
    tag = tag.format(etag=etag(api, setup).strip('"'))
    before = events(setup)
    assert_error(api.patch(f"/cases/{setup.reference}", json={"priority": "high"}, headers={"If-Match": tag}),
                 412, "precondition_failed")
    assert_error(api.post(f"/cases/{setup.reference}/close", json={}, headers={"If-Match": tag}), 412,
                 "precondition_failed")
    assert Case.get_by_id(setup.id).priority == "normal" and events(setup) == before


def test_an_etag_from_before_someone_elses_change_is_412(api_as, people, setup):
    integration, colleague = api_as(people.agent), api_as(people.supervisor)
    seen = etag(integration, setup)
    assert colleague.post(f"/cases/{setup.reference}/comments", json={"text": "Called them"}).status_code == 201
    assert_error(integration.patch(f"/cases/{setup.reference}", json={"title": "Mine"}, headers={"If-Match": seen}),
                 412, "precondition_failed")
    fresh = etag(integration, setup)
    response = integration.patch(f"/cases/{setup.reference}", json={"title": "Mine"},
                                 headers={"If-Match": f'"1", {fresh}'})  # any of a list may match
    assert response.status_code == 200 and response.get_json()["title"] == "Mine"
    assert integration.patch(f"/cases/{setup.reference}", json={"priority": "low"},
                             headers={"If-Match": "*"}).status_code == 200


def test_two_changes_on_the_same_etag_at_once_one_wins_the_other_is_412(app, api_as, people, setup, monkeypatch):
    """Priority and title are different fields: the services alone would take both. With one If-Match
    only the first may land. Each change waits a moment inside its transaction: were If-Match compared
    before the transaction, both would pass the check, meet there and both be written."""
    seen = etag(api_as(people.admin), setup)
    meet = threading.Barrier(2)

    def waiting(service):
        def run(*args, **kwargs):
            with contextlib.suppress(threading.BrokenBarrierError):  # the other one waits for our lock
                meet.wait(timeout=1.5)
            return service(*args, **kwargs)
        return run

    monkeypatch.setattr(handling, "set_priority", waiting(handling.set_priority))
    monkeypatch.setattr(details, "edit_case_details", waiting(details.edit_case_details))
    clients = [api_as(people.agent), api_as(people.supervisor)]
    assert {etag(client, setup) for client in clients} == {seen}  # each token noted as used: no write before
    bodies = [{"priority": "urgent"}, {"title": "Renamed"}]
    statuses = [None, None]

    def send(index):
        response = clients[index].patch(f"/cases/{setup.reference}", json=bodies[index], headers={"If-Match": seen})
        statuses[index] = response.status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 412], statuses
    case = Case.get_by_id(setup.id)
    assert (case.priority == "urgent") != (case.title == "Renamed")


def test_patch_changes_several_things_in_one_go(api_as, people, setup):
    api = api_as(people.supervisor)
    billing = factories.workgroup(people.supervisor, people.agent, name="Billing")
    response = api.patch(f"/cases/{setup.reference}", headers={"If-Match": etag(api, setup)}, json={
        "workgroup": billing.uuid, "assignee": people.agent.uuid, "priority": "high",
        "status": system_status("open").uuid, "title": "Invoice wrong", "fields": {"room": "2.01", "triage": "P2"}})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["workgroup"]["name"], body["assignee"]["id"], body["priority"], body["title"]) == (
        "Billing", people.agent.uuid, "high", "Invoice wrong")
    assert {v["key"]: v["value"] for v in body["fields"]} == {"room": "2.01", "triage": "P2"}
    assert events(setup)[1:] == ["workgroup_changed", "assigned", "priority_changed", "field_changed"]
    assert response.headers["ETag"] == etag(api, setup)
    # The same values again change nothing and write nothing.
    again = api.patch(f"/cases/{setup.reference}", headers={"If-Match": response.headers["ETag"]}, json={
        "workgroup": billing.uuid.upper(), "priority": "high", "title": "Invoice wrong", "fields": {"room": "2.01"}})
    assert again.status_code == 200 and again.headers["ETag"] == response.headers["ETag"]
    assert len(events(setup)) == 5


def test_a_patch_is_all_or_nothing(api_as, people, setup):
    api = api_as(people.agent)
    tag = etag(api, setup)
    error = assert_error(api.patch(f"/cases/{setup.reference}", headers={"If-Match": tag},
                                   json={"priority": "urgent", "title": "", "fields": {"nope": "x"}}), 422, "invalid")
    assert set(error["fields"]) == {"fields.nope"}
    error = assert_error(api.patch(f"/cases/{setup.reference}", headers={"If-Match": tag},
                                   json={"priority": "urgent", "title": ""}), 422, "invalid")
    assert set(error["fields"]) == {"title"}
    case = Case.get_by_id(setup.id)
    assert (case.priority, events(setup), etag(api, setup)) == ("normal", ["created"], tag)


def test_patch_refuses_what_the_staff_pages_refuse(api_as, people, setup):
    api = api_as(people.agent)
    for body, status, code in (
        ({"status": system_status("resolved").uuid}, 409, "invalid_transition"),  # propose a resolution instead
        ({"status": "3f1c2d4e-0000-4000-8000-000000000000"}, 422, "invalid"),
        ({"assignee": people.customer.uuid}, 403, "forbidden"),  # agents only take
        ({"workgroup": factories.workgroup(name="Elsewhere").uuid}, 403, "forbidden"),
        ({"priority": None}, 422, "invalid"),
    ):
        assert_error(api.patch(f"/cases/{setup.reference}", json=body, headers={"If-Match": etag(api, setup)}),
                     status, code)
    assert events(setup) == ["created"]


def test_the_resolution_round_trip(api_as, people, setup):
    staff, customer = api_as(people.agent), api_as(people.customer)
    ref = setup.reference
    assert_error(customer.post(f"/cases/{ref}/resolution", json={"resolution": "Done"}), 403, "forbidden")
    proposed = staff.post(f"/cases/{ref}/resolution", json={"resolution": "Replaced the toner."})
    assert proposed.status_code == 200 and proposed.get_json()["status"]["category"] == "resolved"
    assert_error(staff.post(f"/cases/{ref}/resolution/accept", json={}), 403, "forbidden")
    rejected = customer.post(f"/cases/{ref}/resolution/reject", json={"reason": "Still jams."})
    assert rejected.status_code == 200 and rejected.get_json()["status"]["category"] == "open"
    assert_error(customer.post(f"/cases/{ref}/resolution/reject", json={"reason": "Again"}), 409,
                 "invalid_transition")
    seen = staff.post(f"/cases/{ref}/resolution", json={"resolution": "New drum."}).headers["ETag"]
    staff.post(f"/cases/{ref}/resolution", json={"resolution": "New drum and toner."})
    # The customer read the first proposal: accepting on its ETag is refused, not applied to unseen words.
    assert_error(customer.post(f"/cases/{ref}/resolution/accept", json={"rating": 5}, headers={"If-Match": seen}),
                 412, "precondition_failed")
    assert_error(customer.post(f"/cases/{ref}/resolution/accept", json={"rating": 9}), 422, "invalid")
    accepted = customer.post(f"/cases/{ref}/resolution/accept", json={"rating": 5, "comment": "Thanks"},
                             headers={"If-Match": etag(customer, setup)})
    assert accepted.status_code == 200 and accepted.get_json()["status"]["category"] == "closed"
    assert accepted.get_json()["resolution"] == "New drum and toner."
    assert CaseFeedback.get().rating == 5


def test_close_and_reopen(api_as, people, setup):
    customer, staff = api_as(people.customer), api_as(people.agent)
    ref = setup.reference
    closed = customer.post(f"/cases/{ref}/close", json={"reason": "Sorted it myself"})
    assert closed.status_code == 200 and closed.get_json()["status"]["category"] == "closed"
    assert_error(customer.post(f"/cases/{ref}/close", json={}), 409, "invalid_transition")
    assert_error(customer.post(f"/cases/{ref}/comments", json={"text": "One more thing"}), 409, "invalid_transition")
    reopened = customer.post(f"/cases/{ref}/reopen", json={})
    assert reopened.status_code == 200 and reopened.get_json()["status"]["category"] == "open"
    customer.post(f"/cases/{ref}/close", json={})
    Case.update(last_closed_at=utcnow() - timedelta(days=400)).where(Case.id == setup.id).execute()
    assert_error(customer.post(f"/cases/{ref}/reopen", json={}), 409, "invalid_transition")
    assert staff.post(f"/cases/{ref}/reopen", json={"reason": "Customer called"}).status_code == 200


def test_escalate_and_send_back(api_as, people, setup):
    admin = api_as(people.admin)
    ref = setup.reference
    assert_error(admin.post(f"/cases/{ref}/escalate", json={"reason": ""}), 422, "invalid")
    escalated = admin.post(f"/cases/{ref}/escalate", json={"reason": "Outage"})
    assert escalated.status_code == 200
    assert (escalated.get_json()["escalated"], escalated.get_json()["workgroup"]["name"]) == (True, "Experts")
    assert_error(admin.post(f"/cases/{ref}/escalate", json={"reason": "Again"}), 409, "invalid_transition")
    back = admin.post(f"/cases/{ref}/deescalate", json={})
    assert back.status_code == 200 and back.get_json()["workgroup"]["name"] == "Desk"
    assert_error(api_as(people.customer).post(f"/cases/{ref}/escalate", json={"reason": "Hurry"}), 403, "forbidden")


def test_comment_files_pass_the_upload_checks_and_internal_files_stay_internal(app, api_as, people, setup):
    from tests.api.test_case_opening import b64
    from tests.cases.filing_setup import EXE_BYTES, PNG_BYTES

    staff, customer = api_as(people.agent), api_as(people.customer)
    ref = setup.reference
    note = staff.post(f"/cases/{ref}/comments", json={"internal": True, "attachments": [
        {"filename": "log.png", "content_base64": b64(PNG_BYTES)}]})
    assert note.status_code == 201 and note.get_json()["feed"][-1]["attachments"][0]["internal"] is True
    assert all(not e["attachments"] for e in customer.get(f"/cases/{ref}").get_json()["feed"])
    assert_error(customer.post(f"/cases/{ref}/comments", json={}), 422, "invalid")  # nothing to say
    refused = customer.post(f"/cases/{ref}/comments", json={"text": "See file", "attachments": [
        {"filename": "a.png", "content_base64": b64(EXE_BYTES)}]})
    assert set(assert_error(refused, 422, "invalid")["fields"]) == {"attachments"}
    only_file = customer.post(f"/cases/{ref}/comments", json={"attachments": [
        {"filename": "photo.png", "content_base64": b64(PNG_BYTES)}]})
    assert only_file.status_code == 201


def test_customers_do_not_see_internal_values(api_as, people, setup):
    api_as(people.agent).patch(f"/cases/{setup.reference}", json={"fields": {"room": "1", "triage": "P1"}},
                               headers={"If-Match": etag(api_as(people.agent), setup)})
    shown = api_as(people.customer).get(f"/cases/{setup.reference}").get_json()["fields"]
    assert [(v["key"], v["value"]) for v in shown] == [("room", "1")]
    assert Customer.get(Customer.user == people.customer).id == Case.get_by_id(setup.id).customer_id
