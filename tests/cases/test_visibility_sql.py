"""The dashboard's hand-written visibility condition (case_scope.visibility_sql) selects exactly the cases
policy.case_visibility selects, for randomized viewers and cases of every kind: customers with and
without linked cases, account managers, proxies, agents and supervisors in zero or more workgroups,
admins, deactivated users; with the viewer's ids listed and, past MAX_LISTED_IDS, as sub-queries."""

from __future__ import annotations

import random

import pytest

from portal import case_scope, policy
from portal.db import database
from portal.models.cases import Case, CaseCustomerLink
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer
from tests import factories


def _world(rng: random.Random):
    template = CaseTemplate.create(name="General question", state="published")
    accounts = [factories.account(), factories.account()]
    staff = [factories.user(role=role) for role in ("agent", "agent", "supervisor", "agent")]
    groups = [factories.workgroup(*rng.sample(staff, rng.randint(0, 2))) for _ in range(3)]
    proxies = [factories.user(role="proxy") for _ in range(2)]
    customer_users = [factories.user(role="customer") for _ in range(8)]
    profiles = []
    for user in customer_users:
        profile = Customer.get(Customer.user == user)
        profile.account = rng.choice([*accounts, None])
        profile.is_account_manager = profile.account is not None and rng.random() < 0.4
        profile.save()
        profiles.append(profile)
    profiles += [factories.customer(account=rng.choice(accounts)) for _ in range(4)]  # no sign-in of their own
    cases = []
    for _ in range(60):
        cases.append(factories.case(customer=rng.choice(profiles), template=template,
                                    workgroup=rng.choice([*groups, None]),
                                    assignee=rng.choice([*staff, None, None]),
                                    internal_contact=rng.choice([*proxies, None, None]), created_by=staff[0]))
    for case in rng.sample(cases, 20):
        for profile in rng.sample(profiles, rng.randint(1, 3)):
            if profile.id != case.customer_id:
                CaseCustomerLink.get_or_create(case=case, customer=profile)
    gone = factories.user(role="customer")
    gone.active = False
    gone.save()
    viewers = [*customer_users, *staff, *proxies, factories.user(role="admin"), gone]
    return viewers, cases


def _by_policy(user) -> set[int]:
    return {case_id for (case_id,) in Case.select(Case.id).where(policy.case_visibility(user)).tuples()}


def _by_sql(user) -> set[int]:
    condition, params = case_scope.visibility_sql(case_scope.case_scope(user))
    cursor = database.execute_sql(case_scope.sql_for(f'SELECT c.id FROM "case" c WHERE {condition}'), params)
    return {case_id for (case_id,) in cursor.fetchall()}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("listed", [500, 1], ids=["ids listed", "sub-queries"])
def test_the_hand_written_condition_selects_what_the_policy_selects(app, monkeypatch, seed, listed):
    monkeypatch.setattr(case_scope, "MAX_LISTED_IDS", listed)
    viewers, cases = _world(random.Random(seed))
    seen_something = 0
    for viewer in viewers:
        expected = _by_policy(viewer)
        assert _by_sql(viewer) == expected, (viewer.role, viewer.email)
        seen_something += bool(expected) and len(expected) < len(cases)
    assert seen_something >= 5  # the world is not degenerate: most viewers see some cases, not all
