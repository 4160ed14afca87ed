"""Notifications follow the same visibility policy as the pages: someone in a case's audience who
may no longer open the case is not told of it, so no mail carries a case's text to someone who would
get a 404 for it."""

from __future__ import annotations

import pytest

from notifier.models import Message
from portal.cases.service import conversation, lifecycle
from portal.policy import can_view_case
from tests import factories


def told(event: str) -> list[str]:
    return sorted(m.address for m in Message.select().where(Message.event == event))


@pytest.fixture
def case(people):
    team = factories.workgroup(people.agent, name="Service desk")
    return factories.case(people.customer, workgroup=team, internal_contact=people.proxy, assignee=people.agent)


@pytest.mark.parametrize("new_role", ["agent", "customer"])
def test_a_former_internal_contact_who_may_no_longer_see_the_case_is_not_told(app, people, case, new_role):
    # Pia filed the case as a proxy; then she joined another team (or became a customer elsewhere).
    people.proxy.role = new_role
    people.proxy.save()
    assert not can_view_case(people.proxy, case)
    conversation.add_comment(people.agent, case, "The engineer comes on Monday.")
    lifecycle.propose_resolution(people.agent, case, "Replaced the fuser.")
    assert told("case_replied") == [people.customer.email]
    assert told("case_resolution_proposed") == [people.customer.email]


def test_an_internal_contact_who_still_sees_the_case_is_told(app, people, case):
    conversation.add_comment(people.agent, case, "The engineer comes on Monday.")
    assert told("case_replied") == sorted([people.customer.email, people.proxy.email])


def test_an_assignee_who_lost_the_case_is_not_told_of_the_customers_comment(app, people, case):
    # Aga was assigned, then made a customer: she sees none of the desk's cases any more.
    people.agent.role = "customer"
    people.agent.save()
    conversation.add_comment(people.customer, case, "Any news?")
    assert people.agent.email not in told("case_customer_commented")
