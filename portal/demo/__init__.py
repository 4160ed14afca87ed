"""A realistic demo data set (`caseport demo`) and a large generated one (`caseport seed`).

load_demo_data() runs each step below in its own transaction. Loading is idempotent: running
`caseport demo` twice keeps one copy. Each step goes through the services, so the demo obeys the
same rules as the pages.

    people.py           organisations, their contacts, staff of every role; DEMO_PASSWORD
    customers.py        products/assets of the demo accounts, and profiles without logins
    teams.py            three workgroups of the demo staff
    case_config.py      statuses, reasons, custom fields of every type and five published templates
    staff_workspace.py  a few cases, assigned, queued and escalated, with tasks and a logged contact
    seed.py             `caseport seed`: a large data set written in bulk, for load tests
"""

from __future__ import annotations

from portal.db import database
from portal.demo.case_config import load_case_settings
from portal.demo.customers import load_assets_and_profiles
from portal.demo.people import DEMO_PASSWORD, load_people
from portal.demo.staff_workspace import load_staff_workspace
from portal.demo.teams import load_workgroups

__all__ = ["DEMO_PASSWORD", "DEMO_STEPS", "load_demo_data"]

DEMO_STEPS = [load_people, load_assets_and_profiles, load_workgroups, load_case_settings, load_staff_workspace]


def load_demo_data() -> list[tuple[str, str, str]]:
    """Load every demo step; returns the (role, email, name) logins to print."""
    logins: list[tuple[str, str, str]] = []
    for step in DEMO_STEPS:
        with database.atomic():
            logins.extend(step() or [])
    return logins
