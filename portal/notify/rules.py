"""Which channels each audience gets for each case event (Genesys' table), and the shape of what a
message may carry. Pure: no database, no Flask.

Lookup order for one (template, event, audience), done by `portal.notify.queries.channels_for`: the
template's own rule, else the default rule stored for every template (case_template NULL), else
DEFAULT_RULES. The case code resolves only the audiences EVENT_AUDIENCES names for an event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from notifier.plain_data import MAX_CONTEXT_BYTES
from portal.i18n import _l

AUDIENCES = ("customer", "linked_customers", "internal_contact", "assignee", "workgroup", "supervisors")
AUDIENCE_LABELS = {
    "customer": _l("Customer"),
    "linked_customers": _l("Linked customers"),
    "internal_contact": _l("Internal contact"),
    "assignee": _l("Assignee"),
    "workgroup": _l("Workgroup"),
    "supervisors": _l("Supervisors"),
}
CHANNELS = ("email", "sms")
CUSTOMER_AUDIENCES = ("customer", "linked_customers", "internal_contact")
HANDLER_AUDIENCES = ("assignee", "workgroup")  # the assignee, or the workgroup while nobody is assigned
STAFF_AUDIENCES = ("assignee", "workgroup", "supervisors")

# The audiences the case code resolves for each event, in the rules table's order: only these
# cells are offered on the rules page, and portal.notify.service refuses to ask for any other.
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
    "sla_warning": ("assignee", "workgroup", "supervisors"),
    "sla_breached": ("assignee", "workgroup", "supervisors"),
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
    "sla_warning": {"assignee": EMAIL, "workgroup": EMAIL},
    "sla_breached": {"assignee": EMAIL, "workgroup": EMAIL, "supervisors": EMAIL},
}
RULE_EVENTS = tuple(EVENT_AUDIENCES)


def channels_of(rule) -> frozenset[str]:
    """The channels a stored NotificationRule row switches on."""
    return frozenset(name for name in CHANNELS if getattr(rule, name))


@dataclass(frozen=True)
class Cell:
    channels: frozenset[str]
    source: str  # "template", "default" (stored for every template) or "built-in"
    offered: bool = True  # False where the case code never tells this audience of this event


NOT_OFFERED = Cell(frozenset(), "built-in", offered=False)


def cell_name(event: str, audience: str, channel: str) -> str:
    """The form field of one checkbox of the rules page, and the key of its refusal message."""
    return f"{event}.{audience}.{channel}"


def variant_for(case_template) -> str:
    """The notifier variant naming a case template's own texts (pass it to notifier.enqueue)."""
    return case_template.uuid if case_template is not None else ""


# --- what a message may carry -------------------------------------------------------------------------

EXCERPT = 2000  # characters of free text copied into a message (the outbox context has a size limit)
CONTEXT_BUDGET = MAX_CONTEXT_BYTES - 4096  # a margin below the outbox's limit


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


def excerpt(text: str | None) -> str:
    """The start of a free text, as much as a message carries."""
    text = text or ""
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + " …"
