"""Escalation routing, priority and detail edits with old → new values in the feed, and closed cases
refusing edits."""

import pytest

from portal.errors import InvalidTransition, ValidationFailed
from portal.models.cases import CaseEvent, CaseFieldValue
from portal.models.configuration import CaseField, FieldOption, TemplateField
from portal.staff.service import details, handling
from tests import factories
from tests.fixtures import post_form, sign_in
from tests.staff.conftest import messages, reload


def test_escalating_moves_the_case_to_the_escalation_workgroup_and_tells_it(app, people, teams, case):
    handling.escalate_case(people.agent, case, "Third outage this month.")
    escalated = reload(case)
    assert (escalated.workgroup_id, escalated.escalated) == (teams.experts.id, True)
    event = CaseEvent.get(CaseEvent.kind == "escalated")
    assert (event.body, event.data["from"], event.data["to"], event.public) == (
        "Third outage this month.", "Service desk", "Experts", False)
    assert messages("case_escalated") == sorted([teams.expert.email, teams.expert_supervisor.email])


def test_escalating_keeps_the_assignee_only_if_a_member_there(people, teams, case):
    handling.take_case(people.agent, case)
    handling.escalate_case(people.agent, case, "Needs an engineer.")
    assert reload(case).assignee_id is None


def test_escalation_needs_a_reason(people, teams, case):
    with pytest.raises(ValidationFailed) as refused:
        handling.escalate_case(people.agent, case, "   ")
    assert refused.value.fields == {"reason": "Say why the case needs escalating."}
    assert reload(case).escalated is False


def test_a_case_type_without_escalation_workgroup_cannot_escalate(people, teams, case):
    teams.template.escalation_workgroup = None
    teams.template.save()
    with pytest.raises(InvalidTransition, match="no escalation workgroup"):
        handling.escalate_case(people.agent, reload(case), "Please")


def test_deescalating_returns_the_case_to_the_default_workgroup(app, people, teams, case):
    handling.escalate_case(people.agent, case, "Needs an engineer.")
    handling.deescalate_case(teams.expert, reload(case), "Fixed the root cause; desk can close.")
    back = reload(case)
    assert (back.workgroup_id, back.escalated) == (teams.desk.id, False)
    assert [e.kind for e in CaseEvent.select().order_by(CaseEvent.id)][-2:] == ["escalated", "deescalated"]


def test_an_agent_who_escalates_away_lands_on_the_workspace(client, people, teams, case):
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{case.reference}/escalate", {"escalate-reason": "Too hard"},
                         page=f"/cases/{case.reference}", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == "/staff/"
    assert "is no longer one you can see" in response.get_data(as_text=True)


def test_priority_changes_are_recorded_with_old_and_new(people, teams, case):
    handling.set_priority(people.agent, case, "urgent")
    assert reload(case).priority == "urgent"
    assert CaseEvent.get(CaseEvent.kind == "priority_changed").data == {"from": "Normal", "to": "Urgent"}


@pytest.mark.parametrize("priority", ["critical", "", "URGENT", "x" * 500])
def test_a_wrong_priority_gets_a_message_not_a_500(client, people, teams, case, priority):
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{case.reference}/priority", {"priority-priority": priority},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert "Choose a priority from the list." in response.get_data(as_text=True)
    assert reload(case).priority == "normal"


@pytest.fixture
def colour_field(teams):
    field = CaseField.create(key="colour", label="Colour", field_type="select")
    FieldOption.create(field=field, label="Red", value="red")
    FieldOption.create(field=field, label="Blue", value="blue")
    TemplateField.create(template=teams.template, field=field, position=1)
    return field


def _details(case, **changes):
    data = {"title": case.title, "summary": case.summary, "reason": ""}
    data.update(changes)
    return data


def test_field_edits_are_validated_and_recorded_as_displayed_old_and_new(people, teams, case, colour_field):
    CaseFieldValue.create(case=case, field=colour_field, value="red")
    details.edit_case_details(people.agent, case, _details(case, title="Printer jams daily", cf_colour="blue"))
    event = CaseEvent.get(CaseEvent.kind == "field_changed")
    assert event.data["changes"] == [
        {"field": "Title", "key": "title", "old": "Printer jams", "new": "Printer jams daily"},
        {"field": "Colour", "key": colour_field.key, "old": "Red", "new": "Blue"}]
    assert CaseFieldValue.get(CaseFieldValue.case == case).value == "blue"


def test_the_feed_shows_field_changes_as_old_arrow_new(client, people, teams, case, colour_field):
    details.edit_case_details(people.agent, case, _details(case, title="Printer jams daily", cf_colour="red"))
    sign_in(client, people.agent)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Printer jams</span> → <span class=\"new-value\">Printer jams daily" in page
    assert "Colour:</strong> <span class=\"old-value\">(empty)</span> → <span class=\"new-value\">Red" in page


def test_a_retired_option_the_case_holds_stays_allowed(people, teams, case, colour_field):
    CaseFieldValue.create(case=case, field=colour_field, value="red")
    FieldOption.update(active=False).where(FieldOption.value == "red").execute()
    details.edit_case_details(people.agent, case, _details(case, title="Still red", cf_colour="red"))
    assert CaseFieldValue.get(CaseFieldValue.case == case).value == "red"


def test_an_unknown_option_is_refused_by_the_form_builder(client, people, teams, case, colour_field):
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{case.reference}/details",
                         _details(case, cf_colour="green", title="x" * 300), page=f"/cases/{case.reference}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Use at most 200 characters" in text
    assert not CaseEvent.select().where(CaseEvent.kind == "field_changed").exists()


def test_saving_without_changes_says_so(people, teams, case):
    with pytest.raises(InvalidTransition, match="Nothing was changed"):
        details.edit_case_details(people.agent, case, _details(case))


@pytest.mark.parametrize("edit", [
    lambda p, c: handling.set_priority(p.agent, c, "high"),
    lambda p, c: details.edit_case_details(p.agent, c, {"title": "New", "summary": "New"}),
    lambda p, c: handling.escalate_case(p.agent, c, "why"),
    lambda p, c: handling.assign_case(p.supervisor, c, p.agent.uuid),
])
def test_a_closed_case_refuses_edits_until_reopened(people, teams, edit):
    closed = factories.case(people.customer, template=teams.template, workgroup=teams.desk, status="closed")
    with pytest.raises(InvalidTransition, match="Reopen it first"):
        edit(people, closed)


def test_the_closed_refusal_shows_on_the_case_page(client, people, teams):
    closed = factories.case(people.customer, template=teams.template, workgroup=teams.desk, status="closed")
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{closed.reference}/priority", {"priority-priority": "high"},
                         page=f"/cases/{closed.reference}")
    assert response.status_code == 409
    assert "This case is closed. Reopen it first." in response.get_data(as_text=True)
