"""Linked customers and the update to all of them, the contact log, and tasks with their next steps."""

import datetime

import pytest

from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.models.cases import CaseCustomerLink, CaseEvent
from portal.models.staff import CaseTask
from portal.staff.service import contacts, tasks
from tests import factories
from tests.fixtures import captured_mail, post_form, sign_in
from tests.staff.conftest import messages, reload


@pytest.fixture
def neighbour():
    return factories.customer(first_name="Nina", last_name="Neighbour", email="nina@example.com",
                              phone="+14155550123")


def test_staff_link_a_customer_found_by_phone_from_the_case_page(client, people, teams, case, neighbour):
    sign_in(client, people.agent)
    page = client.get(f"/cases/{case.reference}?link_q=%2B1+415+555+0123").get_data(as_text=True)
    assert "Nina Neighbour" in page
    response = post_form(client, f"/staff/cases/{case.reference}/customers", {"link-customer": neighbour.uuid},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302
    assert CaseCustomerLink.get().customer_id == neighbour.id
    assert CaseEvent.get(CaseEvent.kind == "customer_linked").data["customer"] == "Nina Neighbour"


@pytest.mark.parametrize("who", ["primary", "linked"])
def test_a_customer_already_on_the_case_is_refused_with_a_message(client, people, teams, case, neighbour, who):
    if who == "linked":
        contacts.link_customer(people.agent, case, neighbour.uuid)
    target = neighbour if who == "linked" else case.customer
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{case.reference}/customers", {"link-customer": target.uuid},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 409
    assert f"{target.full_name} is already on this case" in response.get_data(as_text=True)


@pytest.mark.parametrize("forged", ["", "not-a-uuid", "00000000-0000-4000-8000-000000000000", "x" * 5000])
def test_forged_customer_ids_get_a_message(people, teams, case, forged):
    with pytest.raises(ValidationFailed):
        contacts.link_customer(people.agent, case, forged)


def test_unlinking_takes_the_customer_off(people, teams, case, neighbour):
    contacts.link_customer(people.agent, case, neighbour.uuid)
    contacts.unlink_customer(people.agent, case, neighbour.uuid)
    assert CaseCustomerLink.select().count() == 0
    with pytest.raises(Conflict):
        contacts.link_customer(people.agent, case, case.customer.uuid)


def test_one_update_reaches_the_primary_and_every_linked_customer(app, people, teams, case, neighbour, deliver):
    other = factories.customer(first_name="Omar", email="omar@example.com")
    contacts.link_customer(people.agent, case, neighbour.uuid)
    contacts.link_customer(people.agent, case, other.uuid)
    contacts.update_all_customers(people.agent, reload(case), "The engineer comes on Monday.")
    assert messages("case_replied") == sorted([people.customer.email, neighbour.email, other.email])
    deliver()
    for address in (people.customer.email, neighbour.email, other.email):
        [mail] = captured_mail(address)
        assert "The engineer comes on Monday." in mail.text


def test_the_update_form_posts_a_public_reply(client, people, teams, case):
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{case.reference}/update", {"update-body": "On its way."},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 302
    event = CaseEvent.get(CaseEvent.kind == "comment")
    assert (event.body, event.public) == ("On its way.", True)


def test_a_contact_is_logged_for_staff_only(client, app, people, teams, case):
    contacts.log_contact(people.agent, case, channel="phone", direction="inbound", summary="Asked for an update.")
    event = CaseEvent.get(CaseEvent.kind == "contact_logged")
    assert (event.public, event.data["channel"], event.data["direction"]) == (False, "Phone", "inbound")
    sign_in(client, people.customer)
    assert "Asked for an update." not in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    staff = app.test_client()
    sign_in(staff, people.agent)
    page = staff.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Asked for an update." in page and "logged a contact" in page


@pytest.mark.parametrize("data, field", [
    ({"contact-channel": "pigeon", "contact-direction": "inbound", "contact-summary": "x"}, "Channel"),
    ({"contact-channel": "phone", "contact-direction": "sideways", "contact-summary": "x"}, "Direction"),
    ({"contact-channel": "phone", "contact-direction": "inbound", "contact-summary": ""}, "Summary"),
    ({"contact-channel": "phone", "contact-direction": "inbound", "contact-summary": "x",
      "contact-contacted_at": "2999-01-01T10:00"}, "When"),
    ({"contact-channel": "phone", "contact-direction": "inbound", "contact-summary": "x",
      "contact-contacted_at": "yesterday"}, "When"),
    ({"contact-channel": "phone", "contact-direction": "inbound", "contact-summary": "x" * 6000}, "Summary"),
])
def test_bad_contact_entries_get_a_message_and_save_nothing(client, people, teams, case, data, field):
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{case.reference}/contacts", data, page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)
    assert not CaseEvent.select().where(CaseEvent.kind == "contact_logged").exists()


def test_a_task_with_an_assignee_tells_them(app, people, teams, case):
    task = tasks.create_task(people.supervisor, case, tasks.TaskData(
        title="Call back about the part", assignee_uuid=people.agent.uuid, due_date=datetime.date(2030, 3, 12)))
    assert (task.status, task.assignee_id) == ("open", people.agent.id)
    assert messages("task_assigned") == [people.agent.email]
    message = __import__("notifier.models", fromlist=["Message"]).Message.get()
    assert message.context["task_title"] == "Call back about the part"
    assert message.context["due_date"] == "Mar 12, 2030"  # a day in the assignee's language (en)


def test_nobody_is_told_of_a_task_they_give_themselves(app, people, teams, case):
    tasks.create_task(people.agent, case, tasks.TaskData(title="Check logs", assignee_uuid=people.agent.uuid))
    assert messages("task_assigned") == []


def test_a_task_cannot_go_to_someone_outside_the_case(people, teams, case):
    with pytest.raises(ValidationFailed) as refused:
        tasks.create_task(people.supervisor, case, tasks.TaskData(title="x", assignee_uuid=teams.expert.uuid))
    assert "assignee" in refused.value.fields


def test_tasks_are_edited_completed_and_reopened(people, teams, case):
    task = tasks.create_task(people.agent, case, tasks.TaskData(title="Order part"))
    tasks.update_task(people.agent, task.uuid, tasks.TaskData(title="Order fuser unit", customer_visible=True))
    tasks.set_task_done(people.agent, task.uuid, True)
    with pytest.raises(InvalidTransition):
        tasks.set_task_done(people.agent, task.uuid, True)
    tasks.set_task_done(people.agent, task.uuid, False)
    assert [e.kind for e in CaseEvent.select().where(CaseEvent.kind.startswith("task_")).order_by(CaseEvent.id)] == [
        "task_added", "task_updated", "task_completed", "task_reopened"]
    assert CaseTask.get_by_id(task.id).title == "Order fuser unit"


def test_customer_visible_tasks_show_as_next_steps_and_hidden_ones_never(client, people, teams, case):
    tasks.create_task(people.agent, case, tasks.TaskData(title="We send a replacement", customer_visible=True))
    tasks.create_task(people.agent, case, tasks.TaskData(title="Check warranty fraud flag"))
    sign_in(client, people.customer)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Next steps" in page and "We send a replacement" in page
    assert "Check warranty fraud flag" not in page


def test_my_tasks_appear_on_the_agent_home(client, people, teams, case):
    tasks.create_task(people.supervisor, case,
                      tasks.TaskData(title="Call the customer", assignee_uuid=people.agent.uuid))
    sign_in(client, people.agent)
    assert "Call the customer" in client.get("/staff/").get_data(as_text=True)


@pytest.mark.parametrize("data", [{"task-title": ""}, {"task-title": "x" * 300},
                                  {"task-title": "ok", "task-due_date": "31/02/2030"},
                                  {"task-title": "ok", "task-assignee": "forged"}])
def test_bad_task_input_gets_a_message_not_a_500(client, people, teams, case, data):
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/cases/{case.reference}/tasks", data, page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert CaseTask.select().count() == 0


def test_task_pages_of_invisible_cases_answer_404(client, people, teams, case):
    task = tasks.create_task(people.agent, case, tasks.TaskData(title="Secret"))
    sign_in(client, teams.expert)
    assert client.get(f"/staff/tasks/{task.uuid}/edit").status_code == 404
    assert client.get("/staff/tasks/not-a-uuid/edit").status_code == 404


def test_the_task_edit_page_saves(client, people, teams, case):
    task = tasks.create_task(people.agent, case, tasks.TaskData(title="Draft"))
    sign_in(client, people.agent)
    response = post_form(client, f"/staff/tasks/{task.uuid}/edit", {"task-title": "Final", "task-assignee": ""})
    assert response.status_code == 302
    assert CaseTask.get_by_id(task.id).title == "Final"
