"""Demo data: three workgroups of the demo staff (see portal.demo.people.STAFF)."""

from __future__ import annotations

from portal.models.people import User
from portal.models.teams import Workgroup, WorkgroupMember

WORKGROUPS = [
    ("Service desk", "First line: every new case starts here.",
     ["ada.agent@caseport.example.com", "li.agent@caseport.example.com", "sam.supervisor@caseport.example.com"]),
    ("Billing", "Invoices, refunds and payment questions.",
     ["li.agent@caseport.example.com", "sam.supervisor@caseport.example.com"]),
    ("Escalations", "Cases the service desk could not resolve.", ["sam.supervisor@caseport.example.com"]),
]


def load_workgroups() -> list:
    for name, description, emails in WORKGROUPS:
        workgroup, _ = Workgroup.get_or_create(name=name, defaults={"description": description})
        for user in User.select().where(User.email.in_(emails)):
            WorkgroupMember.get_or_create(workgroup=workgroup, user=user)
    return []
