"""Which channels each audience gets for each case event, per case template (Genesys' table).

Lookup order for one (template, event, audience): the template's own rule, else the default rule
stored for every template (case_template NULL), else DEFAULT_RULES. The case code calls
`channels_for` for each audience it resolves (EVENT_AUDIENCES says which those are); admins edit
the table through `save_rules`, which refuses a channel the event has no message template for.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from notifier.models import Template, TemplateVersion
from portal.db import database
from portal.errors import ValidationFailed
from portal.models.base import utcnow
from portal.models.configuration import CaseTemplate
from portal.models.notifications import NotificationRule
from portal.notification_admin.catalogue import event_title
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
CUSTOMER_AUDIENCES = ("customer", "linked_customers", "internal_contact")
HANDLER_AUDIENCES = ("assignee", "workgroup")  # the assignee, or the workgroup while nobody is assigned
STAFF_AUDIENCES = ("assignee", "workgroup", "supervisors")

# The audiences the case code resolves for each event, in the rules table's order: only these
# cells are offered on the rules page, and portal.cases.notify refuses to ask for any other.
EVENT_AUDIENCES: dict[str, tuple[str, ...]] = {
    "case_created": CUSTOMER_AUDIENCES,  # the receipt: whoever filed is told too
    "case_opened_for_team": STAFF_AUDIENCES,
    "case_replied": CUSTOMER_AUDIENCES,  # a public staff comment
    "case_customer_commented": HANDLER_AUDIENCES,
    "case_waiting": CUSTOMER_AUDIENCES,
    "case_status_changed": AUDIENCES,
    "case_resolution_proposed": CUSTOMER_AUDIENCES,
    "case_resolution_reminder": ("customer",),
    "case_resolution_accepted": STAFF_AUDIENCES,
    "case_resolution_rejected": HANDLER_AUDIENCES,
    "case_reopened": HANDLER_AUDIENCES,
    "case_closed": (*CUSTOMER_AUDIENCES, *HANDLER_AUDIENCES),
    "case_assigned": ("customer", "assignee"),
    "case_escalated": ("workgroup", "supervisors"),
    "task_assigned": ("assignee",),
}

EMAIL, SMS = frozenset({"email"}), frozenset({"email", "sms"})
_CUSTOMER_SIDE = {"customer": EMAIL, "linked_customers": EMAIL, "internal_contact": EMAIL}
_CUSTOMER_SIDE_WITH_SMS = {**_CUSTOMER_SIDE, "customer": SMS}

DEFAULT_RULES: dict[str, dict[str, frozenset[str]]] = {
    "case_created": _CUSTOMER_SIDE_WITH_SMS,
    # The case code tells the workgroup only while the case has no assignee.
    "case_opened_for_team": {"assignee": EMAIL, "workgroup": EMAIL},
    "case_replied": _CUSTOMER_SIDE,
    "case_customer_commented": {"assignee": EMAIL, "workgroup": EMAIL},
    "case_waiting": _CUSTOMER_SIDE_WITH_SMS,
    # Off for everyone: the changes people need to hear of have their own events (waiting, closed,
    # resolution ...); admins route this one when they want every change, e.g. to supervisors.
    "case_status_changed": {},
    "case_resolution_proposed": _CUSTOMER_SIDE_WITH_SMS,
    "case_resolution_reminder": {"customer": EMAIL},
    "case_resolution_accepted": {"assignee": EMAIL},
    "case_resolution_rejected": {"assignee": EMAIL},
    "case_reopened": {"assignee": EMAIL},
    "case_closed": {**_CUSTOMER_SIDE_WITH_SMS, "assignee": EMAIL},
    "case_assigned": {"assignee": EMAIL, "customer": EMAIL},
    "case_escalated": {"workgroup": EMAIL, "supervisors": EMAIL},
    "task_assigned": {"assignee": EMAIL},
}
RULE_EVENTS = tuple(EVENT_AUDIENCES)


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
    offered: bool = True  # False where the case code never tells this audience of this event


NOT_OFFERED = Cell(frozenset(), "built-in", offered=False)


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


def cell_name(event: str, audience: str, channel: str) -> str:
    """The form field of one checkbox of the rules page, and the key of its refusal message."""
    return f"{event}.{audience}.{channel}"


def save_rules(actor, case_template, choices: dict[tuple[str, str], set[str]]) -> int:
    """Store the whole table for one scope (a template, or None for every template): one row per
    offered (event, audience) with the chosen channels. Admins only (NotAllowed otherwise);
    ValidationFailed for unknown events, audiences or channels, for an audience the event never
    reaches, and for a channel the event has no template for in this scope (nothing is saved; the
    message of each refused cell is under `cell_name(...)`). Returns the number of rows written."""
    require_admin(actor)
    for (event, audience), channels in choices.items():
        if event not in EVENT_AUDIENCES or audience not in AUDIENCES or not set(channels) <= set(CHANNELS):
            raise ValidationFailed("That rule table names an unknown event, audience or channel.")
        if channels and audience not in EVENT_AUDIENCES[event]:
            raise ValidationFailed(f"“{event_title(event)}” is never sent to {AUDIENCE_LABELS[audience].lower()}, "
                                   "so it has no channels to choose there.")
    missing = missing_templates(case_template)
    refused = {
        cell_name(event, audience, channel): _no_template_message(event, channel)
        for (event, audience), channels in choices.items()
        for channel in sorted(channels)
        if (event, channel) in missing
    }
    if refused:
        raise ValidationFailed(
            f"{len(refused)} choice(s) name a channel that has no message template for the event, so nothing "
            "could be sent. Create the template first, or leave that channel off. Nothing was saved.", refused)
    template_id = _template_id(case_template)
    now = utcnow()
    rows = [
        {"case_template": template_id, "event": event, "audience": audience,
         "email": "email" in choices.get((event, audience), ()), "sms": "sms" in choices.get((event, audience), ()),
         "updated_at": now}
        for event in RULE_EVENTS
        for audience in EVENT_AUDIENCES[event]
    ]
    with database.atomic():
        _delete_scope(template_id)
        try:
            NotificationRule.insert_many(rows).execute()
        except peewee.IntegrityError:
            raise ValidationFailed("Someone saved these rules at the same time; reload and try again.") from None
    return len(rows)


def _no_template_message(event: str, channel: str) -> str:
    kind = "text message" if channel == "sms" else "email"
    return f"“{event_title(event)}” has no {kind} template yet."


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
