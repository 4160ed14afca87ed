"""The last active admin can't be demoted or deactivated: not alone, and not by two admins acting
on each other at the same moment (real threads, each with its own database connection)."""

from __future__ import annotations

from functools import partial

import pytest

from portal.errors import Conflict, DomainError
from portal.models.people import User
from portal.people import service
from tests import factories
from tests.fixtures import post_form
from tests.people.threads import at_once


def active_admins() -> int:
    return User.select().where((User.role == "admin") & User.active).count()


def test_the_only_admin_cannot_demote_themselves(client, login, people):
    login(people.admin)
    page = f"/admin/users/{people.admin.uuid}"
    post_form(client, page + "/role", {"role": "agent"}, page=page)
    assert "last active administrator" in client.get(page).get_data(as_text=True)
    assert User.get_by_id(people.admin.id).role == "admin"


def test_an_admin_may_step_down_while_another_remains(people):
    factories.user(role="admin", email="second@example.com")
    service.change_role(people.admin, people.admin.uuid, "supervisor")
    assert active_admins() == 1


def test_a_deactivated_admin_does_not_count(people):
    other = factories.user(role="admin", email="second@example.com")
    service.deactivate_user(people.admin, other.uuid)
    with pytest.raises(Conflict, match="last active administrator"):
        service.change_role(people.admin, people.admin.uuid, "agent")


@pytest.mark.parametrize("how", ["demote", "deactivate"])
def test_two_admins_acting_on_each_other_at_once_leave_one(people, how):
    other = factories.user(role="admin", email="second@example.com")
    for _ in range(10):
        first, second = User.get_by_id(people.admin.id), User.get_by_id(other.id)
        if how == "demote":
            calls = (partial(service.change_role, first, second.uuid, "agent"),
                     partial(service.change_role, second, first.uuid, "agent"))
        else:
            calls = (partial(service.deactivate_user, first, second.uuid),
                     partial(service.deactivate_user, second, first.uuid))
        results = at_once(*calls)
        assert active_admins() == 1, results
        assert sum(isinstance(result, DomainError) for result in results) == 1
        User.update(role="admin", active=True).where(User.id.in_([people.admin.id, other.id])).execute()
