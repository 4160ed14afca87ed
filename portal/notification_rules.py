"""Which channels each audience gets for each case event, per case template (Genesys' table).

Lookup order for one (template, event, audience): the template's own rule, else the default rule
stored for every template (case_template NULL), else DEFAULT_RULES. The case code calls
`channels_for` for each audience it resolves; admins edit the table through `save_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from portal.db import database
from portal.errors import ValidationFailed
from portal.models.base import utcnow
from portal.models.configuration import CaseTemplate
from portal.models.notifications import NotificationRule
from portal.policy import require_admin

AUDIENCES = ("customer", "linked_customers", "internal_contact", "assignee", "workgroup", "supervisors")
AUDIENCE_LABELS = {
    "customer": "Customer",
    "linked_customers": "Linked customers",
    "internal_contact": "Internal contact",
    "assignee": "Assignee",
    "workgroup": "Workgroup",
    "supervisors": "Supervisors",
}
CHANNELS = ("email", "sms")
EMAIL, SMS = frozenset({"email"}), frozenset({"email", "sms"})
_CUSTOMER_SIDE = {"customer": EMAIL, "linked_customers": EMAIL, "internal_contact": EMAIL}
_CUSTOMER_SIDE_WITH_SMS = {**_CUSTOMER_SIDE, "customer": SMS}

DEFAULT_RULES: dict[str, dict[str, frozenset[str]]] = {
    "case_created": _CUSTOMER_SIDE_WITH_SMS,
    "case_replied": _CUSTOMER_SIDE,  # a public staff comment
    # The case code tells the workgroup only while the case has no assignee.
    "case_customer_commented": {"assignee": EMAIL, "workgroup": EMAIL},
    "case_resolution_proposed": _CUSTOMER_SIDE_WITH_SMS,
    "case_resolution_reminder": {"customer": EMAIL},
    "case_resolution_rejected": {"assignee": EMAIL},
    "case_reopened": {"assignee": EMAIL},
    "case_closed": _CUSTOMER_SIDE_WITH_SMS,
    "case_assigned": {"assignee": EMAIL, "customer": EMAIL},
    "case_escalated": {"workgroup": EMAIL, "supervisors": EMAIL},
    "task_assigned": {"assignee": EMAIL},
}
RULE_EVENTS = tuple(DEFAULT_RULES)


def _template_id(case_template) -> int | None:
    if case_template is None:
        return None
    return case_template.id if isinstance(case_template, CaseTemplate) else int(case_template)


def _channels(rule: NotificationRule) -> frozenset[str]:
    return frozenset(name for name in CHANNELS if getattr(rule, name))


def channels_for(case_template, event: str, audience: str) -> frozenset[str]:
    """The channels (subset of {"email", "sms"}) on which `audience` hears of `event` for a case of
    `case_template` (a CaseTemplate, its id, or None for the defaults). One query."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    template_id = _template_id(case_template)
    scope = NotificationRule.case_template.is_null()
    if template_id is not None:
        scope |= NotificationRule.case_template == template_id
    rules = list(
        NotificationRule.select()
        .where(
            (NotificationRule.event == event)
            & (NotificationRule.audience == audience)
            & scope
        )
    )
    for rule in sorted(rules, key=lambda r: r.case_template_id is None):
        return _channels(rule)
    return DEFAULT_RULES.get(event, {}).get(audience, frozenset())


@dataclass(frozen=True)
class Cell:
    channels: frozenset[str]
    source: str  # "template", "default" (stored for every template) or "built-in"


def rules_table(case_template) -> dict[str, dict[str, Cell]]:
    """{event: {audience: Cell}} for every rule event and audience, as `channels_for` resolves them."""
    template_id = _template_id(case_template)
    scope = NotificationRule.case_template.is_null()
    if template_id is not None:
        scope |= NotificationRule.case_template == template_id
    stored: dict[tuple, Cell] = {}
    for rule in NotificationRule.select().where(scope):
        source = "default" if rule.case_template_id is None else "template"
        key = (rule.event, rule.audience)
        if source == "template" or key not in stored:
            stored[key] = Cell(_channels(rule), source)
    table = {}
    for event in RULE_EVENTS:
        table[event] = {
            audience: stored.get((event, audience))
            or Cell(DEFAULT_RULES[event].get(audience, frozenset()), "built-in")
            for audience in AUDIENCES
        }
    return table


def save_rules(actor, case_template, choices: dict[tuple[str, str], set[str]]) -> int:
    """Store the whole table for one scope (a template, or None for every template): one row per
    (event, audience) with the chosen channels. Admins only (NotAllowed otherwise); ValidationFailed
    for unknown events, audiences or channels. Returns the number of rows written."""
    require_admin(actor)
    for (event, audience), channels in choices.items():
        if event not in DEFAULT_RULES or audience not in AUDIENCES or not set(channels) <= set(CHANNELS):
            raise ValidationFailed("That rule table names an unknown event, audience or channel.")
    template_id = _template_id(case_template)
    now = utcnow()
    rows = [
        {"case_template": template_id, "event": event, "audience": audience,
         "email": "email" in choices.get((event, audience), ()), "sms": "sms" in choices.get((event, audience), ()),
         "updated_at": now}
        for event in RULE_EVENTS
        for audience in AUDIENCES
    ]
    with database.atomic():
        _delete_scope(template_id)
        try:
            NotificationRule.insert_many(rows).execute()
        except peewee.IntegrityError:
            raise ValidationFailed("Someone saved these rules at the same time; reload and try again.") from None
    return len(rows)


def reset_rules(actor, case_template) -> int:
    """Forget the stored rules of one scope, so it falls back (template → default → built-in).
    Admins only. Returns the number of rows removed."""
    require_admin(actor)
    with database.atomic():
        return _delete_scope(_template_id(case_template))


def _delete_scope(template_id: int | None) -> int:
    scope = (
        NotificationRule.case_template.is_null()
        if template_id is None
        else NotificationRule.case_template == template_id
    )
    return NotificationRule.delete().where(scope).execute()
