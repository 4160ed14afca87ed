"""Admins change a user's role and workgroups, deactivate and reactivate them; the users list and
search; every change in the audit log."""

from __future__ import annotations

import pytest

from portal.errors import NotAllowed
from portal.models.cases import Case, CaseEvent
from portal.models.people import User, UserChange
from portal.models.teams import WorkgroupMember
from portal.people import service
from tests import factories
from tests.fixtures import post_form, sign_in


def page_of(user) -> str:
    return f"/admin/users/{user.uuid}"


def changes_of(user):
    return [(c.action, c.old_value, c.new_value, c.actor_id)
            for c in UserChange.select().where(UserChange.user == user).order_by(UserChange.id)]


def fresh(user):
    return User.get_by_id(user.id)


# --- the list --------------------------------------------------------------------------------------


def test_the_list_finds_people_by_name_or_email_role_and_state(client, login, people):
    login(people.admin)
    page = client.get("/admin/users?q=aga").get_data(as_text=True)
    assert "Aga Agent" in page and "Sue Supervisor" not in page
    page = client.get("/admin/users?q=sue%40example").get_data(as_text=True)
    assert "Sue Supervisor" in page and "Aga Agent" not in page
    page = client.get("/admin/users?role=proxy").get_data(as_text=True)
    assert "Pia Proxy" in page and "Aga Agent" not in page
    service.deactivate_user(people.admin, people.agent.uuid)
    page = client.get("/admin/users?state=deactivated").get_data(as_text=True)
    assert "Aga Agent" in page and "Sue Supervisor" not in page


def test_the_list_shows_the_last_sign_in(app, client, login, people):
    sign_in(app.test_client(), people.agent)
    login(people.admin)
    page = client.get("/admin/users?q=aga").get_data(as_text=True)
    assert "Never" not in page.split("Aga Agent", 1)[1].split("</tr>", 1)[0]
    page = client.get("/admin/users?q=pia").get_data(as_text=True)
    assert "Never" in page


@pytest.mark.parametrize("query", ["q=%25", "q=_", "role=owner&state=gone", "page=-3", "page=99999999999",
                                   "q=" + "x" * 5000, "q=%F0%9F%98%80"])
def test_odd_filters_never_fail(client, login, people, query):
    login(people.admin)
    assert client.get(f"/admin/users?{query}").status_code == 200


# --- role --------------------------------------------------------------------------------------------


def test_changing_a_role_is_audited_with_the_old_and_new_value(client, login, people):
    login(people.admin)
    response = post_form(client, page_of(people.agent) + "/role", {"role": "supervisor"}, page=page_of(people.agent))
    assert response.status_code == 302
    assert fresh(people.agent).role == "supervisor"
    assert changes_of(people.agent) == [("role_changed", "agent", "supervisor", people.admin.id)]


def test_a_customer_keeps_the_customer_role(client, login, people):
    login(people.admin)
    page = client.get(page_of(people.customer)).get_data(as_text=True)
    assert "Change the role" not in page
    post_form(client, page_of(people.customer) + "/role", {"role": "admin"}, page=page_of(people.customer))
    assert "Customers keep the customer role" in client.get(page_of(people.customer)).get_data(as_text=True)
    assert fresh(people.customer).role == "customer" and changes_of(people.customer) == []


@pytest.mark.parametrize("role", ["customer", "root", ""])
def test_an_unknown_role_is_refused_with_a_message(client, login, people, role):
    login(people.admin)
    response = post_form(client, page_of(people.agent) + "/role", {"role": role}, page=page_of(people.agent))
    assert response.status_code == 400 and "Choose one of" in response.get_data(as_text=True)
    assert fresh(people.agent).role == "agent" and changes_of(people.agent) == []


def test_a_proxy_leaves_the_workgroups_and_gives_the_open_cases_back(people):
    desk = factories.workgroup(people.agent, name="Desk")
    case = factories.case(people.customer, workgroup=desk, assignee=people.agent)
    service.change_role(people.admin, people.agent.uuid, "proxy")
    assert not WorkgroupMember.select().where(WorkgroupMember.user == people.agent).exists()
    assert Case.get_by_id(case.id).assignee_id is None
    assert [a for a, *_ in changes_of(people.agent)] == ["workgroups_changed", "role_changed"]


# --- workgroups -------------------------------------------------------------------------------------


def test_workgroups_are_set_exactly_and_audited(client, login, people):
    desk, billing = factories.workgroup(people.agent, name="Desk"), factories.workgroup(name="Billing")
    login(people.admin)
    response = post_form(client, page_of(people.agent) + "/workgroups", {"workgroups": [billing.uuid]},
                         page=page_of(people.agent))
    assert response.status_code == 302
    groups = {m.workgroup_id for m in WorkgroupMember.select().where(WorkgroupMember.user == people.agent)}
    assert groups == {billing.id}
    assert changes_of(people.agent) == [("workgroups_changed", ["Desk"], ["Billing"], people.admin.id)]
    assert desk.id not in groups


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_unknown_workgroups_are_refused(client, login, people, value):
    factories.workgroup(people.agent, name="Desk")
    login(people.admin)
    response = post_form(client, page_of(people.agent) + "/workgroups", {"workgroups": [value]},
                         page=page_of(people.agent))
    assert response.status_code == 400 and "Choose among the active workgroups" in response.get_data(as_text=True)
    assert WorkgroupMember.select().where(WorkgroupMember.user == people.agent).count() == 1
    assert changes_of(people.agent) == []


def test_a_deactivated_workgroup_is_not_offered_to_join(people):
    old = factories.workgroup(name="Old", active=False)
    with pytest.raises(Exception, match="Choose among"):
        service.set_workgroups(people.admin, people.agent.uuid, [old.uuid])


# --- deactivation -------------------------------------------------------------------------------------


def test_deactivation_signs_the_user_out_everywhere_at_once(app, client, login, people):
    agent_browser = app.test_client()
    sign_in(agent_browser, people.agent)
    assert agent_browser.get("/staff/").status_code == 200
    login(people.admin)
    response = post_form(client, page_of(people.agent) + "/deactivate", {}, page=page_of(people.agent))
    assert response.status_code == 302
    after = agent_browser.get("/staff/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    refused = post_form(app.test_client(), "/login", {"email": people.agent.email, "password": factories.PASSWORD})
    assert "deactivated" in refused.get_data(as_text=True)


def test_deactivation_keeps_the_cases_and_puts_open_ones_back_in_the_queue(people):
    desk = factories.workgroup(people.agent, name="Desk")
    open_case = factories.case(people.customer, workgroup=desk, assignee=people.agent)
    closed_case = factories.case(people.customer, workgroup=desk, assignee=people.agent, status="closed")

    released = service.deactivate_user(people.admin, people.agent.uuid)

    assert released == 1
    assert Case.get_by_id(open_case.id).assignee_id is None
    assert Case.get_by_id(open_case.id).workgroup_id == desk.id
    assert Case.get_by_id(closed_case.id).assignee_id == people.agent.id
    event = CaseEvent.select().where((CaseEvent.case == open_case) & (CaseEvent.kind == "assigned")).get()
    assert (event.actor_id, event.public) == (people.admin.id, False)
    assert event.data == {"from": "Aga Agent", "to": None, "reason": "deactivated"}
    assert not CaseEvent.select().where((CaseEvent.case == closed_case) & (CaseEvent.kind == "assigned")).exists()
    assert changes_of(people.agent) == [("deactivated", True, False, people.admin.id)]


def test_the_feed_shows_the_case_went_back_to_the_queue(client, login, people):
    desk = factories.workgroup(people.agent, people.supervisor, name="Desk")
    case = factories.case(people.customer, workgroup=desk, assignee=people.agent)
    service.deactivate_user(people.admin, people.agent.uuid)
    login(people.supervisor)
    page = " ".join(client.get(f"/cases/{case.reference}").get_data(as_text=True).split())
    assert "back to the queue (Aga Agent was deactivated)" in page


def test_admins_cannot_deactivate_themselves(client, login, people):
    factories.user(role="admin", email="second@example.com")
    login(people.admin)
    assert "Deactivate" not in client.get(page_of(people.admin)).get_data(as_text=True)
    post_form(client, page_of(people.admin) + "/deactivate", {}, page=page_of(people.admin))
    assert "cannot deactivate yourself" in client.get(page_of(people.admin)).get_data(as_text=True)
    assert fresh(people.admin).active


def test_reactivation_lets_the_user_sign_in_again(app, client, login, people):
    service.deactivate_user(people.admin, people.agent.uuid)
    login(people.admin)
    response = post_form(client, page_of(people.agent) + "/activate", {}, page=page_of(people.agent))
    assert response.status_code == 302 and fresh(people.agent).active
    sign_in(app.test_client(), people.agent)
    assert [a for a, *_ in changes_of(people.agent)] == ["deactivated", "reactivated"]


def test_deactivating_twice_is_refused_with_a_message(client, login, people):
    service.deactivate_user(people.admin, people.agent.uuid)
    login(people.admin)
    post_form(client, page_of(people.agent) + "/deactivate", {}, page=page_of(people.agent))
    assert "deactivated already" in client.get(page_of(people.agent)).get_data(as_text=True)
    assert len(changes_of(people.agent)) == 1


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor"])
def test_only_admins_change_people(people, role):
    actor = people.by_role(role)
    for call in (lambda: service.change_role(actor, people.agent.uuid, "admin"),
                 lambda: service.deactivate_user(actor, people.agent.uuid),
                 lambda: service.set_workgroups(actor, people.agent.uuid, [])):
        with pytest.raises(NotAllowed):
            call()
    assert fresh(people.agent).active and fresh(people.agent).role == "agent"


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/invite", "/admin/users/changes", "user"])
def test_the_people_pages_sit_under_people_in_the_navigation(client, login, people, path):
    login(people.admin)
    page = client.get(page_of(people.agent) if path == "user" else path).get_data(as_text=True)
    assert '<a href="/admin/users" aria-current="page">People</a>' in page
    assert page.count('aria-current="page"') == 1


def test_case_settings_pages_stay_under_case_settings(client, login, people):
    login(people.admin)
    assert '<a href="/admin/" aria-current="page">Case settings</a>' in client.get("/admin/statuses").get_data(
        as_text=True)


def test_deactivation_racing_a_reassignment_gives_the_case_back_once_or_not_at_all(people):
    from functools import partial

    from portal.staff.service.handling import assign_case
    from tests.people.threads import at_once

    desk = factories.workgroup(people.agent, people.supervisor, name="Desk")
    for _ in range(5):
        case = factories.case(people.customer, workgroup=desk, assignee=people.agent)
        User.update(active=True).where(User.id == people.agent.id).execute()
        seen = Case.get_by_id(case.id)
        results = at_once(partial(service.deactivate_user, people.admin, people.agent.uuid),
                          partial(assign_case, people.supervisor, seen, people.supervisor.uuid))
        assert not isinstance(results[0], Exception), results
        final = Case.get_by_id(case.id)
        moves = list(CaseEvent.select().where((CaseEvent.case == case) & (CaseEvent.kind == "assigned")))
        if isinstance(results[1], Exception):  # the deactivation came first: the case went back to the queue
            assert final.assignee_id is None and [m.data["to"] for m in moves] == [None]
        else:  # the supervisor took it first: the deactivation leaves it with them
            assert final.assignee_id == people.supervisor.id
            assert [m.data["to"] for m in moves] == ["Sue Supervisor"]


def test_sessions_ended_by_deactivation_stay_ended_after_reactivation(app, people):
    agent_browser = app.test_client()
    sign_in(agent_browser, people.agent)
    service.deactivate_user(people.admin, people.agent.uuid)
    service.reactivate_user(people.admin, people.agent.uuid)
    after = agent_browser.get("/staff/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
