"""The case page shows each control exactly to those the policy allows: the page asks the same rules
the services apply, so nobody sees a button that would only be refused, and nobody misses one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.case_config.service import system_status
from portal.cases.service import lifecycle
from portal.clock import utcnow
from portal.models.cases import Case
from tests.fixtures import sign_in
from tests.policy.conftest import RELATIONS


def controls(reference: str) -> dict[str, str]:
    """Each control and the bit of HTML that shows it."""
    return {
        "comment": f'action="/cases/{reference}/comments"',
        "internal note": 'name="visibility"',
        "staff facts": "<dt>Priority</dt>",
        "propose resolution": f'action="/cases/{reference}/resolution"',
        "change status": f'action="/cases/{reference}/status"',
        "close": f'action="/cases/{reference}/close"',
        "take": f'action="/staff/cases/{reference}/take"',
        "assign": f'action="/staff/cases/{reference}/assign"',
        "move": f'action="/staff/cases/{reference}/move"',
        "priority": f'action="/staff/cases/{reference}/priority"',
        "escalate": f'action="/staff/cases/{reference}/escalate"',
        "edit details": f'action="/staff/cases/{reference}/details"',
        "update all customers": f'action="/staff/cases/{reference}/update"',
        "log contact": f'action="/staff/cases/{reference}/contacts"',
        "add task": f'action="/staff/cases/{reference}/tasks"',
    }


CUSTOMER_SIDE = {"comment", "close"}
HANDLER = CUSTOMER_SIDE | {"internal note", "staff facts", "propose resolution", "change status", "priority",
                           "escalate", "edit details", "update all customers", "log contact", "add task"}
EXPECTED = {
    "own customer": CUSTOMER_SIDE,
    "linked customer": CUSTOMER_SIDE,
    "account manager": CUSTOMER_SIDE,
    "proxy (internal contact)": CUSTOMER_SIDE,
    "agent in the workgroup": HANDLER | {"take"},
    "assigned agent (no member)": HANDLER,  # handles it, but neither takes (not a member) nor assigns
    "supervisor of the workgroup": HANDLER | {"take", "assign", "move"},  # moves it to Billing, which they lead
    "admin": HANDLER | {"take", "assign", "move"},
}


@pytest.mark.parametrize("who", RELATIONS)
def test_each_relation_sees_exactly_its_controls(client, world, who):
    sign_in(client, world.users[who])
    response = client.get(f"/cases/{world.case.reference}")
    if who not in EXPECTED:
        assert response.status_code == 404
        return
    page = response.get_data(as_text=True)
    shown = {name for name, html in controls(world.case.reference).items() if html in page}
    assert shown == EXPECTED[who]


@pytest.mark.parametrize("who", ["own customer", "proxy (internal contact)", "agent in the workgroup", "admin"])
def test_only_the_customer_side_is_asked_to_answer_a_resolution(client, world, people, who):
    lifecycle.propose_resolution(people.admin, world.case, "Replaced the toner.")
    sign_in(client, world.users[who])
    page = client.get(f"/cases/{world.case.reference}").get_data(as_text=True)
    answers = f'action="/cases/{world.case.reference}/resolution/accept"' in page
    assert answers is (who in ("own customer", "proxy (internal contact)"))
    assert (f'action="/cases/{world.case.reference}/resolution/reject"' in page) is answers


@pytest.mark.parametrize("days_ago, who, offered", [
    (1, "own customer", {"reopen", "follow-up"}), (1, "agent in the workgroup", {"reopen"}),
    (400, "own customer", {"follow-up"}), (400, "agent in the workgroup", {"reopen"}), (400, "admin", {"reopen"}),
])
def test_reopening_is_offered_as_the_policy_allows(client, world, days_ago, who, offered):
    closed_at = utcnow() - timedelta(days=days_ago)
    Case.update(status=system_status("closed"), last_closed_at=closed_at).where(Case.id == world.case.id).execute()
    sign_in(client, world.users[who])
    page = client.get(f"/cases/{world.case.reference}").get_data(as_text=True)
    shown = {"reopen": f'action="/cases/{world.case.reference}/reopen"' in page,
             "follow-up": f"follow_up={world.case.reference}" in page}
    assert shown == {"reopen": "reopen" in offered, "follow-up": "follow-up" in offered}
    assert f'action="/cases/{world.case.reference}/comments"' not in page  # closed: no comments
