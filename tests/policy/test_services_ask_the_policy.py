"""Every service asks portal.policy before it acts: for each case action, someone who may see the
case but not do it is refused (NotAllowed), someone who may not see it gets NotFound, and nothing is
written either way. Removing a service's policy call turns its row red."""

from __future__ import annotations

import pytest

from notifier.models import Message
from portal.case_config.service import system_status
from portal.cases.service import conversation, lifecycle
from portal.errors import NotAllowed, NotFound
from portal.models.cases import Case, CaseEvent
from portal.staff.service import contacts, details, handling, tasks


def _actions(world):
    customer = world.case.customer
    return {
        "take": lambda u, c: handling.take_case(u, c),
        "assign": lambda u, c: handling.assign_case(u, c, world.users["agent in the workgroup"].uuid),
        "move": lambda u, c: handling.move_case(u, c, world.billing.uuid),
        "priority": lambda u, c: handling.set_priority(u, c, "urgent"),
        "escalate": lambda u, c: handling.escalate_case(u, c, "Outage"),
        "details": lambda u, c: details.edit_case_details(u, c, {"title": "New title", "summary": c.summary}),
        "link customer": lambda u, c: contacts.link_customer(u, c, customer.uuid),
        "update all customers": lambda u, c: contacts.update_all_customers(u, c, "Hello all"),
        "log contact": lambda u, c: contacts.log_contact(u, c, channel="phone", direction="inbound",
                                                         summary="Called"),
        "add task": lambda u, c: tasks.create_task(u, c, tasks.TaskData(title="Call back")),
        "propose resolution": lambda u, c: lifecycle.propose_resolution(u, c, "Fixed"),
        "change status": lambda u, c: lifecycle.change_status(u, c, system_status("closed").uuid),
    }


STAFF_ACTIONS = ("take", "assign", "move", "priority", "escalate", "details", "link customer",
                 "update all customers", "log contact", "add task", "propose resolution", "change status")


def _nothing_written(before: int) -> None:
    assert CaseEvent.select().count() == before and Message.select().count() == 0


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_staff_actions_refuse_the_customer_side_and_hide_the_case_from_others(world, action):
    act = _actions(world)[action]
    before = CaseEvent.select().count()
    for who in ("own customer", "proxy (internal contact)"):
        with pytest.raises(NotAllowed, match="^Only the team handling a case can do that.$"):
            act(world.users[who], Case.get_by_id(world.case.id))
    for who in ("other customer", "other proxy", "agent elsewhere", "supervisor elsewhere"):
        with pytest.raises(NotFound):
            act(world.users[who], Case.get_by_id(world.case.id))
    _nothing_written(before)


def test_deescalating_asks_the_policy_too(world):
    Case.update(escalated=True).where(Case.id == world.case.id).execute()
    before = CaseEvent.select().count()
    with pytest.raises(NotAllowed):
        handling.deescalate_case(world.users["own customer"], Case.get_by_id(world.case.id))
    with pytest.raises(NotFound):
        handling.deescalate_case(world.users["agent elsewhere"], Case.get_by_id(world.case.id))
    _nothing_written(before)


def test_tasks_and_unlinking_ask_the_policy_too(world, people):
    task = tasks.create_task(people.admin, world.case, tasks.TaskData(title="Order a part"))
    before = CaseEvent.select().count()
    for who in ("own customer", "agent elsewhere"):
        with pytest.raises(NotFound):  # tasks are a staff tool: the customer side never learns of them
            tasks.set_task_done(world.users[who], task.uuid, True)
        with pytest.raises(NotFound):
            tasks.update_task(world.users[who], task.uuid, tasks.TaskData(title="Changed"))
    linked = world.case.customer_links.get().customer
    with pytest.raises(NotAllowed):
        contacts.unlink_customer(world.users["own customer"], world.case, linked.uuid)
    with pytest.raises(NotFound):
        contacts.unlink_customer(world.users["agent elsewhere"], world.case, linked.uuid)
    _nothing_written(before)


def test_only_the_customer_side_answers_a_resolution(world, people):
    lifecycle.propose_resolution(people.admin, world.case, "Fixed")
    before, told = CaseEvent.select().count(), Message.select().count()
    for who in sorted(world.users):
        case = Case.get_by_id(world.case.id)
        user = world.users[who]
        if who in ("other customer", "other proxy", "agent elsewhere", "supervisor elsewhere"):
            expected = NotFound
        elif who in ("own customer", "linked customer", "account manager", "proxy (internal contact)"):
            continue
        else:
            expected = NotAllowed
        with pytest.raises(expected):
            lifecycle.accept_resolution(user, case)
        with pytest.raises(expected):
            lifecycle.reject_resolution(user, case, "No")
    assert (CaseEvent.select().count(), Message.select().count()) == (before, told)


@pytest.mark.parametrize("action", ["comment", "close", "reopen"])
def test_those_who_may_not_see_a_case_cannot_comment_close_or_reopen_it(world, people, action):
    if action == "reopen":
        lifecycle.close_case(people.admin, world.case)
    act = {"comment": lambda u, c: conversation.add_comment(u, c, "Hi"),
           "close": lambda u, c: lifecycle.close_case(u, c),
           "reopen": lambda u, c: lifecycle.reopen_case(u, c)}[action]
    before, told = CaseEvent.select().count(), Message.select().count()
    for who in ("other customer", "other proxy", "agent elsewhere", "supervisor elsewhere"):
        with pytest.raises(NotFound):
            act(world.users[who], Case.get_by_id(world.case.id))
    assert (CaseEvent.select().count(), Message.select().count()) == (before, told)


def test_a_customer_cannot_write_an_internal_note(world):
    event = conversation.add_comment(world.users["own customer"], world.case, "Secret?", public=False)
    assert event.public and event.kind == "comment"
