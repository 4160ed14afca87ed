"""Resolution proposed, accepted or rejected; closing and reopening; status changes; the reminder and
the automatic close of unanswered resolutions."""

from datetime import timedelta

import pytest

from notifier.models import Message
from portal.case_config.service import system_status
from portal.cases.service import lifecycle
from portal.clock import utcnow
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.models.cases import Case, CaseEvent, CaseFeedback
from portal.models.configuration import CaseStatus
from portal.models.people import Customer
from tests import factories
from tests.fixtures import post_form


@pytest.fixture
def team(people):
    return factories.workgroup(people.agent, people.supervisor, name="Service desk")


@pytest.fixture
def case(people, team):
    return factories.case(people.customer, workgroup=team, internal_contact=people.proxy, assignee=people.agent)


def fresh(case):
    return Case.get_by_id(case.id)


def messages(event):
    return sorted((m.channel, m.address) for m in Message.select().where(Message.event == event))


def test_staff_propose_a_resolution_and_the_customer_side_is_asked(app, people, case):
    Customer.update(phone="+14155550123").where(Customer.user == people.customer).execute()
    people.customer.phone = "+14155550123"
    people.customer.save()
    case = fresh(case)
    lifecycle.propose_resolution(people.agent, case, "Replaced the toner; print a test page.")
    case = fresh(case)
    assert case.status.category == "resolved" and case.resolution.startswith("Replaced")
    assert messages("case_resolution_proposed") == [
        ("email", people.customer.email), ("email", people.proxy.email), ("sms", "+14155550123")]
    message = Message.get(Message.event == "case_resolution_proposed", Message.channel == "email")
    assert message.context["respond_url"].endswith(f"/cases/{case.reference}#resolution")


@pytest.mark.parametrize("actor", ["customer", "proxy"])
def test_only_staff_propose_resolutions(app, people, case, actor):
    with pytest.raises(NotAllowed):
        lifecycle.propose_resolution(people.by_role(actor), case, "It is fixed, trust me.")


def test_a_resolution_needs_text(app, people, case):
    with pytest.raises(ValidationFailed, match="Describe the resolution"):
        lifecycle.propose_resolution(people.agent, case, "  ")


def test_the_customer_accepts_with_a_rating_and_the_case_closes(client, login, people, case):
    lifecycle.propose_resolution(people.agent, case, "Fixed.")
    login(people.customer)
    response = post_form(client, f"/cases/{case.reference}/resolution/accept", {"rating": "5", "comment": "Quick!"},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302
    case = fresh(case)
    assert case.status.category == "closed" and case.last_closed_at is not None
    feedback = CaseFeedback.get()
    assert (feedback.rating, feedback.comment) == (5, "Quick!")
    # the customer is not told of their own action; the proxy is
    assert messages("case_closed") == [("email", people.proxy.email)]


@pytest.mark.parametrize("rating", ["0", "6", "abc"])
def test_a_rating_outside_one_to_five_is_refused(client, login, people, case, rating):
    lifecycle.propose_resolution(people.agent, case, "Fixed.")
    login(people.customer)
    response = post_form(client, f"/cases/{case.reference}/resolution/accept", {"rating": rating},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert fresh(case).status.category == "resolved"


def test_the_customer_rejects_with_a_reason_and_the_assignee_is_told(client, login, people, case):
    lifecycle.propose_resolution(people.agent, case, "Fixed.")
    login(people.customer)
    response = post_form(client, f"/cases/{case.reference}/resolution/reject",
                         {"reason": "It jams again on tray 2."}, page=f"/cases/{case.reference}")
    assert response.status_code == 302
    assert fresh(case).status.name == "Open"
    assert messages("case_resolution_rejected") == [("email", people.agent.email)]
    assert Message.get(Message.event == "case_resolution_rejected").context["reason"] == "It jams again on tray 2."


def test_rejecting_needs_a_reason_and_keeps_the_case_resolved(client, login, people, case):
    lifecycle.propose_resolution(people.agent, case, "Fixed.")
    login(people.customer)
    response = post_form(client, f"/cases/{case.reference}/resolution/reject", {"reason": ""},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert "Tell the team why this does not solve it." in response.get_data(as_text=True)
    assert fresh(case).status.category == "resolved"


def test_the_proxy_may_answer_for_the_customer_but_staff_may_not(app, people, case):
    lifecycle.propose_resolution(people.agent, case, "Fixed.")
    with pytest.raises(NotAllowed):
        lifecycle.accept_resolution(people.supervisor, case)
    lifecycle.reject_resolution(people.proxy, case, "The customer says no.")
    assert fresh(case).status.name == "Open"


def test_answering_without_a_proposed_resolution_is_refused(app, people, case):
    with pytest.raises(InvalidTransition):
        lifecycle.accept_resolution(people.customer, case)


def test_another_customer_cannot_answer(app, people, case):
    lifecycle.propose_resolution(people.agent, case, "Fixed.")
    with pytest.raises(NotFound):
        lifecycle.accept_resolution(people.other_customer, case)


def test_a_customer_closes_a_case_they_no_longer_need(client, login, people, case):
    login(people.customer)
    response = post_form(client, f"/cases/{case.reference}/close", {"close-reason": "Found it myself."},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302
    assert fresh(case).status.category == "closed"
    assert messages("case_closed") == sorted([("email", people.proxy.email), ("email", people.agent.email)])


def test_reopening_within_the_window_and_refusal_afterwards(app, people, case):
    lifecycle.close_case(people.customer, case)
    case = fresh(case)
    lifecycle.reopen_case(people.customer, case, "It is back.")
    assert fresh(case).status.name == "Open"
    assert messages("case_reopened") == [("email", people.agent.email)]
    lifecycle.close_case(people.customer, fresh(case))
    late = utcnow() + timedelta(days=app.config["REOPEN_DAYS"] + 1)
    with pytest.raises(InvalidTransition, match="Open a follow-up case instead"):
        lifecycle.reopen_case(people.customer, fresh(case), now=late)
    lifecycle.reopen_case(people.agent, fresh(case), now=late)  # staff may reopen at any time


def test_a_closed_case_offers_a_follow_up_when_it_is_too_late(client, login, people, case):
    lifecycle.close_case(people.customer, case)
    Case.update(last_closed_at=utcnow() - timedelta(days=30)).where(Case.id == case.id).execute()
    login(people.customer)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "open a follow-up case" in page and "Reopen the case" not in page


def test_a_recently_closed_case_offers_reopen_for_the_same_problem_and_a_follow_up_for_a_new_one(
        client, login, people, case):
    lifecycle.close_case(people.customer, case)
    login(people.customer)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    closed_panel = page[page.index('id="closed-title"'):]
    # One explanation, in the panel with the choice: not the status text's "open a follow-up case" on top
    # of a big "Reopen" button.
    assert "If the problem comes back, open a follow-up case" not in page
    assert "Is the same problem back?" in closed_panel and "You can until" not in closed_panel
    assert "you can until" in closed_panel and "Reopen the case" in closed_panel
    assert "A different problem?" in closed_panel and f"follow_up={case.reference}" in closed_panel
    assert '<button type="submit" class="primary">Reopen the case' not in page


def test_staff_change_to_an_admin_defined_status(app, people, case):
    waiting = CaseStatus.create(name="Waiting on customer", category="waiting", customer_description="We need you.")
    event = lifecycle.change_status(people.agent, case, waiting.uuid)
    assert fresh(case).status.name == "Waiting on customer"
    assert event.data == {"from": "Open", "to": "Waiting on customer"}


def test_a_status_change_cannot_skip_the_resolution_or_touch_a_closed_case(app, people, case):
    with pytest.raises(InvalidTransition, match="propose a resolution"):
        lifecycle.change_status(people.agent, case, system_status("resolved").uuid)
    with pytest.raises(ValidationFailed):
        lifecycle.change_status(people.agent, case, "not-a-status")
    lifecycle.close_case(people.agent, case)
    with pytest.raises(InvalidTransition, match="Reopen it"):
        lifecycle.change_status(people.agent, fresh(case), system_status("open").uuid)


def test_customers_cannot_change_status(app, people, case):
    with pytest.raises(NotAllowed):
        lifecycle.change_status(people.customer, case, system_status("closed").uuid)


def test_unanswered_resolutions_are_reminded_once_then_closed(app, people, case):
    start = utcnow()
    lifecycle.propose_resolution(people.agent, case, "Fixed.", now=start)
    assert lifecycle.remind_unanswered_resolutions(now=start + timedelta(hours=1)) == 0
    later = start + timedelta(hours=app.config["RESOLUTION_REMINDER_HOURS"] + 1)
    assert lifecycle.remind_unanswered_resolutions(now=later) == 1
    assert lifecycle.remind_unanswered_resolutions(now=later) == 0  # a second scheduler reminds nobody
    assert messages("case_resolution_reminder") == [("email", people.customer.email)]
    assert lifecycle.close_unanswered_resolutions(now=later) == 0
    end = start + timedelta(days=app.config["RESOLUTION_AUTOCLOSE_DAYS"], minutes=1)
    assert lifecycle.close_unanswered_resolutions(now=end) == 1
    assert lifecycle.close_unanswered_resolutions(now=end) == 0
    assert fresh(case).status.category == "closed"
    assert CaseEvent.select().where(CaseEvent.kind == "closed").get().actor is None


def test_the_reminder_is_not_sent_after_the_customer_answered(app, people, case):
    start = utcnow()
    lifecycle.propose_resolution(people.agent, case, "Fixed.", now=start)
    lifecycle.accept_resolution(people.customer, fresh(case))
    later = start + timedelta(days=30)
    assert lifecycle.remind_unanswered_resolutions(now=later) == 0
    assert lifecycle.close_unanswered_resolutions(now=later) == 0


def test_the_resolution_panel_shows_accept_and_reject_to_the_customer_only(app, client, login, people, case):
    lifecycle.propose_resolution(people.agent, case, "Replaced the toner.")
    login(people.customer)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Accept the resolution" in page and "Reject the resolution" in page
    staff = app.test_client()
    post_form(staff, "/login", {"email": people.agent.email, "password": factories.PASSWORD})
    staff_page = staff.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Waiting for the customer" in staff_page and "Accept the resolution" not in staff_page
