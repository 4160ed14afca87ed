"""Who hears of what happens to a case, and the outbox rows that tell them.

Services call `notify_case_event(...)` inside their transaction (transactional outbox): the rows
exist if and only if the change committed. Audiences are resolved here, filtered by the same
visibility policy as the pages, then `notification_rules.channels_for` picks each one's channels.
Nobody is told of their own action, except in the receipt for a case they filed. The notify_*
functions at the end say who hears of each case change; services call them at the change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import peewee

import notifier
from notifier.plain_data import MAX_CONTEXT_BYTES
from portal.clock import utcnow
from portal.links import absolute
from portal.models.cases import Case, CaseCustomerLink, CaseEvent
from portal.models.configuration import PRIORITIES, CaseStatus
from portal.models.people import STAFF_ROLES, Customer, User
from portal.models.teams import WorkgroupMember
from portal.notification_admin.editor import variant_for
from portal.notification_admin.preferences import unsubscribe_headers
from portal.notification_rules import AUDIENCES, CUSTOMER_AUDIENCES, EVENT_AUDIENCES, channels_for
from portal.policy import can_view_case, is_staff


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
        "case_url": absolute("cases.detail", reference=case.reference),
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
    include_actor: bool = False,
    personal: Callable[[Person], dict] | None = None,
    skip: Collection[str] = (),
    told: set[str] | None = None,
) -> int:
    """Queue `event` for every person in `audiences` (per the rules), except the actor.

    `occurrence` is the feed entry that caused it: its UUID makes the outbox key, so the same
    occurrence can never be sent twice. Receipts pass include_actor=True (nobody is told of their
    own action otherwise). `personal(person)` adds variables that differ per recipient; every
    message has `for_staff` (the recipient is staff). People whose key is in `skip` are left out;
    the keys of those told are added to `told`. Returns the number of messages queued.
    """
    offered = EVENT_AUDIENCES.get(event, ())
    if not set(audiences) <= set(offered):
        raise ValueError(f"{event} is not offered to {sorted(set(audiences) - set(offered))} in the rules table")
    now = now or utcnow()
    people: dict[str, tuple[Person, set[str]]] = {}
    for audience in audiences:
        channels = channels_for(case.template_id, event, audience)
        if not channels:
            continue
        for person in audience_members(case, audience):
            is_actor = actor is not None and person.user is not None and person.user.id == actor.id
            if (is_actor and not include_actor) or person.key in skip:
                continue
            if not _may_be_told(person, case):
                continue
            known = people.setdefault(person.key, (person, set()))
            known[1].update(channels)
    queued = 0
    for person, channels in people.values():
        context = fitted({**case_context(case, person.name, person.time_zone),
                          "for_staff": person.user is not None and is_staff(person.user),
                          **(extra or {}), **(personal(person) if personal else {})})
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
        if told is not None:
            told.add(person.key)
    return queued


CUSTOMER_SIDE = CUSTOMER_AUDIENCES
EXCERPT = 2000  # characters of free text copied into a message (the outbox context has a size limit)
CONTEXT_BUDGET = MAX_CONTEXT_BYTES - 4096  # a margin below the outbox's limit


def handlers_audience(case: Case) -> tuple[str, ...]:
    """Who handles a case: its assignee, or its workgroup while nobody is assigned."""
    return ("assignee",) if case.assignee_id else ("workgroup",)


def fitted(context: dict) -> dict:
    """The context with its longest texts shortened until it fits the outbox's size limit.

    The limit counts JSON-escaped bytes: a comment of 10,000 emoji (allowed) takes 120 kB there.
    The message then carries the start of the text and the case link to read the rest."""
    size = _json_size(context)
    while size > CONTEXT_BUDGET:
        name = max((k for k, v in context.items() if isinstance(v, str)), key=lambda k: len(context[k]))
        value = context[name]
        if len(value) <= 100:
            break  # nothing long left to shorten: the outbox refuses it as before
        keep = max(0, min(len(value) - 1, len(value) * CONTEXT_BUDGET // size - 20))
        context = {**context, name: value[:keep].rstrip() + " …"}
        size = _json_size(context)
    return context


def _json_size(context: dict) -> int:
    return len(json.dumps(context, separators=(",", ":")).encode())


def _excerpt(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + " …"


# --- what each case change tells whom (called by the services inside their transaction) ---------------


def notify_case_opened(case: Case, created: CaseEvent, actor: User, *, now: datetime | None = None) -> int:
    """A new case: a receipt to whoever filed it (a proxy as the internal contact, the customer
    filing for themselves) and word to the customer side when someone filed it for them
    (case_created); its workgroup, or its assignee when filed already assigned, hears of it
    (case_opened_for_team) unless they filed it themselves."""
    on_behalf = actor.id != case.customer.user_id
    queued = notify_case_event(
        "case_created", case, created, actor=actor, audiences=CUSTOMER_SIDE, include_actor=True,
        extra={"filed_by": actor.display_name if on_behalf else "", "on_behalf": on_behalf},
        personal=lambda person: {"you_filed": person.user is not None and person.user.id == actor.id}, now=now)
    return queued + notify_case_event(
        "case_opened_for_team", case, created, actor=actor, audiences=(*handlers_audience(case), "supervisors"),
        extra={"priority": PRIORITIES.get(case.priority, case.priority), "case_summary": _excerpt(case.summary),
               "filed_by": actor.display_name, "assignee_name": case.assignee.display_name if case.assignee_id else ""},
        now=now)


def latest_staff_reply(case: Case) -> CaseEvent | None:
    """The team's latest public comment on the case (None when there is none)."""
    return (
        CaseEvent.select(CaseEvent, User)
        .join(User, on=(CaseEvent.actor == User.id))
        .where(
            (CaseEvent.case == case)
            & (CaseEvent.kind == "comment")
            & (CaseEvent.public == True)  # noqa: E712
            & User.role.in_(STAFF_ROLES)
        )
        .order_by(CaseEvent.created_at.desc(), CaseEvent.id.desc())
        .first()
    )


def notify_status_changed(case: Case, event: CaseEvent, actor: User, previous: CaseStatus, *,
                          now: datetime | None = None) -> int:
    """Staff changed the status with the status picker (case.status is the new one). A closed status
    tells the customer side and the assignee (case_closed); a waiting status tells the customer side,
    with the team's latest public reply (case_waiting). Then case_status_changed goes to whoever the
    rules route it to, except those just told of this change."""
    status = case.status
    told: set[str] = set()
    queued = 0
    if status.category == "closed":
        queued += notify_case_event("case_closed", case, event, actor=actor, audiences=(*CUSTOMER_SIDE, "assignee"),
                                    extra={"closed_by": actor.display_name, "resolution": case.resolution},
                                    now=now, told=told)
    elif status.category == "waiting":
        reply = latest_staff_reply(case)
        queued += notify_case_event(
            "case_waiting", case, event, actor=actor, audiences=CUSTOMER_SIDE,
            extra={"changed_by": actor.display_name, "latest_reply": _excerpt(reply.body) if reply else "",
                   "latest_reply_by": reply.actor.display_name if reply else ""},
            now=now, told=told)
    return queued + notify_case_event(
        "case_status_changed", case, event, actor=actor, audiences=AUDIENCES,
        extra={"changed_by": actor.display_name, "from_status": previous.name, "to_status": status.name},
        now=now, skip=told)


def notify_resolution_accepted(case: Case, event: CaseEvent, actor: User, *, rating: int | None, remark: str,
                               now: datetime | None = None) -> int:
    """The customer side accepted the resolution and the case closed: the rest of the customer side
    hears that it is closed (case_closed); the assignee (the workgroup while unassigned, and the
    supervisors if the rules say so) hears it was accepted, with the rating and remark."""
    queued = notify_case_event("case_closed", case, event, actor=actor, audiences=CUSTOMER_SIDE,
                               extra={"closed_by": actor.display_name, "resolution": case.resolution}, now=now)
    return queued + notify_case_event(
        "case_resolution_accepted", case, event, actor=actor, audiences=(*handlers_audience(case), "supervisors"),
        extra={"author_name": actor.display_name, "resolution": case.resolution, "rating": rating or 0,
               "remark": _excerpt(remark)},
        now=now)
