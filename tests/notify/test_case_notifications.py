"""Who is told about a case: audiences resolved through the rules and the visibility policy."""

import pytest

from notifier.models import Message
from portal.cases.service import conversation, lifecycle
from portal.models.cases import CaseCustomerLink
from portal.models.configuration import CaseStatus
from portal.models.people import Customer
from portal.notify.queries import audience_members, case_context
from portal.notify.service import save_rules
from tests import factories


@pytest.fixture
def team(people):
    return factories.workgroup(people.agent, people.supervisor, name="Service desk")


def told(event):
    return sorted(m.address for m in Message.select().where(Message.event == event))


def test_linked_customers_hear_of_staff_replies_too(app, people, team):
    case = factories.case(people.customer, workgroup=team)
    linked = factories.customer(first_name="Lina", email="lina@example.com")
    CaseCustomerLink.create(case=case, customer=linked)
    conversation.add_comment(people.agent, case, "Update for everyone.")
    assert told("case_replied") == ["cora@example.com", "lina@example.com"]


def test_a_customer_without_a_sign_in_is_told_by_the_profile_email(app, people, team):
    contact = factories.customer(first_name="Noah", email="noah@example.com")
    case = factories.case(customer=contact, workgroup=team, internal_contact=people.proxy, created_by=people.proxy)
    conversation.add_comment(people.agent, case, "We are on it.")
    assert told("case_replied") == ["noah@example.com", people.proxy.email]


def test_nobody_hears_of_their_own_action(app, people, team):
    case = factories.case(people.customer, workgroup=team, assignee=people.agent)
    conversation.add_comment(people.agent, case, "Note to self and customer.")
    lifecycle.close_case(people.customer, case)
    assert people.agent.email not in told("case_replied")
    assert people.customer.email not in told("case_closed")


def test_the_rules_decide_the_channels_and_audiences(app, people, team):
    case = factories.case(people.customer, workgroup=team, internal_contact=people.proxy)
    save_rules(people.admin, case.template, {("case_replied", "customer"): {"email"}})
    conversation.add_comment(people.agent, case, "Only the customer now.")
    assert told("case_replied") == [people.customer.email]


def test_each_occurrence_is_sent_once_per_person_even_in_two_audiences(app, people, team):
    case = factories.case(people.customer, workgroup=team)
    save_rules(people.admin, None, {("case_status_changed", "workgroup"): {"email"},
                                    ("case_status_changed", "supervisors"): {"email"}})
    lifecycle.change_status(people.admin, case, CaseStatus.create(name="In progress", category="open").uuid)
    assert told("case_status_changed") == [people.agent.email, people.supervisor.email]


def test_inactive_users_and_members_of_other_teams_are_not_told(app, people, team):
    other_team = factories.workgroup(factories.user(role="agent", email="elsewhere@example.com"))
    people.supervisor.active = False
    people.supervisor.save()
    case = factories.case(people.customer, workgroup=team)
    conversation.add_comment(people.customer, case, "Anyone there?")
    assert told("case_customer_commented") == [people.agent.email]
    assert other_team.name not in [m.context.get("team_name") for m in Message.select()]


def test_notification_context_is_plain_data_with_a_link(app, people, team):
    case = factories.case(people.customer, workgroup=team)
    context = case_context(case, "Cora", "Europe/Paris")
    assert context["case_url"] == f"http://portal.test/cases/{case.reference}"
    assert context["team_name"] == "Service desk" and context["customer_name"] == "Cora Customer"
    assert all(isinstance(value, str) for value in context.values())


def test_audiences_are_resolved_from_the_case(app, people, team):
    case = factories.case(people.customer, workgroup=team, internal_contact=people.proxy, assignee=people.agent)
    assert [p.email for p in audience_members(case, "supervisors")] == [people.supervisor.email]
    assert [p.email for p in audience_members(case, "internal_contact")] == [people.proxy.email]
    assert [p.name for p in audience_members(case, "customer")] == [Customer.get(Customer.user == people.customer).
                                                                   user.display_name]


def test_staff_see_who_was_told_on_the_case_page_and_customers_do_not(app, client, login, people, team):
    case = factories.case(people.customer, workgroup=team)
    conversation.add_comment(people.agent, case, "We are on it.")
    login(people.agent)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Notifications" in page and people.customer.email in page
    customer = app.test_client()
    from tests.fixtures import sign_in

    sign_in(customer, people.customer)
    assert "case-notifications-title" not in customer.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_asking_for_an_audience_the_rules_table_does_not_offer_is_a_programming_error(app, people, team):
    from portal.models.cases import CaseEvent
    from portal.notify.service import notify_case_event

    case = factories.case(people.customer, workgroup=team)
    with pytest.raises(ValueError, match="not offered"):
        notify_case_event("case_created", case, CaseEvent.get(CaseEvent.case == case), actor=None,
                          audiences=("workgroup",))



def test_a_long_comment_of_emoji_is_shortened_to_fit_the_outbox_not_refused(app, people, team):
    case = factories.case(people.customer, workgroup=team)
    conversation.add_comment(people.agent, case, "😀" * 9000)  # 108 kB once JSON-escaped; the limit is 64 kB
    [message] = Message.select().where(Message.event == "case_replied")
    assert message.context["comment"].endswith(" …")
    assert 4000 < len(message.context["comment"]) < 9000
    assert message.context["case_url"].endswith(case.reference)
