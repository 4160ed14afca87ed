"""The navigation marks the entry the page sits under, once."""

import re

import pytest

from tests import factories
from tests.fixtures import sign_in


def current_entries(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', html)


@pytest.mark.parametrize("role, entry", [("customer", "My cases"), ("proxy", "My cases"), ("agent", "Workspace"),
                                         ("supervisor", "Workspace"), ("admin", "Workspace")])
def test_a_case_page_sits_under_the_viewers_start_page(client, people, role, entry):
    case = factories.case(people.customer, internal_contact=people.proxy)
    sign_in(client, people.by_role(role))
    assert current_entries(client.get(f"/cases/{case.reference}").get_data(as_text=True)) == [entry]


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_opening_a_case_sits_under_open_a_case(client, people, role):
    sign_in(client, people.by_role(role))
    assert current_entries(client.get("/cases/new").get_data(as_text=True)) == ["Open a case"]


def test_the_workspace_and_the_dashboard_mark_themselves(app, people):
    agent, customer = app.test_client(), app.test_client()
    sign_in(agent, people.agent)
    assert current_entries(agent.get("/staff/").get_data(as_text=True)) == ["Workspace"]
    sign_in(customer, people.customer)
    assert current_entries(customer.get("/cases").get_data(as_text=True)) == ["My cases"]
