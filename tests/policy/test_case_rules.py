"""Who may do what to a case: every can_* rule of portal.policy over every relation to a case, with
real users, workgroups and files. Each row is what the issue and the README promise; removing or
loosening any rule turns at least one cell red."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from portal import policy
from portal.case_config.service import system_status
from portal.clock import utcnow
from portal.models.cases import Case
from tests.policy.conftest import RELATIONS

# Who stands where: the customer side sees and answers; the case's handlers (staff who see it) work it.
CUSTOMER_SIDE = {"own customer", "linked customer", "account manager", "proxy (internal contact)"}
HANDLERS = {"agent in the workgroup", "assigned agent (no member)", "supervisor of the workgroup", "admin"}
SEES = CUSTOMER_SIDE | HANDLERS
MEMBERS_AND_ADMIN = {"agent in the workgroup", "supervisor of the workgroup", "admin"}
SUPERVISES = {"supervisor of the workgroup", "admin"}


# Each row: the rule and what it is asked besides the user and the case.
ROWS = {
    "view": (policy.can_view_case, ()),
    "handle": (policy.can_handle_case, ()),
    "customer side": (policy.is_customer_side, ()),
    "see internal": (policy.can_see_internal, ()),
    "comment": (policy.can_comment, ()),
    "internal note": (policy.can_write_internal_note, ()),
    "download public file": (policy.can_download_file, ("public_file",)),
    "download internal file": (policy.can_download_file, ("internal_file",)),
    "close": (policy.can_close, ()),
    "answer resolution": (policy.can_answer_resolution, ()),
    "propose resolution": (policy.can_propose_resolution, ()),
    "change status": (policy.can_change_status, ()),
    "take": (policy.can_take, ()),
    "assign to others": (policy.can_assign, ()),
    "assign to themselves": (policy.can_assign, ("themselves",)),
    "move": (policy.can_move, ()),
    "move to Billing": (policy.can_move, ("billing",)),
    "move to Experts": (policy.can_move, ("experts",)),
    "escalate": (policy.can_escalate, ()),
    "de-escalate": (policy.can_deescalate, ()),
    "set priority": (policy.can_set_priority, ()),
    "edit details": (policy.can_edit_details, ()),
    "manage tasks": (policy.can_manage_tasks, ()),
    "link customers": (policy.can_link_customers, ()),
    "update all customers": (policy.can_update_all_customers, ()),
    "log contact": (policy.can_log_contact, ()),
    "read its messages": (policy.can_read_case_messages, ()),
}


def ask(world, row: str, user) -> bool:
    rule, extra = ROWS[row]
    values = {"public_file": world.public_file, "internal_file": world.internal_file, "themselves": user,
              "billing": world.billing.id, "experts": world.experts.id}
    return rule(user, world.case, *(values[name] for name in extra))


# For each rule, exactly the relations it allows.
ALLOWED = {
    "view": SEES,
    "handle": HANDLERS,
    "customer side": CUSTOMER_SIDE,
    "see internal": HANDLERS,
    "comment": SEES,
    "internal note": HANDLERS,
    "download public file": SEES,
    "download internal file": HANDLERS,
    "close": SEES,
    "answer resolution": CUSTOMER_SIDE,
    "propose resolution": HANDLERS,
    "change status": HANDLERS,
    "take": MEMBERS_AND_ADMIN,
    "assign to others": SUPERVISES,
    "assign to themselves": MEMBERS_AND_ADMIN,
    "move": SUPERVISES,
    "move to Billing": SUPERVISES,
    "move to Experts": {"admin"},
    "escalate": HANDLERS,
    "de-escalate": HANDLERS,
    "set priority": HANDLERS,
    "edit details": HANDLERS,
    "manage tasks": HANDLERS,
    "link customers": HANDLERS,
    "update all customers": HANDLERS,
    "log contact": HANDLERS,
    "read its messages": HANDLERS,
}


@pytest.mark.parametrize("row", ROWS)
def test_permission_matrix(world, row):
    """One rule over every relation (one world per rule: building it is the slow part)."""
    answers = {who: ask(world, row, world.users[who]) for who in RELATIONS}
    assert all(isinstance(answer, bool) for answer in answers.values())
    assert {who for who, answer in answers.items() if answer} == ALLOWED[row]


def test_every_case_rule_has_a_row_and_is_offered_to_the_pages():
    """A new rule about a case (can_<verb>(user, case, ...)) must get a row here and be a template global."""
    case_rules = {
        rule for name, rule in vars(policy).items()
        if name.startswith("can_") and callable(rule)
        and list(inspect.signature(rule).parameters)[:2] == ["user", "case"]
    }
    assert case_rules - {policy.can_reopen} == {rule for rule, _ in ROWS.values()} - {policy.is_customer_side}
    assert case_rules <= set(policy.CASE_RULES)
    assert set(ALLOWED) == set(ROWS)


@pytest.mark.parametrize("rule", ["comment", "close", "take", "see internal", "download public file"])
def test_a_deactivated_user_may_do_nothing(world, rule):
    for who in ("own customer", "admin", "supervisor of the workgroup"):
        user = world.users[who]
        user.active = False
        assert ask(world, rule, user) is False, who


def test_nobody_signed_in_may_do_anything(world):
    assert not any(ask(world, row, None) for row in ROWS)


def _closed(world, days_ago: float) -> Case:
    closed_at = utcnow() - timedelta(days=days_ago)
    Case.update(status=system_status("closed"), last_closed_at=closed_at).where(Case.id == world.case.id).execute()
    return Case.get_by_id(world.case.id)


def test_reopening_within_the_window(app, world):
    case = _closed(world, app.config["REOPEN_DAYS"] - 1)
    assert {who for who in RELATIONS if policy.can_reopen(world.users[who], case)} == SEES


def test_after_the_window_only_staff_may_reopen(app, world):
    case = _closed(world, app.config["REOPEN_DAYS"] + 1)
    assert {who for who in RELATIONS if policy.can_reopen(world.users[who], case)} == HANDLERS


def test_the_window_ends_exactly_reopen_days_after_closing(app, world):
    case = _closed(world, 0)
    deadline = case.last_closed_at + timedelta(days=app.config["REOPEN_DAYS"])
    assert policy.reopen_deadline(case) == deadline
    customer = world.users["own customer"]
    assert policy.can_reopen(customer, case, now=deadline)
    assert not policy.can_reopen(customer, case, now=deadline + timedelta(seconds=1))


def test_an_open_case_is_not_reopened(world):
    assert not policy.can_reopen(world.users["admin"], world.case)
    assert policy.reopen_deadline(world.case) is None


def test_a_file_of_another_case_is_never_downloadable_through_this_one(world, people):
    from tests import factories

    other = factories.case(people.customer, workgroup=world.desk)
    assert not policy.can_download_file(world.users["admin"], other, world.public_file)
    assert not policy.can_download_file(world.users["admin"], world.case, None)


# --- a supervisor who sees a case without supervising its workgroup --------------------------------
#
# Sue supervises the service desk; the case sits with the desk. Esther leads the experts and sees the
# case only because it is assigned to her (she is not a member of the desk). The supervisor checks
# are what keep her from reassigning or moving it: visibility alone would let her.


@pytest.fixture
def lead_as_assignee(world):
    lead = world.users["supervisor elsewhere"]
    Case.update(assignee=lead).where(Case.id == world.case.id).execute()
    return lead, Case.get_by_id(world.case.id)


def test_a_supervisor_who_only_handles_the_case_may_not_assign_it_to_others(world, lead_as_assignee):
    from portal.errors import NotAllowed
    from portal.models.cases import CaseEvent
    from portal.staff.service import handling

    lead, case = lead_as_assignee
    assert policy.can_view_case(lead, case) and not policy.can_assign(lead, case)
    with pytest.raises(NotAllowed, match="Only supervisors of the case's workgroup can assign it"):
        handling.assign_case(lead, case, world.users["agent in the workgroup"].uuid)
    with pytest.raises(NotAllowed):
        handling.assign_case(lead, case, "")  # back to the queue is assigning too
    assert Case.get_by_id(case.id).assignee_id == lead.id
    assert not CaseEvent.select().where(CaseEvent.kind == "assigned").exists()


def test_a_supervisor_may_not_move_a_case_out_of_a_workgroup_they_do_not_supervise(world, lead_as_assignee):
    from portal.errors import NotAllowed
    from portal.staff.service import handling

    lead, case = lead_as_assignee
    assert not policy.can_move(lead, case, world.experts.id)  # although they supervise the experts
    with pytest.raises(NotAllowed, match="only between their own workgroups"):
        handling.move_case(lead, case, world.experts.uuid)
    assert Case.get_by_id(case.id).workgroup_id == world.desk.id


def test_the_case_page_offers_such_a_supervisor_neither_assign_nor_move(client, world, lead_as_assignee):
    from tests.fixtures import sign_in

    lead, case = lead_as_assignee
    sign_in(client, lead)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert f"/staff/cases/{case.reference}/priority" in page  # they do handle it
    assert f"/staff/cases/{case.reference}/assign" not in page
    assert f"/staff/cases/{case.reference}/move" not in page
