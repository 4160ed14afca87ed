"""viewers_of_case answers can_view_case for many people at once, in at most two queries."""

import pytest

from portal.models.people import Customer
from portal.policy import can_view_case, viewers_of_case
from tests import factories


def more_people(world):
    """People the shared world lacks: inactive users, a colleague in the customer's account who does
    not manage it, and the manager of another account."""
    inactive_admin = factories.user(role="admin", email="gone-admin@example.com", active=False)
    inactive_agent = factories.user(role="agent", email="gone-agent@example.com", active=False)
    world.desk  # noqa: B018 - the inactive agent is in the case's workgroup
    from portal.models.teams import WorkgroupMember

    WorkgroupMember.create(workgroup=world.desk, user=inactive_agent)
    colleague = factories.user(role="customer", email="colleague@example.com")
    own_account = world.case.customer.account
    Customer.update(account=own_account).where(Customer.user == colleague).execute()
    other_manager = factories.user(role="customer", email="other-manager@example.com")
    Customer.update(account=factories.account(), is_account_manager=True).where(
        Customer.user == other_manager).execute()
    return [inactive_admin, inactive_agent, colleague, other_manager]


CASE_SHAPES = {
    "as filed": {},
    "unassigned": {"assignee": None},
    "in no workgroup": {"workgroup": None},
    "without internal contact": {"internal_contact": None},
}


@pytest.mark.parametrize("shape", list(CASE_SHAPES))
def test_it_agrees_with_can_view_case_for_everyone(world, sql_log, shape):
    users = [*world.users.values(), *more_people(world)]
    case = world.case
    for name, value in CASE_SHAPES[shape].items():
        setattr(case, name, value)
    case.save()
    expected = {user.id for user in users if can_view_case(user, case)}
    with sql_log() as statements:
        viewers = viewers_of_case(users, case)
    assert viewers == expected
    assert len(statements) <= 2


def test_nobody_costs_no_query(world, sql_log):
    with sql_log() as statements:
        assert viewers_of_case([None], world.case) == set()
    assert statements == []
