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


def case(customer_user=None, *, customer=None, template=None, workgroup=None, status="open", **overrides):
    """A case straight in the database (no form, no notifications): for tests of what happens next.
    Its customer is customer_user's profile (or `customer`), with a `created` event like a filed case."""
    from portal.case_config.service import system_status
    from portal.models.cases import Case, CaseEvent
    from portal.models.configuration import CaseTemplate
    from portal.models.people import Customer

    n = next(_counter)
    if customer is None:
        customer = Customer.get(Customer.user == customer_user)
    template = template or CaseTemplate.create(name=f"Template {n}", description="", state="published",
                                               for_customers=True, for_proxies=True, for_staff=True)
    values = {
        "reference": f"{40_000_000 + n:08d}", "template": template, "title": f"Case {n}",
        "summary": "Something is wrong.", "status": system_status(status), "customer": customer,
        "created_by": customer.user or overrides.get("internal_contact"), "workgroup": workgroup,
    }
    values.update(overrides)
    created = Case.create(**values)
    CaseEvent.create(case=created, kind="created", actor=values["created_by"], public=True)
    return created
