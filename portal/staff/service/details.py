"""Editing a case's details as staff: title, summary, reason and custom field values, through the one
validator of portal.case_config (staff audience), each value written only while it still holds what
the edit was computed from; and what the edit form starts with."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import peewee

from portal import policy
from portal.case_config.queries import template_layout
from portal.case_config.rules import form_name
from portal.case_config.service.values import validate_case_values
from portal.cases.rules import display_value
from portal.cases.service.search_index import reindex_case
from portal.cases.service.transitions import NOT_CLOSED, explain, write_case
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, InvalidTransition
from portal.events import case_events
from portal.i18n import _l
from portal.models.cases import Case, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseField
from portal.models.people import User
from portal.staff.service.shared import STAFF_ONLY, record, require_open


def current_values(case: Case) -> dict[str, str]:
    """The case's custom values by field key (the `current=` of the form builder)."""
    rows = CaseFieldValue.select(CaseFieldValue, CaseField).join(CaseField).where(CaseFieldValue.case == case)
    return {row.field.key: row.value for row in rows}


def edit_case_details(actor: User, case: Case, raw: Mapping, *, now: datetime | None = None) -> CaseEvent:
    """Edit title, summary, reason and custom fields through the one validator (staff audience, the
    case's values as current, so an option retired since stays allowed). Records a field_changed
    event listing each change with old and new displayed values. Staff who may see the case
    (policy.can_edit_details). Each value is written only if it still holds what the edit was
    computed from, so of two simultaneous edits of one value one lands and the other is refused.
    Raises NotFound, NotAllowed, ValidationFailed (per form field), InvalidTransition (closed, nothing
    changed) or Conflict (changed meanwhile)."""
    policy.require(policy.can_edit_details, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    template = case.template
    layout = template_layout(template, "staff")
    current = current_values(case)
    submitted = dict(raw)
    keep_reason = (case.reason_id is not None and not case.reason.active
                   and str(submitted.get("reason") or "") == case.reason.uuid)
    if keep_reason:  # a reason retired since the case got it stays, like a retired option
        submitted["reason"] = ""
    clean = validate_case_values(template, submitted, "staff", current=current, layout=layout)
    reason = case.reason if keep_reason else clean.reason
    changes = []

    def changed(key: str, label: str, old: str, new: str) -> None:
        # The label as stored (built-in ones in English, admin-typed ones as typed); the key lets a
        # reader's page name the built-in fields in its own language.
        if old != new:
            changes.append({"field": label, "key": key, "old": old, "new": new})

    changed("title", "Title", case.title, clean.title)
    changed("summary", "Summary", case.summary, clean.summary)
    changed("reason", "Reason", case.reason.name if case.reason_id else "", reason.name if reason else "")
    labels = {(p.field.id, o.value): o.label for p in layout.fields for o in p.options}
    edits = []  # (field, value it was computed from, new value)
    for placed in layout.fields:
        old, new = current.get(placed.key), clean.values.get(placed.key)
        if old == new:
            continue
        changed(placed.key, placed.field.label, display_value(placed.field, old, labels) if old is not None else "",
                display_value(placed.field, new, labels) if new is not None else "")
        edits.append((placed.field, old, new))
    if not changes:
        raise InvalidTransition(_l("Nothing was changed."))
    own = {name: value for name, value in (("title", clean.title), ("summary", clean.summary), ("reason", reason))
           if (value.id if isinstance(value, peewee.Model) else value) != case.__data__.get(name)}
    typed = _typed_changes(case, own, edits)
    now = now or utcnow()
    with database.atomic():
        write_case(actor, case, expect=(NOT_CLOSED, *own), now=now, **own)
        for field, old, new in edits:
            _write_value(actor, case, field, old, new)
        event = record(case, "field_changed", actor, now, data={"changes": changes})
        reindex_case(case.id)
        case_events.details_changed(case, actor, event, typed, now)
    return event


def _typed_changes(case: Case, own: dict, edits: list) -> dict[str, dict]:
    """The typed event's changes: title and summary as text, the reason by UUID, custom values by
    field key as stored (None: no value), each {"old", "new"}. Read before the case is written."""
    typed = {}
    for name, value in own.items():
        if name == "reason":
            old = case_events.uuid_of(case.reason) if case.reason_id else None
            typed[name] = case_events.change(old, case_events.uuid_of(value))
        else:
            typed[name] = case_events.change(case.__data__.get(name), value)
    for field, old, new in edits:
        typed[field.key] = case_events.change(old, new)
    return typed


def _write_value(actor: User, case: Case, field, old: str | None, new: str | None) -> None:
    """Set (or remove, new=None) a custom value only while it still holds old (None: absent)."""
    this = (CaseFieldValue.case == case.id) & (CaseFieldValue.field == field.id)
    if old is None:
        try:
            with database.atomic():  # a savepoint, so PostgreSQL can go on to raise our message
                CaseFieldValue.create(case=case, field=field, value=new)
            return
        except peewee.IntegrityError:
            written = 0
    elif new is None:
        written = CaseFieldValue.delete().where(this & (CaseFieldValue.value == old)).execute()
    else:
        written = CaseFieldValue.update(value=new).where(this & (CaseFieldValue.value == old)).execute()
    if not written:
        raise Conflict(explain(actor, case, ("field_changed",))
                       or _l("%(field)s was changed by someone else meanwhile. Look at the case again.",
                             field=field.label))


def details_form_data(case: Case, current: dict[str, str] | None = None) -> dict[str, str]:
    """What the edit form starts with: the case's title, summary, reason and custom values (pass
    `current` when current_values(case) was read already)."""
    data = {"title": case.title, "summary": case.summary, "reason": case.reason.uuid if case.reason_id else ""}
    values = current if current is not None else current_values(case)
    data.update({form_name(key): value for key, value in values.items()})
    return data
