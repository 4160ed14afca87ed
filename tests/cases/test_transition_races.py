"""The same case change sent several times at once (double clicks, two tabs, two people): it happens
once, every other request is refused with a message saying who did it, and nothing duplicates: one
feed entry, at most one feedback row, one message per recipient. Real threads, each with its own
connection, on SQLite and PostgreSQL."""

import pytest

from portal.case_config.service import system_status
from portal.cases.service import conversation, lifecycle
from portal.errors import Conflict
from portal.models.cases import Case, CaseEvent, CaseFeedback
from portal.models.configuration import CaseStatus
from tests import factories
from tests.cases.racing import THREADS, assert_each_told_once, assert_one_winner, race, winners_and_losers
from tests.fixtures import post_form, sign_in


@pytest.fixture
def team(people):
    return factories.workgroup(people.agent, people.supervisor, name="Service desk")


@pytest.fixture
def case(people, team):
    return factories.case(people.customer, workgroup=team, internal_contact=people.proxy, assignee=people.agent)


def fresh(case):
    return Case.get_by_id(case.id)


def events(kind):
    return CaseEvent.select().where(CaseEvent.kind == kind).count()


def resolved(people, case):
    lifecycle.propose_resolution(people.agent, fresh(case), "Replaced the toner.")
    return fresh(case)


def closed(people, case):
    lifecycle.close_case(people.agent, fresh(case), "Done.")
    return fresh(case)


def one(actor, action, case):
    """A request by actor: it loads the case, then acts on what it loaded."""
    def request():
        loaded = fresh(case)
        return lambda: action(actor, loaded)
    return request


def same(actor, action, case):
    """THREADS requests by one actor on the case (double clicks, several tabs)."""
    return [one(actor, action, case)] * THREADS


def test_accepting_one_resolution_at_once_closes_it_once_with_one_feedback(app, people, case):
    case = resolved(people, case)
    outcomes = race(app, same(people.customer, lambda a, c: lifecycle.accept_resolution(a, c, rating=5,
                                                                                       comment="Thanks"), case))
    assert_one_winner(outcomes, "The resolution was already accepted by you at")
    assert events("resolution_accepted") == 1 and CaseFeedback.select().count() == 1
    assert fresh(case).status.category == "closed"
    assert_each_told_once("case_closed")


def test_rejecting_one_resolution_at_once_reopens_it_once(app, people, case):
    case = resolved(people, case)
    outcomes = race(app, same(people.customer, lambda a, c: lifecycle.reject_resolution(a, c, "Still jams."), case))
    assert_one_winner(outcomes, "The resolution was already rejected by you at")
    assert events("resolution_rejected") == 1
    assert_each_told_once("case_resolution_rejected")


def test_closing_at_once_closes_once(app, people, case):
    outcomes = race(app, same(people.customer, lambda a, c: lifecycle.close_case(a, c, "Not needed."), case))
    assert_one_winner(outcomes, "This case was already closed by you at")
    assert events("closed") == 1
    assert_each_told_once("case_closed")


def test_reopening_at_once_reopens_once(app, people, case):
    case = closed(people, case)
    outcomes = race(app, same(people.customer, lambda a, c: lifecycle.reopen_case(a, c, "It is back."), case))
    assert_one_winner(outcomes, "This case was already reopened by you at")
    assert events("reopened") == 1
    assert_each_told_once("case_reopened")


def test_proposing_at_once_proposes_once(app, people, case):
    outcomes = race(app, same(people.agent, lambda a, c: lifecycle.propose_resolution(a, c, "Fixed it."), case))
    assert_one_winner(outcomes, "A resolution was already proposed by you at")
    assert events("resolution_proposed") == 1
    assert_each_told_once("case_resolution_proposed")


def test_changing_the_status_at_once_changes_it_once(app, people, case):
    waiting = CaseStatus.create(name="Waiting on customer", category="waiting").uuid
    outcomes = race(app, same(people.agent, lambda a, c: lifecycle.change_status(a, c, waiting), case))
    assert_one_winner(outcomes, "The status was already changed to Waiting on customer by you at")
    assert events("status_changed") == 1


def test_closing_by_status_while_the_customer_closes_closes_once(app, people, case):
    closed_status = system_status("closed").uuid
    customer = one(people.customer, lambda a, c: lifecycle.close_case(a, c), case)
    agent = one(people.agent, lambda a, c: lifecycle.change_status(a, c, closed_status), case)
    outcomes = race(app, [customer, agent] * (THREADS // 2))
    assert_one_winner(outcomes, "This case was already closed by")
    assert events("closed") + events("status_changed") == 1
    assert_each_told_once("case_closed")


def test_accepting_and_rejecting_at_once_does_only_one(app, people, case):
    case = resolved(people, case)
    accept = one(people.customer, lambda a, c: lifecycle.accept_resolution(a, c, rating=4), case)
    reject = one(people.proxy, lambda a, c: lifecycle.reject_resolution(a, c, "No."), case)
    outcomes = race(app, [accept, reject] * (THREADS // 2))
    won, lost = winners_and_losers(outcomes)
    assert len(won) == 1
    assert events("resolution_accepted") + events("resolution_rejected") == 1
    assert CaseFeedback.select().count() == events("resolution_accepted")
    assert all("The resolution was already" in exc.message for exc in lost)


def test_a_comment_never_lands_on_a_case_closed_at_the_same_moment(app, people, case):
    commenting = one(people.customer, lambda a, c: conversation.add_comment(a, c, "One more thing"), case)
    closing = one(people.agent, lambda a, c: lifecycle.close_case(a, c), case)
    outcomes = race(app, [commenting] * (THREADS - 1) + [closing])
    assert isinstance(outcomes[-1], CaseEvent), outcomes[-1]  # the close always lands
    winners_and_losers(outcomes)
    close = CaseEvent.get(CaseEvent.kind == "closed")
    landed = list(CaseEvent.select().where(CaseEvent.kind == "comment"))
    assert all(comment.id < close.id for comment in landed)
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(landed) + len(refused) == THREADS - 1
    assert all("This case was already closed by Aga Agent" in exc.message and "cannot take comments" in exc.message
               for exc in refused)


def test_a_second_click_on_accept_shows_who_accepted_on_the_case_page(app, client, people, case):
    case = resolved(people, case)
    sign_in(client, people.customer)
    page = f"/cases/{case.reference}"
    token_page = client.get(page).get_data(as_text=True)
    from tests.fixtures import csrf_token_from

    form = {"csrf_token": csrf_token_from(token_page), "rating": "5", "comment": "Great"}
    first = client.post(f"{page}/resolution/accept", data=form)
    second = client.post(f"{page}/resolution/accept", data=form)
    assert first.status_code == 302
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert 'class="flash flash-error"' in html and "The resolution was already accepted by you at" in html
    assert "This case is closed" in html  # the page as it is now
    assert events("resolution_accepted") == 1 and CaseFeedback.select().count() == 1
    assert_each_told_once("case_closed")


def test_a_late_comment_form_says_who_closed_the_case(app, client, people, case):
    sign_in(client, people.customer)
    page = f"/cases/{case.reference}"
    lifecycle.close_case(people.agent, fresh(case), "Solved on the phone.")
    response = post_form(client, f"{page}/comments", {"body": "Hello?"}, page=page)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This case was already closed by Aga Agent at" in html and "cannot take comments" in html
    assert events("comment") == 0
