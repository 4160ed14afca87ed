"""The home lists (order, filters, constant query count) and the staff search (visibility and the
customer filter)."""

from portal.cases.service import conversation
from portal.cases.service.search_index import reindex_case
from portal.staff.service import contacts, handling
from tests import factories
from tests.fixtures import sign_in


def _case(people, teams, **values):
    created = factories.case(people.customer, template=teams.template, workgroup=teams.desk, **values)
    reindex_case(created.id)
    return created


def test_queues_are_sorted_by_priority_then_age(client, people, teams):
    import datetime

    old = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    low = _case(people, teams, title="Low one", priority="low", opened_at=old)
    urgent_new = _case(people, teams, title="Urgent new", priority="urgent")
    urgent_old = _case(people, teams, title="Urgent old", priority="urgent", opened_at=old)
    normal = _case(people, teams, title="Normal one")
    sign_in(client, people.agent)
    page = client.get("/staff/").get_data(as_text=True)
    positions = [page.index(c.reference) for c in (urgent_old, urgent_new, normal, low)]
    assert positions == sorted(positions)


def test_my_cases_hold_open_cases_assigned_to_me_only(client, people, teams):
    mine = _case(people, teams, title="Mine", assignee=people.agent)
    _case(people, teams, title="Closed mine", assignee=people.agent, status="closed")
    sign_in(client, people.agent)
    page = client.get("/staff/").get_data(as_text=True)
    section = page[page.index('id="my-cases"'):page.index('id="my-tasks"')]
    assert mine.reference in section and "Closed mine" not in page


def test_filters_narrow_the_lists(client, people, teams):
    _case(people, teams, title="Urgent thing", priority="urgent")
    _case(people, teams, title="Quiet thing", priority="low")
    sign_in(client, people.agent)
    page = client.get("/staff/?priority=urgent").get_data(as_text=True)
    assert "Urgent thing" in page and "Quiet thing" not in page


def test_admins_see_every_workgroups_queue_agents_only_theirs(client, people, teams):
    expert_case = factories.case(people.customer, template=teams.template, workgroup=teams.experts,
                                 title="Expert work")
    sign_in(client, people.agent)
    assert expert_case.reference not in client.get("/staff/").get_data(as_text=True)
    admin = client.application.test_client()
    sign_in(admin, people.admin)
    assert expert_case.reference in admin.get("/staff/").get_data(as_text=True)


def test_the_home_page_takes_the_same_number_of_queries_for_3_and_30_cases(client, people, teams, sql_log):
    from portal.staff.service import tasks

    sign_in(client, people.agent)

    def render():
        assert client.get("/staff/").status_code == 200

    def add(n):
        for i in range(n):
            created = _case(people, teams, title=f"Case {i}", assignee=people.agent if i % 2 else None,
                            priority=("low", "normal", "high", "urgent")[i % 4])
            if i % 3 == 0:
                tasks.create_task(people.supervisor, created, tasks.TaskData(title=f"Task {i}",
                                                                             assignee_uuid=people.agent.uuid))

    add(3)
    with sql_log() as few:
        render()
    add(27)
    with sql_log() as many:
        render()
    assert len(few) == len(many)


def test_search_finds_internal_notes_and_fields_for_staff(client, people, teams, case):
    conversation.add_comment(people.agent, case, "Suspect the fuser assembly", public=False)
    sign_in(client, people.agent)
    page = client.get("/staff/search?q=fuser").get_data(as_text=True)
    assert case.reference in page


def test_an_agent_never_finds_a_case_outside_their_workgroups_unless_assigned(client, people, teams):
    hidden = factories.case(people.customer, template=teams.template, workgroup=teams.experts, title="Zebra outage")
    reindex_case(hidden.id)
    sign_in(client, people.agent)
    assert hidden.reference not in client.get("/staff/search?q=zebra").get_data(as_text=True)
    hidden.assignee = people.agent
    hidden.save()
    assert hidden.reference in client.get("/staff/search?q=zebra").get_data(as_text=True)


def test_the_customer_filter_limits_results_to_that_customers_cases(client, people, teams):
    other = factories.customer(first_name="Omar", email="omar@example.com")
    theirs = factories.case(customer=other, template=teams.template, workgroup=teams.desk, title="Router down",
                            created_by=people.agent)
    reindex_case(theirs.id)
    mine = _case(people, teams, title="Router slow")
    sign_in(client, people.agent)
    both = client.get("/staff/search?q=router").get_data(as_text=True)
    assert theirs.reference in both and mine.reference in both
    only = client.get(f"/staff/search?q=router&customer={other.uuid}").get_data(as_text=True)
    assert theirs.reference in only and mine.reference not in only
    assert "Only cases of Omar" in only


def test_the_customer_filter_counts_linked_cases_too(client, people, teams):
    other = factories.customer(first_name="Omar", email="omar@example.com")
    linked = _case(people, teams, title="Shared printer")
    contacts.link_customer(people.agent, linked, other.uuid)
    sign_in(client, people.agent)
    assert linked.reference in client.get(f"/staff/search?customer={other.uuid}").get_data(as_text=True)


def test_results_are_sorted_by_last_update(client, people, teams):
    first = _case(people, teams, title="Toner issue one")
    second = _case(people, teams, title="Toner issue two")
    handling.set_priority(people.agent, first, "high")  # touches first: now the latest update
    sign_in(client, people.agent)
    page = client.get("/staff/search?q=toner").get_data(as_text=True)
    assert page.index(first.reference) < page.index(second.reference)
