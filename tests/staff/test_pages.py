"""Every workspace page and the case page render for each role as they should (no 500s)."""

import pytest

from tests.fixtures import sign_in

STAFF = ["agent", "supervisor", "admin"]


@pytest.mark.parametrize("role", ["customer", "proxy"])
@pytest.mark.parametrize("url", ["/staff/", "/staff/search?q=printer", "/staff/supervisor"])
def test_customers_and_proxies_do_not_know_the_workspace_exists(client, people, role, url):
    sign_in(client, people.by_role(role))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", STAFF)
def test_staff_open_their_workspace_from_the_start_page(client, people, teams, case, role):
    sign_in(client, people.by_role(role))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "Workspace" in page.get_data(as_text=True)


def test_agents_do_not_see_the_supervisor_view(client, people):
    sign_in(client, people.agent)
    assert client.get("/staff/supervisor").status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_counts_and_drill_down(client, people, teams, case, role):
    sign_in(client, people.by_role(role))
    page = client.get("/staff/supervisor").get_data(as_text=True)
    assert "Service desk" in page
    drill = client.get(f"/staff/supervisor?workgroup={teams.desk.uuid}&unassigned=1")
    assert drill.status_code == 200
    assert case.reference in drill.get_data(as_text=True)


@pytest.mark.parametrize("role", STAFF)
def test_the_case_page_shows_the_staff_actions(client, people, teams, case, role):
    sign_in(client, people.by_role(role))
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="staff-actions"' in page
    assert "Log a contact" in page and "Add a task" in page and "Edit details" in page


def test_customers_never_see_the_staff_actions(client, people, case):
    sign_in(client, people.customer)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert 'id="staff-actions"' not in page


@pytest.mark.parametrize("url", ["/staff/?category=nonsense&priority=%00&template=x&queue=y&mine_page=-3"
                                 "&queue_page=abc",
                                 "/staff/search?q=" + "x" * 2000, "/staff/search?customer=not-a-uuid",
                                 "/staff/supervisor?agent=junk&workgroup=00000000-0000-4000-8000-000000000000&page=x"])
def test_odd_query_strings_never_fail(client, people, teams, case, url):
    sign_in(client, people.admin)
    assert client.get(url).status_code in (200, 400)
