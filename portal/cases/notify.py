"""Who hears of what happens to a case, and the outbox rows that tell them.

Services call `notify_case_event(...)` inside their transaction (transactional outbox): the rows
exist if and only if the change committed. Audiences are resolved here, filtered by the same
visibility policy as the pages, then `notification_rules.channels_for` picks each one's channels.
Nobody is told of their own action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import peewee

import notifier
from portal.clock import utcnow
from portal.links import absolute
from portal.models.cases import Case, CaseCustomerLink, CaseEvent
from portal.models.people import Customer, User
from portal.models.teams import WorkgroupMember
from portal.notification_admin.editor import variant_for
from portal.notification_admin.preferences import unsubscribe_headers
from portal.notification_rules import channels_for
from portal.policy import can_view_case


@dataclass(frozen=True)
class Person:
    """Someone to tell: a user, or a customer profile without a sign-in (told by its email/phone)."""

    key: str  # "user:<uuid>" or "customer:<uuid>": one message per person even if reached twice
    name: str
    email: str | None
    phone: str | None
    language: str
    time_zone: str
    user: User | None = None


def _from_user(user: User) -> Person:
    return Person(f"user:{user.uuid}", user.display_name, user.email, user.phone, user.language or "",
                  user.time_zone or "UTC", user)


def _from_customer(customer: Customer) -> Person | None:
    if customer.user_id:
        user = customer.user
        return _from_user(user) if user.active else None
    if not (customer.email or customer.phone):
        return None
    return Person(f"customer:{customer.uuid}", customer.full_name, customer.email, customer.phone, "", "UTC")


def audience_members(case: Case, audience: str) -> list[Person]:
    """The people in one audience of a case (before excluding the actor)."""
    if audience == "customer":
        person = _from_customer(case.customer)
        return [person] if person else []
    if audience == "linked_customers":
        links = (
            Customer.select(Customer, User)
            .join(CaseCustomerLink, on=(CaseCustomerLink.customer == Customer.id))
            .switch(Customer)
            .join(User, peewee.JOIN.LEFT_OUTER, on=(Customer.user == User.id))
            .where(CaseCustomerLink.case == case)
        )
        return [p for p in (_from_customer(c) for c in links) if p]
    if audience == "internal_contact":
        contact = case.internal_contact
        return [_from_user(contact)] if contact and contact.active else []
    if audience == "assignee":
        assignee = case.assignee
        return [_from_user(assignee)] if assignee and assignee.active else []
    if audience in ("workgroup", "supervisors") and case.workgroup_id:
        members = (
            User.select()
            .join(WorkgroupMember, on=(WorkgroupMember.user == User.id))
            .where((WorkgroupMember.workgroup == case.workgroup_id) & (User.active == True))  # noqa: E712
            .order_by(User.id)
        )
        if audience == "supervisors":
            members = members.where(User.role == "supervisor")
        return [_from_user(u) for u in members]
    return []


def _may_be_told(person: Person, case: Case) -> bool:
    # Staff and customers are told only of cases they may open: the same policy as the pages.
    return person.user is None or can_view_case(person.user, case)


def case_context(case: Case, recipient_name: str, time_zone: str = "UTC") -> dict:
    """The variables every case notification has, as plain data (dates in the recipient's zone)."""
    zone = ZoneInfo(time_zone or "UTC")

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%d %b %Y, %H:%M %Z") if moment else ""

    team = case.workgroup.name if case.workgroup_id else "Customer service"
    return {
        "recipient_name": recipient_name,
        "case_reference": case.reference,
        "case_title": case.title,
        "case_type": case.template.name,
        "case_status": case.status.name,
        "case_status_meaning": case.status.customer_description or "",
        "opened_at": when(case.opened_at),
        "updated_at": when(case.updated_at),
        "customer_name": case.customer.full_name,
        "team_name": team,
        "case_url": absolute("case", reference=case.reference),
    }


def notify_case_event(
    event: str,
    case: Case,
    occurrence: CaseEvent,
    *,
    actor: User | None,
    audiences: tuple[str, ...],
    extra: dict | None = None,
    now: datetime | None = None,
) -> int:
    """Queue `event` for every person in `audiences` (per the rules), except the actor.

    `occurrence` is the feed entry that caused it: its UUID makes the outbox key, so the same
    occurrence can never be sent twice. Returns the number of messages queued.
    """
    now = now or utcnow()
    people: dict[str, tuple[Person, set[str]]] = {}
    for audience in audiences:
        channels = channels_for(case.template_id, event, audience)
        if not channels:
            continue
        for person in audience_members(case, audience):
            if actor is not None and person.user is not None and person.user.id == actor.id:
                continue
            if not _may_be_told(person, case):
                continue
            known = people.setdefault(person.key, (person, set()))
            known[1].update(channels)
    queued = 0
    for person, channels in people.values():
        context = {**case_context(case, person.name, person.time_zone), **(extra or {})}
        recipients = []
        if "email" in channels and person.email:
            recipients.append(notifier.Recipient("email", person.email, name=person.name, language=person.language,
                                                 ref=person.user.uuid if person.user else person.key))
        if "sms" in channels and person.phone:
            recipients.append(notifier.Recipient("sms", person.phone, name=person.name, language=person.language,
                                                 ref=person.user.uuid if person.user else person.key))
        if not recipients:
            continue
        headers = unsubscribe_headers(person.user.uuid, event) if person.user else None
        queued += notifier.enqueue(
            event, recipients, context, key=f"{event}:{occurrence.uuid}", variant=variant_for(case.template),
            topic=case.reference, thread=case.uuid, now=now, headers=headers,
        )
    return queued


CUSTOMER_SIDE = ("customer", "linked_customers", "internal_contact")


def handlers_audience(case: Case) -> tuple[str, ...]:
    """Who handles a case: its assignee, or its workgroup while nobody is assigned."""
    return ("assignee",) if case.assignee_id else ("workgroup",)
