"""Taking, assigning and moving cases: who may do it for which workgroup, what the feed records and
who is told (customers learn the team and the assignee's display name, nothing more)."""

import pytest

from notifier.models import Message
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.models.cases import CaseEvent
from portal.staff.service import handling
from tests import factories
from tests.fixtures import post_form, sign_in
from tests.staff.conftest import messages, reload


def _actor(people, teams, who):
    return {"agent in": people.agent, "agent not in": teams.expert, "supervisor of": people.supervisor,
            "supervisor not of": teams.expert_supervisor, "admin": people.admin}[who]


@pytest.mark.parametrize("who, outcome", [("agent in", None), ("agent not in", NotFound),
                                          ("supervisor of", None), ("supervisor not of", NotFound),
                                          ("admin", None)])
def test_who_may_take_a_case(people, teams, case, who, outcome):
    actor = _actor(people, teams, who)
    if outcome:
        with pytest.raises(outcome):
            handling.take_case(actor, case)
    else:
        handling.take_case(actor, case)
        assert reload(case).assignee_id == actor.id


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_customers_and_proxies_get_404_on_every_staff_post(client, people, case, role):
    sign_in(client, people.by_role(role))
    for action in ("take", "assign", "move", "priority", "escalate", "deescalate", "details", "customers",
                   "update", "contacts", "tasks"):
        response = client.post(f"/staff/cases/{case.reference}/{action}", data={})
        assert response.status_code in (400, 404), action  # 400: the CSRF check comes first
        token_page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
        from tests.fixtures import csrf_token_from

        response = client.post(f"/staff/cases/{case.reference}/{action}",
                               data={"csrf_token": csrf_token_from(token_page)})
        assert response.status_code == 404, action
    assert reload(case).assignee_id is None


@pytest.mark.parametrize("who, outcome", [("agent in", NotAllowed), ("agent not in", NotFound),
                                          ("supervisor of", None), ("supervisor not of", NotFound),
                                          ("admin", None)])
def test_who_may_assign_a_case_to_someone_else(people, teams, case, who, outcome):
    actor = _actor(people, teams, who)
    if outcome:
        with pytest.raises(outcome):
            handling.assign_case(actor, case, people.agent.uuid if actor != people.agent else people.supervisor.uuid)
    else:
        handling.assign_case(actor, case, people.agent.uuid)
        assert reload(case).assignee_id == people.agent.id


def test_an_agent_choosing_themselves_takes_the_case(people, teams, case):
    handling.assign_case(people.agent, case, people.agent.uuid)
    assert reload(case).assignee_id == people.agent.id


@pytest.mark.parametrize("target", ["outsider", "customer", "forged"])
def test_only_members_of_the_workgroup_can_be_assigned(people, teams, case, target):
    uuid = {"outsider": teams.expert.uuid, "customer": people.customer.uuid, "forged": "'; drop table--"}[target]
    with pytest.raises(ValidationFailed) as refused:
        handling.assign_case(people.supervisor, case, uuid)
    assert "assignee" in refused.value.fields
    assert reload(case).assignee_id is None


def test_assigning_records_the_change_and_tells_assignee_and_customer(app, people, teams, case):
    handling.assign_case(people.supervisor, case, people.agent.uuid)
    event = CaseEvent.get(CaseEvent.kind == "assigned")
    assert (event.actor_id, event.data, event.public) == (people.supervisor.id, {"from": None, "to": "Aga Agent"},
                                                          False)
    assert messages("case_assigned") == sorted([people.agent.email, people.customer.email])


def test_the_customer_is_told_the_team_and_the_assignee_name_only(app, people, teams, case, deliver):
    people.agent.phone = "+14155550199"
    people.agent.save()
    handling.assign_case(people.supervisor, case, people.agent.uuid)
    deliver()
    from tests.fixtures import captured_mail

    [mail] = captured_mail(people.customer.email)
    text = f"{mail.subject}\n{mail.text}\n{mail.html}"
    assert "Aga Agent of Service desk" in text
    assert people.agent.email not in text and "4155550199" not in text and "Sue Supervisor" not in text


def test_taking_a_case_tells_nobody_of_their_own_action_but_the_customer(app, people, teams, case):
    handling.take_case(people.agent, case)
    assert messages("case_assigned") == [people.customer.email]


def test_a_closed_case_cannot_be_taken(people, teams):
    closed = factories.case(people.customer, template=teams.template, workgroup=teams.desk, status="closed")
    with pytest.raises(InvalidTransition, match="Reopen it first"):
        handling.take_case(people.agent, closed)


@pytest.mark.parametrize("who, outcome", [("agent in", NotAllowed), ("supervisor of", NotAllowed),
                                          ("supervisor not of", NotFound), ("admin", None)])
def test_moving_to_a_workgroup_the_actor_does_not_supervise(people, teams, case, who, outcome):
    actor = _actor(people, teams, who)
    if outcome:
        with pytest.raises(outcome):
            handling.move_case(actor, case, teams.experts.uuid)
    else:
        handling.move_case(actor, case, teams.experts.uuid)
        assert reload(case).workgroup_id == teams.experts.id


def test_a_supervisor_moves_between_their_own_workgroups(people, teams, case):
    billing = factories.workgroup(people.supervisor, name="Billing")
    handling.move_case(people.supervisor, case, billing.uuid)
    assert reload(case).workgroup_id == billing.id


def test_moving_clears_an_assignee_who_is_not_a_member_there(people, teams, case):
    handling.take_case(people.agent, case)
    handling.move_case(people.admin, case, teams.experts.uuid)
    moved = reload(case)
    assert (moved.workgroup_id, moved.assignee_id) == (teams.experts.id, None)
    assert CaseEvent.get(CaseEvent.kind == "workgroup_changed").data["unassigned"] == "Aga Agent"


def test_moving_keeps_an_assignee_who_is_a_member_there(people, teams, case):
    both = factories.workgroup(people.agent, name="Second line")
    handling.take_case(people.agent, case)
    handling.move_case(people.admin, case, both.uuid)
    assert reload(case).assignee_id == people.agent.id


def test_the_take_button_posts_and_redirects_to_the_case(client, people, teams, case):
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{case.reference}/take", {}, page=f"/cases/{case.reference}")
    assert response.status_code == 302 and f"/cases/{case.reference}" in response.headers["Location"]
    assert reload(case).assignee_id == people.agent.id


def test_a_refused_assignment_shows_the_case_page_with_the_message(client, people, teams, case):
    sign_in(client, people.supervisor)
    response = post_form(client, f"/staff/cases/{case.reference}/assign", {"assign-assignee": teams.expert.uuid},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert "Eve Expert is not a member of Service desk" in response.get_data(as_text=True)
    assert Message.select().count() == 0


def test_the_supervisor_reassigns_from_the_drill_down_and_returns_there(client, people, teams, case):
    sign_in(client, people.supervisor)
    back = f"/staff/supervisor?workgroup={teams.desk.uuid}"
    response = post_form(client, f"/staff/cases/{case.reference}/assign?next={back}",
                         {"assign-assignee": people.agent.uuid}, page=back)
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    assert reload(case).assignee_id == people.agent.id
