"""A form sent twice acts once: the second sending of the same page's form (a double click, a browser
resend, two requests at the same moment) shows what the first one made and adds nothing. Another
sending of a fresh form still acts, and a refused sending does not use up its form. Over HTTP with
real CSRF tokens and the key the page rendered; the race with real threads on the real database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.cases.service import lifecycle, opening
from portal.clock import utcnow
from portal.errors import AlreadyDone
from portal.models.cases import Attachment, Case, CaseEvent
from portal.models.people import Customer, FormSubmission
from portal.models.staff import CaseTask
from portal.submissions.service import prune_submissions
from tests.cases.filing_setup import GOOD, PNG_BYTES, form_url, upload, world_fixture  # noqa: F401
from tests.cases.racing import THREADS, race
from tests.fixtures import csrf_token_from, sign_in
from tests.staff.conftest import case, teams  # noqa: F401

KEY_RE = re.compile(r'name="(?:[a-z]+-)?submission"[^>]*value="([0-9a-f-]{36})"'
                    r'|value="([0-9a-f-]{36})"[^>]*name="(?:[a-z]+-)?submission"')


def form_fields(client, page: str) -> dict[str, str]:
    """The CSRF token and the submission key of the first once-form on the page."""
    html = client.get(page).get_data(as_text=True)
    match = KEY_RE.search(html)
    assert match, "the page's form carries no submission key"
    return {"csrf_token": csrf_token_from(html), "key": match.group(1) or match.group(2)}


def comments() -> int:
    return CaseEvent.select().where(CaseEvent.kind == "comment").count()


# --- the new-case form ------------------------------------------------------------------------------


def test_a_double_click_on_submit_case_opens_one_case_and_shows_it(client, people, world):
    sign_in(client, people.customer)
    url = form_url(world.template)
    fields = form_fields(client, url)
    data = {"csrf_token": fields["csrf_token"], "submission": fields["key"], **GOOD,
            "files": [upload(PNG_BYTES, "photo.png")]}
    first = client.post(url, data=data, content_type="multipart/form-data")
    data["files"] = [upload(PNG_BYTES, "photo.png")]
    second = client.post(url, data=data, content_type="multipart/form-data")
    opened = Case.get()
    assert Case.select().count() == 1 and Attachment.select().count() == 1
    assert first.status_code == 302 and second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == f"/cases/{opened.reference}"
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "sent twice; it was done once" in page


def test_a_fresh_form_opens_another_case(client, people, world):
    sign_in(client, people.customer)
    url = form_url(world.template)
    for _ in range(2):
        fields = form_fields(client, url)
        response = client.post(url, data={"csrf_token": fields["csrf_token"], "submission": fields["key"], **GOOD})
        assert response.status_code == 302
    assert Case.select().count() == 2


def test_a_refused_form_keeps_its_key_for_the_corrected_sending(client, people, world):
    sign_in(client, people.customer)
    url = form_url(world.template)
    fields = form_fields(client, url)
    refused = client.post(url, data={"csrf_token": fields["csrf_token"], "submission": fields["key"],
                                     **GOOD, "title": ""})
    assert refused.status_code == 400 and Case.select().count() == 0
    assert fields["key"] in refused.get_data(as_text=True)  # the form comes back with the same key
    accepted = client.post(url, data={"csrf_token": fields["csrf_token"], "submission": fields["key"], **GOOD})
    assert accepted.status_code == 302 and Case.select().count() == 1


def test_keys_are_per_person(app, people, world):
    hana = world.hana
    key = "6f1c2d1e-8a8b-4c1e-9a55-2f0f5d7a1b11"
    first = opening.open_case(people.customer, world.template, GOOD, customer=Customer.get(
        Customer.user == people.customer), submission=key)
    second = opening.open_case(people.proxy, world.template, GOOD, customer=hana, submission=key)
    assert first.id != second.id


def test_the_same_form_sent_at_once_from_many_threads_opens_one_case(app, people, world):
    customer = Customer.get(Customer.user == people.customer)
    key = "0b6bd0c5-54f6-4f0f-9d37-5f6a3c8f2e70"

    def request():
        return lambda: opening.open_case(people.customer, world.template, GOOD, customer=customer, submission=key)

    outcomes = race(app, [request] * THREADS)
    opened = [o for o in outcomes if isinstance(o, Case)]
    repeated = [o for o in outcomes if isinstance(o, AlreadyDone)]
    assert len(opened) == 1 and len(repeated) == THREADS - 1, outcomes
    assert {exc.result for exc in repeated} == {opened[0].reference}
    assert Case.select().count() == 1
    assert CaseEvent.select().where(CaseEvent.kind == "created").count() == 1


# --- comments, contact log, tasks -------------------------------------------------------------------


def test_a_double_click_on_add_comment_adds_one_comment(client, people, teams, case):  # noqa: F811
    sign_in(client, people.customer)
    page = f"/cases/{case.reference}"
    fields = form_fields(client, page)
    data = {"csrf_token": fields["csrf_token"], "submission": fields["key"], "body": "Still jams."}
    first = client.post(f"{page}/comments", data=data)
    second = client.post(f"{page}/comments", data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].startswith(page)
    assert comments() == 1
    assert "sent twice; it was done once" in client.get(page).get_data(as_text=True)
    again = form_fields(client, page)  # the page offers a fresh form: the next comment is a new one
    assert again["key"] != fields["key"]
    client.post(f"{page}/comments", data={"csrf_token": again["csrf_token"], "submission": again["key"],
                                          "body": "And now it smokes."})
    assert comments() == 2


def sent_twice_from_the_staff_panel(client, people, on_case, prefix: str, path: str, fields: dict) -> list[int]:
    """An agent sends the case page's `prefix` form twice with the key the page rendered."""
    sign_in(client, people.agent)
    html = client.get(f"/cases/{on_case.reference}").get_data(as_text=True)
    key = re.search(rf'name="{prefix}-submission"[^>]*value="([0-9a-f-]{{36}})"'
                    rf'|value="([0-9a-f-]{{36}})"[^>]*name="{prefix}-submission"', html)
    assert key, f"the {prefix} form carries no submission key"
    data = {"csrf_token": csrf_token_from(html), f"{prefix}-submission": key.group(1) or key.group(2), **fields}
    return [client.post(f"/staff/cases/{on_case.reference}/{path}", data=data).status_code for _ in range(2)]


def test_a_double_click_on_log_contact_logs_one_contact(client, people, teams, case):  # noqa: F811
    statuses = sent_twice_from_the_staff_panel(client, people, case, "contact", "contacts", {
        "contact-channel": "phone", "contact-direction": "inbound", "contact-summary": "Called about it."})
    assert statuses == [302, 302]
    assert CaseEvent.select().where(CaseEvent.kind == "contact_logged").count() == 1


def test_a_double_click_on_add_task_adds_one_task(client, people, teams, case):  # noqa: F811
    statuses = sent_twice_from_the_staff_panel(client, people, case, "task", "tasks", {"task-title": "Order a fuser"})
    assert statuses == [302, 302]
    assert CaseTask.select().count() == 1


@pytest.mark.parametrize("key", ["", "not-a-uuid", "x" * 5000])
def test_a_missing_or_forged_key_is_only_unprotected(client, people, teams, case, key):  # noqa: F811
    sign_in(client, people.customer)
    page = f"/cases/{case.reference}"
    token = form_fields(client, page)["csrf_token"]
    for _ in range(2):
        response = client.post(f"{page}/comments", data={"csrf_token": token, "submission": key, "body": "Hi"})
        assert response.status_code == 302
    assert comments() == 2 and FormSubmission.select().count() == 0


def test_old_keys_are_forgotten_after_a_day(app, people, teams, case):  # noqa: F811
    from portal.cases.service import conversation

    conversation.add_comment(people.customer, case, "One", submission="1d7b3a52-6f7e-4e8e-9f3c-1c4f6a0b9d21")
    assert prune_submissions(now=utcnow() + timedelta(hours=23)) == 0
    assert prune_submissions(now=utcnow() + timedelta(hours=25)) == 1
    assert FormSubmission.select().count() == 0


# --- answering a resolution that changed after the page was read ------------------------------------


def test_accepting_a_resolution_replaced_after_the_page_was_read_is_refused(client, people, teams, case):  # noqa: F811
    lifecycle.propose_resolution(people.agent, Case.get_by_id(case.id), "Cleaned the rollers.")
    sign_in(client, people.customer)
    page = f"/cases/{case.reference}"
    html = client.get(page).get_data(as_text=True)
    seen = re.search(r'name="seen_proposal"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="seen_proposal"', html)
    assert seen, "the accept form does not say which resolution it answers"
    seen = seen.group(1) or seen.group(2)
    lifecycle.propose_resolution(people.agent, Case.get_by_id(case.id), "Replaced the whole printer.")
    response = client.post(f"{page}/resolution/accept", data={"csrf_token": csrf_token_from(html),
                                                              "seen_proposal": seen, "rating": "5"})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "changed the proposed resolution after you opened this page" in body
    assert "Replaced the whole printer." in body  # the page now shows what there is to answer
    assert Case.get_by_id(case.id).status.category == "resolved"
    assert not CaseEvent.select().where(CaseEvent.kind == "resolution_accepted").exists()
    fresh = client.get(page).get_data(as_text=True)
    current = re.search(r'name="seen_proposal"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="seen_proposal"', fresh)
    accepted = client.post(f"{page}/resolution/accept", data={"csrf_token": csrf_token_from(fresh),
                                                              "seen_proposal": current.group(1) or current.group(2)})
    assert accepted.status_code == 302 and Case.get_by_id(case.id).status.category == "closed"


def test_rejecting_a_resolution_replaced_after_the_page_was_read_is_refused(app, people, teams, case):  # noqa: F811
    lifecycle.propose_resolution(people.agent, Case.get_by_id(case.id), "Cleaned the rollers.")
    read = Case.get_by_id(case.id).resolution_proposed_at.isoformat()
    lifecycle.propose_resolution(people.agent, Case.get_by_id(case.id), "Replaced the whole printer.")
    from portal.errors import Conflict

    with pytest.raises(Conflict):
        lifecycle.reject_resolution(people.customer, Case.get_by_id(case.id), "No.", seen_proposal=read)
    assert Case.get_by_id(case.id).status.category == "resolved"
