"""Factories with sensible defaults and **overrides. They go through the services where rules apply."""

from __future__ import annotations

import itertools

from portal.accounts.service import NewUser, create_user
from portal.customers.service import create_customer_profile
from portal.models.people import Account

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def user(role: str = "customer", *, password: str = PASSWORD, verified: bool = True, **overrides):
    n = next(_counter)
    data = NewUser(
        email=overrides.pop("email", f"user{n}@example.com"),
        display_name=overrides.pop("display_name", f"User {n}"),
        password=password,
        role=role,
        time_zone=overrides.pop("time_zone", "UTC"),
        phone=overrides.pop("phone", ""),
    )
    created = create_user(data, verified=verified)
    for key, value in overrides.items():
        setattr(created, key, value)
    if overrides:
        created.save()
    return created


def account(**overrides):
    n = next(_counter)
    values = {"name": f"Account {n}", "account_number": f"ACC-{n:05d}"}
    values.update(overrides)
    return Account.create(**values)


def customer(**overrides):
    n = next(_counter)
    values = {"first_name": f"Customer{n}", "last_name": "Example", "email": f"customer{n}@example.com"}
    values.update(overrides)
    return create_customer_profile(**values)


def workgroup(*members, **overrides):
    """A workgroup with the given users as members (no service: tests arrange teams directly)."""
    from portal.models.teams import Workgroup, WorkgroupMember

    n = next(_counter)
    group = Workgroup.create(**{"name": f"Team {n}", **overrides})
    for member in members:
        WorkgroupMember.create(workgroup=group, user=member)
    return group
