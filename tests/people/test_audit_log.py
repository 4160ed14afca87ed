"""The audit log of people: every change, newest first, paginated; admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.clock import utcnow
from portal.models.people import UserChange
from portal.people.queries import AUDIT_PAGE_SIZE
from portal.people.service.audit import record

LOG = "/admin/users/changes"


def test_the_log_is_newest_first_and_paginated(client, login, people):
    start = utcnow() - timedelta(days=1)
    for n in range(AUDIT_PAGE_SIZE + 5):
        record(people.admin, people.agent, "role_changed", start + timedelta(minutes=n),
               old=f"old-{n:03d}", new=f"new-{n:03d}")
    login(people.admin)
    first = client.get(LOG).get_data(as_text=True)
    newest = AUDIT_PAGE_SIZE + 4
    assert first.index(f"new-{newest:03d}") < first.index(f"new-{newest - 1:03d}")
    assert "new-004" not in first
    second = client.get(f"{LOG}?page=2").get_data(as_text=True)
    assert "new-004" in second and "new-000" in second and f"new-{newest:03d}" not in second


def test_the_log_shows_who_changed_what_from_what_to_what(client, login, people):
    from portal.people import service

    service.change_role(people.admin, people.agent.uuid, "supervisor")
    login(people.admin)
    page = client.get(LOG).get_data(as_text=True)
    row = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Aga Agent" in row and "Role changed" in row and "Agent" in row and "Supervisor" in row
    assert "Ada Admin" in row
    assert UserChange.select().count() == 1


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor"])
def test_only_admins_read_the_log(client, login, people, role):
    login(people.by_role(role))
    assert client.get(LOG).status_code == 404
    assert client.get("/admin/users").status_code == 404
    assert client.get(f"/admin/users/{people.agent.uuid}").status_code == 404
