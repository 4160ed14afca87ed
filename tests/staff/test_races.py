"""Staff actions sent several times at once, or conflicting ones: one lands, the others are refused
with a message saying who got there first, and nothing duplicates. Real threads with their own
connections, on SQLite and PostgreSQL; and two agents clicking "Take" over HTTP at the same moment."""

import threading

from portal.errors import Conflict
from portal.models.cases import Case, CaseCustomerLink, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseField, TemplateField
from portal.models.staff import CaseTask
from portal.models.teams import WorkgroupMember
from portal.staff.service import contacts, details, handling, tasks
from tests import factories
from tests.cases.racing import THREADS, assert_each_told_once, assert_one_winner, race, winners_and_losers
from tests.fixtures import csrf_token_from, sign_in


def fresh(case):
    return Case.get_by_id(case.id)


def events(kind):
    return CaseEvent.select().where(CaseEvent.kind == kind).count()


def by(actor, action, case):
    """A request by actor: it loads the case, then acts on what it loaded."""
    def request():
        loaded = fresh(case)
        return lambda: action(actor, loaded)
    return request


def same(actor, action, case):
    return [by(actor, action, case)] * THREADS


def test_agents_taking_one_case_at_once_leave_it_with_one_of_them(app, people, teams, case):
    agents = [people.agent] + [factories.user(role="agent", display_name=f"Agent {n}") for n in range(THREADS - 1)]
    for agent in agents[1:]:
        WorkgroupMember.create(workgroup=teams.desk, user=agent)
    outcomes = race(app, [by(agent, handling.take_case, case) for agent in agents])
    taken = fresh(case)
    winner = next(a for a in agents if a.id == taken.assignee_id)
    assert_one_winner(outcomes, f"The case was already taken by {winner.display_name} at")
    assert events("assigned") == 1
    assert_each_told_once("case_assigned")


def test_assigning_at_once_assigns_once(app, people, teams, case):
    outcomes = race(app, same(people.supervisor, lambda a, c: handling.assign_case(a, c, people.agent.uuid), case))
    assert_one_winner(outcomes, "The case was already assigned to Aga Agent by you at")
    assert events("assigned") == 1
    assert_each_told_once("case_assigned")


def test_moving_at_once_moves_once(app, people, teams, case):
    outcomes = race(app, same(people.admin, lambda a, c: handling.move_case(a, c, teams.experts.uuid), case))
    assert_one_winner(outcomes, "The case was already moved to Experts by you at")
    assert events("workgroup_changed") == 1


def test_escalating_at_once_escalates_once(app, people, teams, case):
    # An admin: the others' permission checks must not depend on who sees the case once it moved.
    outcomes = race(app, same(people.admin, lambda a, c: handling.escalate_case(a, c, "Outage"), case))
    assert_one_winner(outcomes, "The case was already escalated to Experts by you at")
    assert events("escalated") == 1
    assert_each_told_once("case_escalated")


def test_deescalating_at_once_deescalates_once(app, people, teams, case):
    handling.escalate_case(people.agent, fresh(case), "Outage")
    outcomes = race(app, same(people.admin, lambda a, c: handling.deescalate_case(a, c, "Fixed"), case))
    assert_one_winner(outcomes, "The case was already sent back to Service desk by you at")
    assert events("deescalated") == 1


def test_changing_the_priority_at_once_changes_it_once(app, people, teams, case):
    outcomes = race(app, same(people.agent, lambda a, c: handling.set_priority(a, c, "urgent"), case))
    assert_one_winner(outcomes, "The priority was already changed to Urgent by you at")
    assert events("priority_changed") == 1


def test_editing_the_details_at_once_edits_once(app, people, teams, case):
    edit = {"title": "Printer jams on tray 2", "summary": case.summary}
    outcomes = race(app, same(people.agent, lambda a, c: details.edit_case_details(a, c, edit), case))
    assert_one_winner(outcomes, "The details were already changed by you at")
    assert events("field_changed") == 1


def test_edits_of_one_custom_value_at_once_never_lose_one_silently(app, people, teams, case):
    field = CaseField.create(key="serial", label="Serial number", field_type="text")
    TemplateField.create(template=teams.template, field=field, position=1)
    CaseFieldValue.create(case=case, field=field, value="A-1")
    edits = [{"title": case.title, "summary": case.summary, "cf_serial": f"B-{n}"} for n in range(THREADS)]
    outcomes = race(app, [by(people.agent, lambda a, c, e=e: details.edit_case_details(a, c, e), case)
                          for e in edits])
    won, lost = winners_and_losers(outcomes)
    # Edits that overlapped: one landed, the others were refused. An edit that started after another
    # landed may land too, but then it records what it replaced: the feed is one unbroken chain.
    assert won and all("The details were already changed by you at" in exc.message for exc in lost)
    changes = [e.data["changes"] for e in CaseEvent.select().where(CaseEvent.kind == "field_changed")
               .order_by(CaseEvent.id)]
    assert len(changes) == len(won) and all(len(c) == 1 for c in changes)
    chain = ["A-1"] + [c[0]["new"] for c in changes]
    assert [c[0]["old"] for c in changes] == chain[:-1]
    [value] = CaseFieldValue.select().where(CaseFieldValue.field == field)
    assert value.value == chain[-1]


def test_marking_a_task_done_at_once_completes_it_once(app, people, teams, case):
    task = tasks.create_task(people.agent, fresh(case), tasks.TaskData(title="Order a fuser"))
    outcomes = race(app, same(people.agent, lambda a, c: tasks.set_task_done(a, task.uuid, True), case))
    assert_one_winner(outcomes, "The task was already marked done by you at")
    assert events("task_completed") == 1
    assert CaseTask.get_by_id(task.id).is_done


def test_linking_one_customer_at_once_links_once(app, people, teams, case):
    nina = factories.customer(first_name="Nina", last_name="Neighbour")
    outcomes = race(app, same(people.agent, lambda a, c: contacts.link_customer(a, c, nina.uuid), case))
    assert_one_winner(outcomes, "Nina Neighbour is already on this case: added by you at")
    assert events("customer_linked") == 1 and CaseCustomerLink.select().count() == 1


def test_unlinking_one_customer_at_once_unlinks_once(app, people, teams, case):
    nina = factories.customer(first_name="Nina", last_name="Neighbour")
    contacts.link_customer(people.agent, fresh(case), nina.uuid)
    outcomes = race(app, same(people.agent, lambda a, c: contacts.unlink_customer(a, c, nina.uuid), case))
    assert_one_winner(outcomes, "Nina Neighbour was already taken off the case by you at")
    assert events("customer_unlinked") == 1


def test_assigning_and_moving_at_once_does_only_one(app, people, teams, case):
    WorkgroupMember.create(workgroup=teams.experts, user=people.supervisor)  # sees the case wherever it goes
    assign = by(people.supervisor, lambda a, c: handling.assign_case(a, c, people.agent.uuid), case)
    move = by(people.admin, lambda a, c: handling.move_case(a, c, teams.experts.uuid), case)
    outcomes = race(app, [assign, move] * (THREADS // 2))
    won, lost = winners_and_losers(outcomes)
    assert len(won) == 1
    assert events("assigned") + events("workgroup_changed") == 1
    moved = events("workgroup_changed") == 1
    said = "The case was already moved to Experts" if moved else "The case was already assigned to Aga Agent"
    assert all(said in exc.message for exc in lost), [exc.message for exc in lost]
    assert (fresh(case).workgroup_id, fresh(case).assignee_id) == (
        (teams.experts.id, None) if moved else (teams.desk.id, people.agent.id))


def test_taking_while_escalated_away_takes_nothing(app, people, teams, case):
    WorkgroupMember.create(workgroup=teams.experts, user=people.agent)  # sees the case wherever it goes
    take = by(people.agent, handling.take_case, case)
    escalate = by(people.supervisor, lambda a, c: handling.escalate_case(a, c, "Outage"), case)
    outcomes = race(app, [take, escalate])
    won, lost = winners_and_losers(outcomes)
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], Conflict)
    assert events("assigned") + events("escalated") == 1


def test_two_agents_clicking_take_at_once_over_http(app, people, teams, case):
    clicks = 2
    second = factories.user(role="agent", display_name="Bo Agent", email="bo@example.com")
    WorkgroupMember.create(workgroup=teams.desk, user=second)
    page = f"/cases/{case.reference}"
    clients = []
    for agent in (people.agent, second):
        client = app.test_client()
        sign_in(client, agent)
        html = client.get(page).get_data(as_text=True)
        assert 'name="take-seen_assignee" type="hidden" value=""' in html
        clients.append((client, csrf_token_from(html)))
    start = threading.Barrier(clicks)
    responses = [None] * clicks

    def click(n):
        client, token = clients[n]
        start.wait(timeout=60)
        responses[n] = client.post(f"/staff/cases/{case.reference}/take",
                                   data={"csrf_token": token, "take-seen_assignee": ""})

    threads = [threading.Thread(target=click, args=(n,)) for n in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], codes
    winner = "Aga Agent" if fresh(case).assignee_id == people.agent.id else "Bo Agent"
    [refused] = [r for r in responses if r.status_code == 409]
    html = refused.get_data(as_text=True)
    assert 'class="flash flash-error"' in html and f"The case was already taken by {winner} at" in html
    assert events("assigned") == 1


def test_taking_from_a_page_that_showed_nobody_does_not_take_it_from_a_colleague(app, client, people, teams,
                                                                                  case):
    bo = factories.user(role="agent", display_name="Bo Agent", email="bo@example.com")
    WorkgroupMember.create(workgroup=teams.desk, user=bo)
    sign_in(client, people.agent)
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    handling.take_case(bo, fresh(case))  # while Aga's page still shows the case unassigned
    response = client.post(f"/staff/cases/{case.reference}/take",
                           data={"csrf_token": csrf_token_from(html), "take-seen_assignee": ""})
    assert response.status_code == 409
    assert "The case was already taken by Bo Agent at" in response.get_data(as_text=True)
    assert fresh(case).assignee_id == bo.id and events("assigned") == 1
