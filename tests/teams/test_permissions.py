"""The workgroup pages are for admins only: everybody else gets 404; anonymous users sign in first."""

import pytest

from portal.models.teams import Workgroup, WorkgroupMember
from tests.fixtures import post_form

NOT_ADMINS = ["customer", "proxy", "agent", "supervisor"]

PAGES = ["/admin/workgroups/", "/admin/workgroups/new", "/admin/workgroups/{wg}", "/admin/workgroups/{wg}/edit"]

POSTS = [
    ("/admin/workgroups/new", {"name": "Fresh"}),
    ("/admin/workgroups/{wg}/edit", {"name": "Renamed"}),
    ("/admin/workgroups/{wg}/members", {"user": "{agent}"}),
    ("/admin/workgroups/{wg}/members/{member}/remove", {}),
    ("/admin/workgroups/{wg}/deactivate", {}),
    ("/admin/workgroups/{wg}/activate", {}),
]


@pytest.fixture
def ids(people):
    workgroup = Workgroup.create(name="Service desk")
    WorkgroupMember.create(workgroup=workgroup, user=people.supervisor)
    return {"wg": workgroup.uuid, "agent": people.agent.uuid, "member": people.supervisor.uuid}


def _fill(url, data, ids):
    return url.format(**ids), {k: v.format(**ids) for k, v in data.items()}


def _unchanged(ids) -> bool:
    workgroup = Workgroup.get(Workgroup.uuid == ids["wg"])
    return (Workgroup.select().count() == 1 and workgroup.name == "Service desk" and workgroup.active
            and WorkgroupMember.select().count() == 1)


@pytest.mark.parametrize("url", PAGES)
def test_admins_open_every_page(client, login, people, ids, url):
    login(people.admin)
    assert client.get(url.format(**ids)).status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", NOT_ADMINS)
def test_everybody_else_gets_not_found(client, login, people, ids, role, url):
    login(people.by_role(role))
    assert client.get(url.format(**ids)).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, ids, url):
    response = client.get(url.format(**ids))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url, data", POSTS)
def test_admins_may_post(client, login, people, ids, url, data):
    login(people.admin)
    url, data = _fill(url, data, ids)
    assert post_form(client, url, data, page="/account").status_code == 302


@pytest.mark.parametrize("url, data", POSTS)
@pytest.mark.parametrize("role", NOT_ADMINS)
def test_everybody_else_cannot_post(client, login, people, ids, role, url, data):
    login(people.by_role(role))
    url, data = _fill(url, data, ids)
    assert post_form(client, url, data, page="/account").status_code == 404
    assert _unchanged(ids)


@pytest.mark.parametrize("url, data", POSTS)
def test_anonymous_posts_are_sent_to_sign_in(client, ids, url, data):
    url, data = _fill(url, data, ids)
    response = post_form(client, url, data, page="/login")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _unchanged(ids)


@pytest.mark.parametrize("url, data", POSTS)
def test_posts_without_a_csrf_token_are_refused(client, login, people, ids, url, data):
    login(people.admin)
    url, data = _fill(url, data, ids)
    assert client.post(url, data=data).status_code == 400
    assert _unchanged(ids)


@pytest.mark.parametrize("data", [{"name": "x" * 5000, "description": "y" * 50000, "email": "z" * 5000},
                                  {"name": "'; DROP TABLE workgroup; --"}])
def test_odd_input_gets_messages_or_is_stored_literally(client, login, people, data):
    login(people.admin)
    response = post_form(client, "/admin/workgroups/new", data)
    assert response.status_code in (302, 400)


def test_overlong_member_choice_is_refused(client, login, people, ids):
    login(people.admin)
    url = f"/admin/workgroups/{ids['wg']}/members"
    assert post_form(client, url, {"user": "x" * 5000}, page="/account").status_code == 400
    assert _unchanged(ids)


def test_workgroups_link_is_in_the_navigation_for_admins_only(client, login, people):
    login(people.admin)
    assert 'href="/admin/workgroups/"' in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_no_workgroups_link_for_supervisors(client, login, people):
    login(people.supervisor)
    assert 'href="/admin/workgroups/"' not in client.get("/", follow_redirects=True).get_data(as_text=True)
