"""Reads behind notifications: the channels the stored rules give an audience, the rules table as the
rules page shows it, the people in each audience of a case, and the variables every case message has.
Anyone may call these: they name events, channels and the people a case already concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee

from notifier.models import Template, TemplateVersion
from portal import config_cache
from portal.i18n import _l, format_moment
from portal.links import absolute
from portal.models.cases import Case, CaseCustomerLink, CaseEvent
from portal.models.configuration import CaseTemplate
from portal.models.notifications import NotificationRule
from portal.models.people import STAFF_ROLES, Customer, User
from portal.models.teams import WorkgroupMember
from portal.notify.rules import (
    AUDIENCES,
    CHANNELS,
    DEFAULT_RULES,
    EVENT_AUDIENCES,
    NOT_OFFERED,
    RULE_EVENTS,
    Cell,
    channels_of,
)
from portal.notify.wording import recipient_locale, recipient_zone, translated

# --- the rules table ------------------------------------------------------------------------------


def template_id(case_template) -> int | None:
    """The id of a rules scope: a CaseTemplate, its id, or None for every template."""
    if case_template is None:
        return None
    return case_template.id if isinstance(case_template, CaseTemplate) else int(case_template)


def channels_for(case_template, event: str, audience: str) -> frozenset[str]:
    """The channels (subset of {"email", "sms"}) on which `audience` hears of `event` for a case of
    `case_template` (a CaseTemplate, its id, or None for the defaults). One query."""
    return rule_book(case_template).channels(event, audience)


@dataclass(frozen=True)
class RuleBook:
    """Every stored rule of one scope, read at once: a change that tells several audiences of
    several events reads the rules table once."""

    stored: dict[tuple[str, str], frozenset[str]]

    def channels(self, event: str, audience: str) -> frozenset[str]:
        """As channels_for: the template's own rule, else the default stored for every template,
        else the built-in default."""
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        found = self.stored.get((event, audience))
        return found if found is not None else DEFAULT_RULES.get(event, {}).get(audience, frozenset())


def rule_book(case_template) -> RuleBook:
    """The rules that apply to cases of `case_template` (a CaseTemplate, its id, or None). One query, once per
    configuration change (portal.config_cache); the RuleBook is shared: read it, never change it."""
    scope_id = template_id(case_template)
    return config_cache.cached(("rule_book", scope_id), lambda: _read_rule_book(scope_id))


def _read_rule_book(scope_id: int | None) -> RuleBook:
    scope = NotificationRule.case_template.is_null()
    if scope_id is not None:
        scope |= NotificationRule.case_template == scope_id
    stored: dict[tuple[str, str], frozenset[str]] = {}
    rules = NotificationRule.select().where(scope)
    for rule in sorted(rules, key=lambda r: r.case_template_id is None):  # the template's own rule first
        stored.setdefault((rule.event, rule.audience), channels_of(rule))
    return RuleBook(stored)


def rules_table(case_template) -> dict[str, dict[str, Cell]]:
    """{event: {audience: Cell}} for every rule event and audience, as `channels_for` resolves them."""
    scope_id = template_id(case_template)
    scope = NotificationRule.case_template.is_null()
    if scope_id is not None:
        scope |= NotificationRule.case_template == scope_id
    stored: dict[tuple, Cell] = {}
    for rule in NotificationRule.select().where(scope):
        source = "default" if rule.case_template_id is None else "template"
        key = (rule.event, rule.audience)
        if source == "template" or key not in stored:
            stored[key] = Cell(channels_of(rule), source)
    table = {}
    for event, offered in EVENT_AUDIENCES.items():
        table[event] = {
            audience: (stored.get((event, audience)) or Cell(DEFAULT_RULES[event].get(audience, frozenset()),
                                                             "built-in"))
            if audience in offered else NOT_OFFERED
            for audience in AUDIENCES
        }
    return table


def template_variant(case_template) -> str:
    """The notifier variant of a scope's own texts: the case template's UUID ("" for every template)."""
    if case_template is None:
        return ""
    if not isinstance(case_template, CaseTemplate):
        case_template = CaseTemplate.get_by_id(int(case_template))
    return case_template.uuid


def missing_templates(case_template) -> frozenset[tuple[str, str]]:
    """The (event, channel) pairs of the rules table that have no message template a case of this
    scope could be sent with: none in the default language, for the case template or for every
    template. One query. Anyone may call it (it names events and channels only)."""
    variants = sorted({"", template_variant(case_template)})
    have = {
        (row.event, row.channel)
        for row in Template.select(Template.event, Template.channel)
        .join(TemplateVersion)
        .where((Template.language == "") & Template.variant.in_(variants))
        .distinct()
    }
    return frozenset((event, channel) for event in RULE_EVENTS for channel in CHANNELS if (event, channel) not in have)


# --- the people a case concerns -------------------------------------------------------------------


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
        if case.id is None:  # a case being opened has no links yet
            return []
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


CUSTOMER_SERVICE = _l("Customer service")  # the team named in a message when the case has no workgroup


def case_context(case: Case, recipient_name: str, time_zone: str = "UTC", language: str | None = None) -> dict:
    """The variables every case notification has, as plain data: moments in the recipient's time
    zone and language ("30. Nov. 2026, 13:50 MEZ"), labels in their language."""
    zone, locale = recipient_zone(time_zone), recipient_locale(language)

    def when(moment: datetime | None) -> str:
        return format_moment(moment, zone, locale) if moment else ""

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
        "team_name": case.workgroup.name if case.workgroup_id else translated(CUSTOMER_SERVICE, locale),
        "case_url": absolute("cases.detail", reference=case.reference),
    }


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
