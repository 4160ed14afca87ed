"""Workgroups: create, rename, unique names, members (staff only), deactivate; the queries cases will use."""

import pytest

from portal.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from portal.models.teams import Workgroup, WorkgroupMember
from portal.staff.queries import queue_workgroups
from portal.teams import queries
from portal.teams.service import (
    WorkgroupData,
    add_member,
    create_workgroup,
    remove_member,
    set_workgroup_active,
    update_workgroup,
)
from tests import factories
from tests.fixtures import post_form


@pytest.fixture
def desk(people):
    return create_workgroup(people.admin, WorkgroupData(name="Service desk", description="First line"))


def test_a_workgroup_is_created_with_a_tidy_name(people):
    workgroup = create_workgroup(people.admin, WorkgroupData(name="  Service   desk ", email="Desk@Example.com"))
    assert (workgroup.name, workgroup.email, workgroup.active) == ("Service desk", "desk@example.com", True)


@pytest.mark.parametrize("name", ["Service desk", "service DESK", " Service desk "])
def test_a_duplicate_name_is_refused_with_a_clear_message(people, desk, name):
    with pytest.raises(Conflict) as caught:
        create_workgroup(people.admin, WorkgroupData(name=name))
    assert caught.value.fields == {"name": "Another workgroup already has this name."}
    assert Workgroup.select().count() == 1


def test_renaming_onto_another_name_is_refused(people, desk):
    billing = create_workgroup(people.admin, WorkgroupData(name="Billing"))
    with pytest.raises(Conflict):
        update_workgroup(people.admin, billing.uuid, WorkgroupData(name="service desk"))
    renamed = update_workgroup(people.admin, billing.uuid, WorkgroupData(name="Billing and refunds"))
    assert renamed.name == "Billing and refunds"


def test_renaming_to_a_different_case_of_its_own_name_is_fine(people, desk):
    assert update_workgroup(people.admin, desk.uuid, WorkgroupData(name="SERVICE DESK")).name == "SERVICE DESK"


@pytest.mark.parametrize("data, field", [
    (WorkgroupData(name=""), "name"),
    (WorkgroupData(name="x" * 121), "name"),
    (WorkgroupData(name="Ok", email="nope"), "email"),
    (WorkgroupData(name="Ok", description="d" * 2001), "description"),
])
def test_bad_values_are_refused(people, data, field):
    with pytest.raises(ValidationFailed) as caught:
        create_workgroup(people.admin, data)
    assert field in caught.value.fields


def test_members_are_added_and_removed(people, desk):
    add_member(people.admin, desk.uuid, people.agent.uuid)
    add_member(people.admin, desk.uuid, people.supervisor.uuid)
    assert {u.email for u in queries.members_of(desk)} == {people.agent.email, people.supervisor.email}
    assert queue_workgroups(people.agent) == [desk]
    remove_member(people.admin, desk.uuid, people.agent.uuid)
    assert queue_workgroups(people.agent) == []


def test_adding_a_member_twice_is_refused(people, desk):
    add_member(people.admin, desk.uuid, people.agent.uuid)
    with pytest.raises(Conflict) as caught:
        add_member(people.admin, desk.uuid, people.agent.uuid)
    assert "already a member" in caught.value.fields["user"]


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_non_staff_cannot_be_members(people, desk, role):
    with pytest.raises(ValidationFailed) as caught:
        add_member(people.admin, desk.uuid, people.by_role(role).uuid)
    assert "Only active agents" in caught.value.fields["user"]
    assert WorkgroupMember.select().count() == 0


def test_a_deactivated_user_cannot_be_added(people, desk):
    gone = factories.user(role="agent", active=False)
    with pytest.raises(ValidationFailed):
        add_member(people.admin, desk.uuid, gone.uuid)


def test_removing_a_non_member_is_not_found(people, desk):
    with pytest.raises(NotFound):
        remove_member(people.admin, desk.uuid, people.agent.uuid)


def test_a_deactivated_workgroup_keeps_its_members_but_leaves_their_queues(people, desk):
    add_member(people.admin, desk.uuid, people.agent.uuid)
    set_workgroup_active(people.admin, desk.uuid, False)
    assert queue_workgroups(people.agent) == []
    assert [u.email for u in queries.members_of(desk)] == [people.agent.email]
    assert set_workgroup_active(people.admin, desk.uuid, True).active


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor"])
def test_only_admins_change_workgroups(people, desk, role):
    user = people.by_role(role)
    for call in (lambda: create_workgroup(user, WorkgroupData(name="Mine")),
                 lambda: update_workgroup(user, desk.uuid, WorkgroupData(name="Mine")),
                 lambda: set_workgroup_active(user, desk.uuid, False),
                 lambda: add_member(user, desk.uuid, people.agent.uuid),
                 lambda: remove_member(user, desk.uuid, people.agent.uuid)):
        with pytest.raises(NotAllowed):
            call()


def test_member_counts_come_in_one_query(people, desk):
    add_member(people.admin, desk.uuid, people.agent.uuid)
    create_workgroup(people.admin, WorkgroupData(name="Billing"))
    assert [(w.name, w.member_count) for w in queries.workgroups_with_member_counts()] == [
        ("Billing", 0), ("Service desk", 1)]


# --- through the pages -------------------------------------------------------------------------------


def test_admin_creates_a_workgroup_and_adds_a_member_on_the_pages(client, login, people):
    login(people.admin)
    response = post_form(client, "/admin/workgroups/new", {"name": "Escalations", "description": "Hard ones"})
    assert response.status_code == 302
    detail = response.headers["Location"]
    page = client.get(detail).get_data(as_text=True)
    assert "Sue Supervisor — sue@example.com (Supervisor)" in page
    assert "Cora Customer" not in page  # customers are never offered
    response = post_form(client, detail + "/members", {"user": people.supervisor.uuid}, page=detail)
    assert response.status_code == 302
    page = client.get(detail).get_data(as_text=True)
    assert "is now a member of Escalations" in page


def test_duplicate_name_on_the_page_gets_a_field_message(client, login, people, desk):
    login(people.admin)
    response = post_form(client, "/admin/workgroups/new", {"name": "SERVICE DESK"})
    assert response.status_code == 400
    assert "Another workgroup already has this name." in response.get_data(as_text=True)


def test_adding_a_customer_by_a_forged_post_is_refused_on_the_page(client, login, people, desk):
    login(people.admin)
    url = f"/admin/workgroups/{desk.uuid}/members"
    response = post_form(client, url, {"user": people.customer.uuid}, page=f"/admin/workgroups/{desk.uuid}")
    assert response.status_code == 400
    assert "Only active agents" in response.get_data(as_text=True)
    assert WorkgroupMember.select().count() == 0
