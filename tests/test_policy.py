"""The one visibility policy over every role and relation: own, linked, account manager, other
customer, proxy (internal contact), other proxy, agents and supervisors by workgroup or assignment."""

import pytest

from portal.models.cases import Case, CaseCustomerLink
from portal.models.configuration import CaseStatus, CaseTemplate
from portal.models.people import Customer
from portal.policy import can_view_case, case_visibility
from tests import factories


@pytest.fixture
def world(app, people):
    account = factories.account(name="Northwind")
    own = Customer.get(Customer.user == people.customer)
    own.account = account
    own.save()
    linked_user = factories.user(role="customer", email="linked@example.com")
    manager_user = factories.user(role="customer", email="manager@example.com")
    Customer.update(account=account, is_account_manager=True).where(Customer.user == manager_user).execute()
    outsider = factories.user(role="customer", email="outsider@example.com")
    other_proxy = factories.user(role="proxy", email="other-proxy@example.com")
    team_agent = factories.user(role="agent", email="team-agent@example.com")
    assigned_agent = factories.user(role="agent", email="assigned-agent@example.com")
    team = factories.workgroup(team_agent, people.supervisor)
    template = CaseTemplate.create(name="General", state="published")
    case = Case.create(reference="12345678", template=template, title="Printer", status=CaseStatus.get(),
                       customer=own, created_by=people.proxy, internal_contact=people.proxy, workgroup=team,
                       assignee=assigned_agent)
    CaseCustomerLink.create(case=case, customer=Customer.get(Customer.user == linked_user))
    users = {
        "own customer": people.customer, "linked customer": linked_user, "account manager": manager_user,
        "other customer": outsider, "proxy (internal contact)": people.proxy, "other proxy": other_proxy,
        "agent in the workgroup": team_agent, "assigned agent": assigned_agent,
        "agent elsewhere": people.agent, "supervisor of the workgroup": people.supervisor, "admin": people.admin,
    }
    return case, users


EXPECTED = {
    "own customer": True, "linked customer": True, "account manager": True, "other customer": False,
    "proxy (internal contact)": True, "other proxy": False, "agent in the workgroup": True,
    "assigned agent": True, "agent elsewhere": False, "supervisor of the workgroup": True, "admin": True,
}


@pytest.mark.parametrize("who", EXPECTED)
def test_who_sees_a_case(world, who):
    case, users = world
    assert can_view_case(users[who], case) is EXPECTED[who]
    listed = Case.select().where(case_visibility(users[who])).count()
    assert listed == (1 if EXPECTED[who] else 0)


def test_an_account_manager_stops_seeing_the_account_when_no_longer_manager(world):
    case, users = world
    Customer.update(is_account_manager=False).where(Customer.user == users["account manager"]).execute()
    assert not can_view_case(users["account manager"], case)


def test_a_deactivated_user_sees_nothing(world):
    case, users = world
    users["own customer"].active = False
    assert not can_view_case(users["own customer"], case)
