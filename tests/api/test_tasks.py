"""Tasks through the API: staff who handle a case list, add, change, complete and reopen its tasks
through the task panel's service; customers and staff of other workgroups cannot."""

from __future__ import annotations

import pytest

from portal.models.cases import CaseEvent
from portal.models.staff import CaseTask
from tests import factories
from tests.api.conftest import assert_error


@pytest.fixture
def setup(app, people):
    team = factories.workgroup(people.agent)
    case = factories.case(people.customer, workgroup=team)
    return case


def test_staff_add_and_list_tasks(app, api_as, people, setup):
    case = setup
    api = api_as(people.agent, ["tasks:read", "tasks:write"])
    created = api.post(f"/cases/{case.reference}/tasks",
                       {"title": "Call back", "assignee": people.agent.uuid, "due_date": "2026-12-24"})
    assert created.status_code == 201, created.get_data(as_text=True)
    task = created.get_json()
    assert task["case_reference"] == case.reference and task["status"] == "open"
    assert task["assignee"] == {"id": people.agent.uuid, "display_name": "Aga Agent"}
    assert task["due_date"] == "2026-12-24" and created.headers["ETag"]
    assert created.headers["Location"] == f"/api/v1/tasks/{task['id']}"
    listed = api.get(f"/cases/{case.reference}/tasks").get_json()
    assert [item["id"] for item in listed["items"]] == [task["id"]] and listed["next_cursor"] is None
    assert CaseEvent.select().where((CaseEvent.case == case) & (CaseEvent.kind == "task_added")).count() == 1


def test_the_task_list_pages_in_constant_queries(app, api_as, people, setup, sql_log):
    case = setup
    for number in range(5):
        CaseTask.create(case=case, title=f"Task {number}", assignee=people.agent if number % 2 else None)
    api = api_as(people.agent, ["tasks:read"])
    api.get("/me")
    seen, cursor, counts = [], None, []
    while True:
        with sql_log() as statements:
            page = api.get(f"/cases/{case.reference}/tasks",
                           query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}).get_json()
        counts.append(len(statements))
        seen += [item["title"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Task {n}" for n in range(5)]
    assert len(set(counts)) == 1, counts


def test_complete_reopen_and_change_a_task(app, api_as, people, setup):
    case = setup
    api = api_as(people.agent, ["tasks:read", "tasks:write"])
    task = api.post(f"/cases/{case.reference}/tasks", {"title": "Check meter"}).get_json()
    done = api.patch(f"/tasks/{task['id']}", {"status": "done"})
    assert done.status_code == 200 and done.get_json()["status"] == "done" and done.get_json()["completed_at"]
    assert_error(api.patch(f"/tasks/{task['id']}", {"status": "done"}), 409, "invalid_transition")
    reopened = api.patch(f"/tasks/{task['id']}", {"status": "open"})
    assert reopened.get_json()["status"] == "open"
    changed = api.patch(f"/tasks/{task['id']}", {"title": "Check the meter", "customer_visible": True})
    body = changed.get_json()
    assert body["title"] == "Check the meter" and body["customer_visible"] is True
    cleared = api.patch(f"/tasks/{task['id']}", {"assignee": people.agent.uuid, "due_date": "2027-01-02"})
    assert cleared.get_json()["assignee"]["id"] == people.agent.uuid
    cleared = api.patch(f"/tasks/{task['id']}", {"assignee": None, "due_date": None})
    assert cleared.get_json()["assignee"] is None and cleared.get_json()["due_date"] is None
    assert api.get(f"/tasks/{task['id']}").get_json()["title"] == "Check the meter"


def test_if_match_refuses_a_change_based_on_an_old_version(app, api_as, people, setup):
    case = setup
    api = api_as(people.agent, ["tasks:read", "tasks:write"])
    created = api.post(f"/cases/{case.reference}/tasks", {"title": "One"})
    old = created.headers["ETag"]
    task_id = created.get_json()["id"]
    moved = api.patch(f"/tasks/{task_id}", {"title": "Two"}, headers={"If-Match": old})
    assert moved.status_code == 200 and moved.headers["ETag"] != old
    assert_error(api.patch(f"/tasks/{task_id}", {"title": "Three"}, headers={"If-Match": old}), 412,
                 "precondition_failed")
    assert CaseTask.get(CaseTask.uuid == task_id).title == "Two"


def test_a_change_committed_after_the_read_is_not_overwritten(app, api_as, people, setup, monkeypatch):
    """Another system changes the task between the API reading it and writing: the If-Match claim,
    made inside the change's transaction, sees the new version and refuses (412), changing nothing."""
    from portal.api.resources import tasks as resource
    from portal.staff.service import tasks as service

    case = setup
    api = api_as(people.agent, ["tasks:read", "tasks:write"])
    created = api.post(f"/cases/{case.reference}/tasks", {"title": "One"})
    task_id, version = created.get_json()["id"], created.headers["ETag"]
    read = service.task_for_staff
    interfered = []

    def read_then_someone_else_writes(actor, uuid):
        task = read(actor, uuid)
        if not interfered:  # once: the other system's own change reads the task too
            interfered.append(True)
            service.update_task(people.agent, uuid, service.TaskData(
                title="Changed by the other system", assignee_uuid="", due_date=None, customer_visible=False))
        return task

    monkeypatch.setattr(resource.service, "task_for_staff", read_then_someone_else_writes)
    assert_error(api.patch(f"/tasks/{task_id}", {"title": "Mine"}, headers={"If-Match": version}), 412,
                 "precondition_failed")
    monkeypatch.undo()
    assert api.get(f"/tasks/{task_id}").get_json()["title"] == "Changed by the other system"



@pytest.mark.parametrize("body, status, code", [
    ({}, 422, "invalid"),
    ({"status": "done", "title": "x"}, 422, "invalid"),
    ({"status": "finished"}, 422, "invalid"),
    ({"status": None}, 422, "invalid"),
    ({"title": None}, 422, "invalid"),
    ({"title": ""}, 422, "invalid"),
    ({"title": "a\nb"}, 422, "invalid"),
    ({"assignee": "not-a-user"}, 422, "invalid"),
    ({"due_date": "tomorrow"}, 422, "invalid"),
    ({"title": "x" * 201}, 422, "invalid"),
])
def test_bad_task_changes_are_errors_not_crashes(app, api_as, people, setup, body, status, code):
    case = setup
    api = api_as(people.agent, ["tasks:read", "tasks:write"])
    task = api.post(f"/cases/{case.reference}/tasks", {"title": "Check"}).get_json()
    assert_error(api.patch(f"/tasks/{task['id']}", body), status, code)


def test_a_customer_cannot_see_or_add_tasks_even_on_their_own_case(app, api_as, people, setup):
    case = setup
    task = CaseTask.create(case=case, title="Internal")
    api = api_as(people.customer, ["tasks:read", "tasks:write"])
    assert_error(api.get(f"/cases/{case.reference}/tasks"), 403, "forbidden")
    assert_error(api.post(f"/cases/{case.reference}/tasks", {"title": "Mine"}), 403, "forbidden")
    assert_error(api.get(f"/tasks/{task.uuid}"), 404, "not_found")
    assert_error(api.patch(f"/tasks/{task.uuid}", {"status": "done"}), 404, "not_found")
    assert CaseTask.select().count() == 1


def test_staff_outside_the_case_find_nothing(app, api_as, people, setup):
    case = setup
    task = CaseTask.create(case=case, title="Internal")
    api = api_as(people.supervisor, ["tasks:read", "tasks:write"])  # not in the case's workgroup
    assert_error(api.get(f"/cases/{case.reference}/tasks"), 404, "not_found")
    assert_error(api.post(f"/cases/{case.reference}/tasks", {"title": "X"}), 404, "not_found")
    assert_error(api.get(f"/tasks/{task.uuid}"), 404, "not_found")
    assert_error(api.patch(f"/tasks/{task.uuid}", {"title": "Y"}), 404, "not_found")
    assert_error(api_as(people.agent).get("/cases/99999999/tasks"), 404, "not_found")
    assert_error(api_as(people.agent).get("/cases/%E2%80%8B/tasks"), 404, "not_found")


def test_tasks_need_their_scopes(app, api_as, people, setup):
    case = setup
    api = api_as(people.agent, ["cases:read"])
    assert_error(api.get(f"/cases/{case.reference}/tasks"), 403, "insufficient_scope")
    assert_error(api_as(people.agent, ["tasks:read"]).post(f"/cases/{case.reference}/tasks", {"title": "x"}),
                 403, "insufficient_scope")


def test_a_closed_case_takes_no_new_tasks(app, api_as, people):
    team = factories.workgroup(people.agent)
    case = factories.case(people.customer, workgroup=team, status="closed")
    api = api_as(people.agent, ["tasks:write"])
    assert_error(api.post(f"/cases/{case.reference}/tasks", {"title": "Too late"}), 409, "invalid_transition")
