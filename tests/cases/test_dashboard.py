"""The case dashboard: who sees which cases (lists, counts and search), the action-needed group,
filters, keyword search, pagination, the empty state, the home redirect and a constant query count."""

import itertools
import re
from datetime import timedelta

import pytest

from portal.cases.service.search_index import reindex_case
from portal.clock import utcnow
from portal.models.cases import Case, CaseCustomerLink, CaseEvent
from portal.models.configuration import CaseStatus, CaseTemplate
from portal.models.people import Customer
from tests import factories

_references = itertools.count(20_000_000)


def status(category: str) -> CaseStatus:
    found = CaseStatus.select().where(CaseStatus.category == category).order_by(CaseStatus.id).first()
    return found or CaseStatus.create(name=f"{category.capitalize()} status", category=category)


@pytest.fixture
def template(app):
    return CaseTemplate.create(name="General question", state="published")


def make_case(customer: Customer, template, *, title="Printer jammed", category="open", updated_minutes_ago=0,
              **values) -> Case:
    when = utcnow() - timedelta(minutes=updated_minutes_ago)
    case = Case.create(reference=str(next(_references)), template=template, title=title, status=status(category),
                       customer=customer, created_by=values.pop("created_by", customer.user_id or 1),
                       opened_at=when, updated_at=when, **values)
    reindex_case(case.id)
    return case


def profile(user) -> Customer:
    return Customer.get(Customer.user == user)


def references_on(page: str) -> list[str]:
    return re.findall(r'href="/cases/(\d{8})"', page)


@pytest.fixture
def world(people, template):
    """One case seen by its own customer, a linked customer, the account manager, the proxy who is its
    internal contact and the agent of its workgroup; not by anyone else."""
    account = factories.account(name="Northwind")
    own = profile(people.customer)
    own.account = account
    own.save()
    linked = factories.user(role="customer", email="linked@example.com")
    manager = factories.user(role="customer", email="manager@example.com")
    Customer.update(account=account, is_account_manager=True).where(Customer.user == manager).execute()
    other_proxy = factories.user(role="proxy", email="other-proxy@example.com")
    team_agent = factories.user(role="agent", email="team-agent@example.com")
    team = factories.workgroup(team_agent)
    case = make_case(own, template, title="Quarterly invoice missing", internal_contact=people.proxy,
                     workgroup=team)
    CaseCustomerLink.create(case=case, customer=profile(linked))
    users = {"own customer": people.customer, "linked customer": linked, "account manager": manager,
             "other customer": people.other_customer, "proxy (internal contact)": people.proxy,
             "other proxy": other_proxy, "agent in the workgroup": team_agent, "agent elsewhere": people.agent,
             "admin": people.admin}
    return case, users


SEES = {"own customer": True, "linked customer": True, "account manager": True, "other customer": False,
        "proxy (internal contact)": True, "other proxy": False, "agent in the workgroup": True,
        "agent elsewhere": False, "admin": True}


@pytest.mark.parametrize("who", SEES)
def test_dashboard_lists_counts_and_finds_only_visible_cases(client, login, world, who):
    case, users = world
    login(users[who])
    listed = client.get("/cases").get_data(as_text=True)
    searched = client.get("/cases?q=quarterly+invoice").get_data(as_text=True)
    by_reference = client.get(f"/cases?q={case.reference}").get_data(as_text=True)
    expected = [case.reference] if SEES[who] else []
    assert references_on(listed) == expected
    assert references_on(searched) == expected
    assert references_on(by_reference) == expected
    assert re.search(r'Open</span> <span class="count">(\d+)', listed).group(1) == ("1" if SEES[who] else "0")


def test_customer_never_finds_a_case_by_an_internal_note_on_the_page(client, login, people, world):
    case, users = world
    CaseEvent.create(case=case, kind="comment", body="Suspected duplicate billing fraud", public=False)
    reindex_case(case.id)
    login(people.customer)
    assert references_on(client.get("/cases?q=fraud").get_data(as_text=True)) == []


def test_staff_find_a_case_by_an_internal_note_on_the_page(client, login, people, world):
    case, users = world
    CaseEvent.create(case=case, kind="comment", body="Suspected duplicate billing fraud", public=False)
    reindex_case(case.id)
    login(people.admin)
    assert references_on(client.get("/cases?q=fraud").get_data(as_text=True)) == [case.reference]


@pytest.fixture
def mixed(people, template):
    """Four cases of the customer, one per status category, the most recently updated first."""
    own = profile(people.customer)
    return {category: make_case(own, template, title=f"{category} case", category=category,
                                updated_minutes_ago=minutes)
            for minutes, category in enumerate(("open", "waiting", "resolved", "closed"))}


def action_section(page: str) -> str:
    match = re.search(r'<section class="panel action-needed".*?</section>', page, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_action_needed_group_comes_first_for_customers_and_proxies(client, login, people, mixed, role):
    if role == "proxy":
        Case.update(internal_contact=people.proxy).execute()
    login(people.by_role(role))
    page = client.get("/cases").get_data(as_text=True)
    group = action_section(page)
    assert references_on(group) == [mixed["waiting"].reference, mixed["resolved"].reference]
    assert page.index("Action needed") < page.index("All your cases")


def test_staff_get_no_action_needed_group(client, login, people, mixed):
    login(people.admin)
    page = client.get("/cases").get_data(as_text=True)
    assert action_section(page) == ""
    assert len(references_on(page)) == 4


def test_list_is_sorted_by_last_update_newest_first(client, login, people, mixed):
    login(people.admin)
    expected = [mixed[c].reference for c in ("open", "waiting", "resolved", "closed")]
    assert references_on(client.get("/cases").get_data(as_text=True)) == expected


def test_counts_per_status_category(client, login, people, mixed):
    make_case(profile(people.customer), mixed["open"].template, category="open")
    login(people.customer)
    page = client.get("/cases").get_data(as_text=True)
    counts = dict(re.findall(r'badge badge-(\w+)">\w+</span> <span class="count">(\d+)', page))
    assert counts == {"open": "2", "waiting": "1", "resolved": "1", "closed": "1"}


@pytest.mark.parametrize("category", ["open", "waiting", "resolved", "closed"])
def test_filter_by_status_category(client, login, people, mixed, category):
    login(people.customer)
    page = client.get(f"/cases?category={category}").get_data(as_text=True)
    assert references_on(page) == [mixed[category].reference]


def test_action_filter_shows_waiting_and_resolved(client, login, people, mixed):
    login(people.customer)
    page = client.get("/cases?category=action").get_data(as_text=True)
    assert references_on(page) == [mixed["waiting"].reference, mixed["resolved"].reference]


def test_filter_by_status(client, login, people, mixed):
    login(people.customer)
    waiting = mixed["waiting"].status
    page = client.get(f"/cases?status={waiting.uuid}").get_data(as_text=True)
    assert references_on(page) == [mixed["waiting"].reference]


def test_filter_by_template(client, login, people, mixed):
    other = CaseTemplate.create(name="Billing question", state="published")
    billing = make_case(profile(people.customer), other, title="Invoice")
    login(people.customer)
    page = client.get(f"/cases?template={other.uuid}").get_data(as_text=True)
    assert references_on(page) == [billing.reference]
    assert "Billing question" in page  # offered in the template filter


def test_counts_and_total_under_a_template_filter_are_of_that_form_only(client, login, people, mixed):
    other = CaseTemplate.create(name="Billing question", state="published")
    for category in ("open", "open", "closed"):
        make_case(profile(people.customer), other, title="Invoice", category=category)
    login(people.customer)
    page = client.get(f"/cases?template={other.uuid}").get_data(as_text=True)
    counts = dict(re.findall(r'badge badge-(\w+)">\w+</span> <span class="count">(\d+)', page))
    assert counts == {"open": "2", "waiting": "0", "resolved": "0", "closed": "1"}
    assert "Matching cases\n    <span class=\"muted\">(3)</span>" in page
    unfiltered = client.get("/cases").get_data(as_text=True)
    counts = dict(re.findall(r'badge badge-(\w+)">\w+</span> <span class="count">(\d+)', unfiltered))
    assert counts == {"open": "3", "waiting": "1", "resolved": "1", "closed": "2"}


@pytest.mark.parametrize("query", ["category=nonsense", "status=not-a-uuid", "template=42",
                                   "status=00000000-0000-0000-0000-000000000000", "q=" + "x" * 1001,
                                   "page=abc&category=%01"])
def test_bad_filter_values_are_ignored_with_a_message(client, login, people, mixed, query):
    login(people.customer)
    response = client.get(f"/cases?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error"' in page
    assert len(references_on(page)) == 4 + 2  # the list and the action group, unfiltered


def test_a_nul_byte_in_a_filter_is_refused_with_a_message(client, login, people, mixed):
    login(people.customer)
    response = client.get("/cases?page=abc&category=%00")
    assert response.status_code == 400
    assert "invisible control characters" in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ['"', "(", "AND OR NOT", "*", "-", "a" * 1000, "日本語 🙂", "' OR 1=1 --", "NEAR("])
def test_hostile_search_input_never_errors(client, login, people, mixed, q):
    login(people.customer)
    assert client.get("/cases", query_string={"q": q}).status_code == 200


def test_search_with_filters_combined(client, login, people, mixed):
    login(people.customer)
    page = client.get("/cases?q=case&category=closed").get_data(as_text=True)
    assert references_on(page) == [mixed["closed"].reference]


@pytest.fixture
def thirty(people, template):
    own = profile(people.customer)
    return [make_case(own, template, title=f"Case number {n}", updated_minutes_ago=n) for n in range(30)]


def test_pages_hold_25_cases_and_link_to_the_next(client, login, people, thirty):
    login(people.customer)
    first = client.get("/cases").get_data(as_text=True)
    second = client.get("/cases?page=2").get_data(as_text=True)
    assert references_on(first) == [c.reference for c in thirty[:25]]
    assert references_on(second) == [c.reference for c in thirty[25:]]
    assert 'href="/cases?page=2"' in first and 'rel="next"' in first


def test_page_links_keep_the_filters(client, login, people, thirty):
    login(people.customer)
    page = client.get("/cases?q=number&category=open").get_data(as_text=True)
    assert re.search(r'href="/cases\?[^"]*page=2', page)
    link = re.search(r'href="(/cases\?[^"]*page=2[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "q=number" in link and "category=open" in link


@pytest.mark.parametrize("value, shown", [("abc", 1), ("0", 1), ("-3", 1), ("1.5", 1), ("", 1), ("999", 2),
                                          ("99999999999999999999999", 2), ("2", 2)])
def test_bad_page_numbers_are_clamped(client, login, people, thirty, value, shown):
    login(people.customer)
    response = client.get(f"/cases?page={value}")
    assert response.status_code == 200
    expected = thirty[:25] if shown == 1 else thirty[25:]
    assert references_on(response.get_data(as_text=True)) == [c.reference for c in expected]


def test_empty_dashboard_points_to_opening_a_case(client, login, people):
    login(people.customer)
    page = client.get("/cases").get_data(as_text=True)
    assert "You have no cases yet" in page
    assert 'href="/cases/new"' in page


def test_a_search_without_results_says_so(client, login, people, mixed):
    login(people.customer)
    page = client.get("/cases?q=zebra").get_data(as_text=True)
    assert "No cases match “zebra”" in page


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_home_sends_customers_and_proxies_to_their_cases(client, login, people, role):
    login(people.by_role(role))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases")


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_home_does_not_send_staff_to_the_customer_dashboard(client, login, people, role):
    login(people.by_role(role))
    response = client.get("/")
    assert not response.headers.get("Location", "").endswith("/cases")


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_the_customer_side_has_the_my_cases_entry_marked_current(client, login, people, role):
    login(people.by_role(role))
    page = client.get("/cases").get_data(as_text=True)
    assert '<a href="/cases" aria-current="page">My cases</a>' in page


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_staff_find_their_cases_in_the_workspace_not_a_second_list(client, login, people, role):
    login(people.by_role(role))
    page = client.get("/cases").get_data(as_text=True)
    assert ">My cases</a>" not in page and ">Workspace</a>" in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["customer", "admin"])
def test_dashboard_takes_the_same_number_of_queries_for_5_and_50_cases(client, login, people, template,
                                                                        sql_log, role):
    own = profile(people.customer)
    login(people.by_role(role))
    categories = ("open", "waiting", "resolved", "closed", "open")

    def render():
        assert client.get("/cases").status_code == 200

    for n in range(5):
        make_case(own, template, category=categories[n % 5], title=f"Case {n}")
    with sql_log() as with_5:
        render()
    for n in range(45):
        other_template = CaseTemplate.create(name=f"Form {n}", state="published") if n % 10 == 0 else template
        make_case(own, other_template, category=categories[n % 5], title=f"More {n}")
    with sql_log() as with_50:
        render()
    assert len(with_5) == len(with_50)
    assert len(with_50) <= 12


def test_the_title_links_to_the_case_and_only_those_who_see_others_cases_get_a_customer_column(app, people):
    from tests.fixtures import sign_in

    own = factories.case(people.customer, title="My own printer")
    factories.case(people.other_customer, title="Someone else's case", internal_contact=people.proxy)
    own.internal_contact = people.proxy
    own.save()

    def dashboard(user) -> str:
        client = app.test_client()
        sign_in(client, user)
        return client.get("/cases").get_data(as_text=True)

    def has_customer_column(page: str) -> bool:
        return "sort=customer" in page

    mine = dashboard(people.customer)
    assert f'<a href="/cases/{own.reference}">My own printer</a>' in mine
    assert not has_customer_column(mine)  # a column of their own name
    assert has_customer_column(dashboard(people.proxy))
    CaseCustomerLink.create(case=factories.case(people.other_customer, title="Shared"),
                            customer=Customer.get(Customer.user == people.customer))
    assert has_customer_column(dashboard(people.customer))  # now also someone else's case
