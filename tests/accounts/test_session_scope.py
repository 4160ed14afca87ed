"""A page that changes nothing reads the viewer's case scope (portal.case_scope) in the session's own
statement: the scope it takes from those rows is the one case_scope resolves on its own, for every kind
of viewer; a request that writes reads the scope when it first needs it, after its own changes."""

from __future__ import annotations

import random

import pytest

from portal import case_scope, request_memo
from portal.accounts.service import sessions
from portal.models.people import Customer
from tests import factories
from tests.cases.test_visibility_sql import _world


@pytest.fixture
def memo():
    """A request's memo, as portal.web opens one; read_only as a GET (True) or a POST (False)."""

    def begin(*, read_only: bool):
        request_memo.begin(read_only=read_only)

    yield begin
    request_memo.end()


def _remembered(user):
    """What this request's memo holds for user's scope (None: nothing yet), without computing it."""
    return (request_memo._memo.get() or {}).get(("case_scope", user.id, user.role))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("listed", [500, 1], ids=["ids listed", "sub-queries"])
def test_the_scope_read_with_the_session_is_the_one_case_scope_resolves(app, memo, monkeypatch, seed, listed):
    monkeypatch.setattr(case_scope, "MAX_LISTED_IDS", listed)
    viewers, _cases = _world(random.Random(seed))
    member = factories.user(role="supervisor")  # whatever the draw, someone in two workgroups
    factories.workgroup(member), factories.workgroup(member)
    viewers.append(member)
    kinds = set()
    for viewer in viewers:
        token = sessions.start_session(viewer)
        memo(read_only=True)
        resumed = sessions.resume_session(token)
        if not viewer.active:
            assert resumed.user is None and _remembered(viewer) is None
            continue
        expected = case_scope._resolve(viewer)
        assert _remembered(viewer) == expected, (viewer.role, viewer.email)
        kinds.add((expected.kind, expected.manages_account, bool(expected.linked_case_ids),
                   bool(expected.workgroup_ids)))
    # the world holds every shape: customers with links and account managers, staff in workgroups, admins
    assert {"all", "proxy"} <= {kind for kind, *_ in kinds}
    assert any(kind == "customer" and linked for kind, _manages, linked, _groups in kinds)
    assert any(kind == "customer" and manages for kind, manages, _linked, _groups in kinds)
    assert any(kind == "staff" and groups for kind, _manages, _linked, groups in kinds)


def test_a_customer_with_no_profile_sees_nothing(app, memo):
    user = factories.user(role="customer")
    Customer.delete().where(Customer.user == user).execute()
    token = sessions.start_session(user)
    memo(read_only=True)
    assert sessions.resume_session(token).user is not None
    assert _remembered(user) == case_scope.CaseScope("none") == case_scope._resolve(user)


def test_a_request_that_writes_reads_the_scope_when_it_needs_it(app, memo):
    agent = factories.user(role="agent")
    token = sessions.start_session(agent)
    memo(read_only=False)
    assert sessions.resume_session(token).user is not None
    assert _remembered(agent) is None  # nothing read with the session
    group = factories.workgroup(agent)  # a change made by the request before it asks
    assert case_scope.case_scope(agent).workgroup_ids == {group.id}


def test_outside_a_request_nothing_is_remembered(app):
    agent = factories.user(role="agent")
    token = sessions.start_session(agent)
    assert sessions.resume_session(token).user is not None
    group = factories.workgroup(agent)
    assert case_scope.case_scope(agent).workgroup_ids == {group.id}
