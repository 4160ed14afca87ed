"""One case and everyone who might act on it, by their relation to it: the world of the policy tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.models.cases import Attachment, Case, CaseCustomerLink
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer
from tests import factories


@dataclass
class World:
    case: Case
    users: dict
    desk: object
    experts: object
    billing: object
    public_file: Attachment
    internal_file: Attachment


@pytest.fixture
def world(app, people) -> World:
    account = factories.account(name="Northwind")
    own = Customer.get(Customer.user == people.customer)
    own.account = account
    own.save()
    linked_user = factories.user(role="customer", email="linked@example.com")
    manager_user = factories.user(role="customer", email="manager@example.com")
    Customer.update(account=account, is_account_manager=True).where(Customer.user == manager_user).execute()
    outsider = factories.user(role="customer", email="outsider@example.com")
    other_proxy = factories.user(role="proxy", email="other-proxy@example.com")
    team_agent = factories.user(role="agent", email="team-agent@example.com", display_name="Tom Team")
    assigned_agent = factories.user(role="agent", email="assigned-agent@example.com", display_name="Ann Assigned")
    expert = factories.user(role="agent", email="expert@example.com")
    expert_lead = factories.user(role="supervisor", email="expert-lead@example.com")
    desk = factories.workgroup(team_agent, people.supervisor, name="Service desk")
    experts = factories.workgroup(expert, expert_lead, name="Experts")
    billing = factories.workgroup(people.supervisor, name="Billing")  # the desk's supervisor leads it too
    template = CaseTemplate.create(name="General", state="published", for_customers=True, for_proxies=True,
                                   for_staff=True, default_workgroup=desk, escalation_workgroup=experts)
    case = factories.case(customer=own, template=template, workgroup=desk, created_by=people.proxy,
                          internal_contact=people.proxy, assignee=assigned_agent, title="Printer")
    CaseCustomerLink.create(case=case, customer=Customer.get(Customer.user == linked_user))
    files = [Attachment.create(case=case, original_name=f"{kind}.txt", stored_name=f"{kind}0123456789", size=1,
                               content_type="text/plain", sha256="0" * 64, public=kind == "public")
             for kind in ("public", "internal")]
    users = {
        "own customer": people.customer, "linked customer": linked_user, "account manager": manager_user,
        "other customer": outsider, "proxy (internal contact)": people.proxy, "other proxy": other_proxy,
        "agent in the workgroup": team_agent, "assigned agent (no member)": assigned_agent,
        "agent elsewhere": expert, "supervisor of the workgroup": people.supervisor,
        "supervisor elsewhere": expert_lead, "admin": people.admin,
    }
    return World(Case.get_by_id(case.id), users, desk, experts, billing, *files)


RELATIONS = (
    "own customer", "linked customer", "account manager", "other customer", "proxy (internal contact)",
    "other proxy", "agent in the workgroup", "assigned agent (no member)", "agent elsewhere",
    "supervisor of the workgroup", "supervisor elsewhere", "admin",
)
