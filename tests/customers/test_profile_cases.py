"""The profile page lists the customer's cases (reference, title, status, updated) in one query."""

from datetime import timedelta

from portal.clock import utcnow
from portal.customers.queries import cases_of_customer
from portal.models.cases import Case
from portal.models.configuration import CaseStatus, CaseTemplate
from tests import factories


def _case(customer, creator, reference, title, status, updated_at, assignee=None):
    template = CaseTemplate.get_or_create(name="General enquiry", defaults={"state": "published"})[0]
    return Case.create(reference=reference, template=template, title=title, status=status, customer=customer,
                       created_by=creator, updated_at=updated_at, assignee=assignee)


def test_cases_of_a_customer_latest_first_with_status(app, people):
    maria, other = factories.customer(first_name="Maria"), factories.customer(first_name="Tom")
    open_ = CaseStatus.get_or_create(name="Open", defaults={"category": "open"})[0]
    closed = CaseStatus.get_or_create(name="Closed", defaults={"category": "closed"})[0]
    now = utcnow()
    _case(maria, people.agent, "10000001", "Printer jams", closed, now - timedelta(days=2))
    _case(maria, people.agent, "10000002", "Invoice wrong", open_, now)
    _case(other, people.agent, "10000003", "Not Maria's", open_, now)
    rows = list(cases_of_customer(people.admin, maria))
    assert [(c.reference, c.status.name) for c in rows] == [("10000002", "Open"), ("10000001", "Closed")]


def test_the_profile_lists_only_the_cases_the_viewer_may_see(app, people):
    maria = factories.customer(first_name="Maria")
    open_ = CaseStatus.get_or_create(name="Open", defaults={"category": "open"})[0]
    _case(maria, people.admin, "20000001", "Assigned to the agent", open_, utcnow(), assignee=people.agent)
    _case(maria, people.admin, "20000002", "Another team's case", open_, utcnow())
    assert [c.reference for c in cases_of_customer(people.agent, maria)] == ["20000001"]


def test_profile_page_shows_the_cases(client, login, people):
    maria = factories.customer(first_name="Maria")
    status = CaseStatus.get_or_create(name="Waiting on customer", defaults={"category": "waiting"})[0]
    _case(maria, people.agent, "12345678", "Printer jams on tray 2", status, utcnow(), assignee=people.agent)
    login(people.agent)
    page = client.get(f"/customers/{maria.uuid}").get_data(as_text=True)
    assert "12345678" in page and "Printer jams on tray 2" in page and "Waiting on customer" in page
    assert "has no cases yet" not in page
