"""Demo data for the staff workspace: a few realistic cases of the demo customers, assigned, queued,
escalated, with tasks and a logged contact, so a newcomer's workspace is not empty. Idempotent: a
case is made only when its customer has no case of that title yet."""

from __future__ import annotations

from datetime import timedelta

from portal.case_config.rules import form_name
from portal.cases.service.opening import open_case
from portal.clock import utcnow
from portal.models.cases import Case
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer, User
from portal.staff.service import contacts, handling, tasks

ADA = "ada.agent@caseport.example.com"
LI = "li.agent@caseport.example.com"
SAM = "sam.supervisor@caseport.example.com"

# (customer email, template, title, summary, custom values, what happens next)
CASES = [
    ("maria.garcia@northwind.example.com", "Technical issue", "Dashboard times out every morning",
     "Between 8 and 9 the dashboard takes over a minute to load and often times out. Later in the day it is fine.",
     {"product": "cloud", "severity": "degraded", "affected_users": "12"}, "assigned_with_tasks"),
    ("tom.becker@northwind.example.com", "Technical issue", "Mobile app crashes at sign-in",
     "Since the last update the app closes as soon as I tap Sign in.",
     {"product": "mobile", "severity": "blocking", "error_message": "Fatal: token store unavailable"}, "urgent_queue"),
    ("priya@bluebird-dental.example.com", "Replacement request", "Scanner arrived with a cracked screen",
     "The intraoral scanner we received on Monday has a crack across the display.",
     {"product": "hardware", "still_under_warranty": "true", "serial_number": "HK482913",
      "delivery_phone": "+442079460958"}, "escalated"),
    ("lena.fischer@example.com", "General inquiry", "Can we export our cases to a spreadsheet?",
     "We would like a monthly export of our cases for our own reporting.", {}, "assigned_with_contact"),
]


def _user(email: str) -> User | None:
    return User.get_or_none(User.email == email)


def load_staff_workspace() -> list:
    ada, li, sam = _user(ADA), _user(LI), _user(SAM)
    if not (ada and li and sam):
        return []
    for email, template_name, title, summary, values, story in CASES:
        customer = Customer.get_or_none(Customer.email == email)
        template = CaseTemplate.get_or_none((CaseTemplate.name == template_name) & (CaseTemplate.state == "published"))
        if customer is None or template is None:
            continue
        if Case.select().where((Case.customer == customer) & (Case.title == title)).exists():
            continue
        raw = {"title": title, "summary": summary, **{form_name(k): v for k, v in values.items()}}
        case = open_case(ada, template, raw, customer=customer)
        _tell_story(case, story, ada, li, sam)
    return []


def _tell_story(case: Case, story: str, ada: User, li: User, sam: User) -> None:
    if story == "assigned_with_tasks":
        handling.assign_case(sam, case, ada.uuid)
        tasks.create_task(sam, case, tasks.TaskData(title="Call Maria back once the morning load test has run",
                                                    assignee_uuid=ada.uuid,
                                                    due_date=(utcnow() + timedelta(days=2)).date()))
        tasks.create_task(ada, case, tasks.TaskData(title="We confirm by email once the fix is live",
                                                    customer_visible=True))
    elif story == "urgent_queue":
        handling.set_priority(sam, case, "urgent")
    elif story == "escalated":
        handling.take_case(ada, case)
        handling.escalate_case(ada, case, "Third damaged scanner from the same batch: needs the escalations team "
                                         "to open a claim with the courier.")
    elif story == "assigned_with_contact":
        handling.assign_case(sam, case, li.uuid)
        contacts.log_contact(li, case, channel="phone", direction="inbound",
                             summary="Lena called to ask whether a CSV export is enough; explained the options.")
