"""The single validator of a case's values: every channel that creates or edits a case (the web forms,
the API, email) passes what was sent to validate_case_values() and gets checked values or one
ValidationFailed naming every problem by form field name (rules.form_name for custom fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from portal.case_config.queries import Layout, active_reason, template_layout
from portal.case_config.rules import (
    SUMMARY_MAX,
    TITLE_MAX,
    UNSTORABLE,
    FieldRuleError,
    apply_conditions,
    form_name,
    parse_value,
    storable,
)
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.models.configuration import CaseReason, CaseTemplate


@dataclass
class CleanCase:
    """Checked values, ready for the service: custom values are canonical strings by field key."""

    title: str
    summary: str
    reason: CaseReason | None
    values: dict[str, str] = field(default_factory=dict)


def validate_case_values(template: CaseTemplate, raw: Mapping, audience: str, *,
                         current: Mapping[str, str] | None = None, layout: Layout | None = None) -> CleanCase:
    """Check submitted values against the template for an audience; the single validator for every
    channel. Fields hidden by a condition are dropped, require-conditions enforced, inactive options
    refused (unless the case already holds the value: current), internal fields read only for staff.
    Raises ValidationFailed with a message per form field name.
    """
    layout = layout or template_layout(template, audience)
    current = current or {}
    errors: dict[str, str] = {}

    def text_of(name: str) -> str:
        value = raw.get(name)
        return ("" if value is None else str(value)).replace("\r\n", "\n").strip()

    title = text_of("title")
    if not storable(title):
        errors["title"] = UNSTORABLE
    elif not title:
        errors["title"] = _l("Enter a title.")
    elif "\n" in title:
        errors["title"] = _l("Use a single line for the title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _l("Use at most %(limit)d characters (you used %(used)d).", limit=TITLE_MAX, used=len(title))
    summary = text_of("summary")
    if not storable(summary):
        errors["summary"] = UNSTORABLE
    elif not summary:
        errors["summary"] = _l("Describe the problem in a few sentences.")
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = _l("Use at most %(limit)d characters (you used %(used)d).", limit=SUMMARY_MAX,
                                   used=len(summary))
    reason = None
    reason_id = text_of("reason")
    if reason_id:
        reason = active_reason(reason_id)
        if reason is None:
            errors["reason"] = _l("Choose one of the reasons in the list.")

    parsed: dict[str, str | None] = {}
    for placed in layout.fields:
        options = {o.value: o.active for o in placed.options}
        try:
            parsed[placed.key] = parse_value(placed.field, raw.get(form_name(placed.key)), options=options,
                                             keep=current.get(placed.key))
        except FieldRuleError as exc:
            errors[form_name(placed.key)] = exc.message
            parsed[placed.key] = None
    hidden, conditionally_required = apply_conditions(layout.conditions, parsed)
    values: dict[str, str] = {}
    for placed in layout.fields:
        name = form_name(placed.key)
        if placed.key in hidden:
            errors.pop(name, None)  # the server decides: a hidden field's input is ignored
            continue
        value = parsed[placed.key]
        if value is None and name not in errors and (placed.required or placed.key in conditionally_required):
            errors[name] = (_l("Choose yes or no.") if placed.field.field_type == "boolean"
                            else _l("Choose an option.") if placed.field.field_type == "select"
                            else _l("This is required."))
        if value is not None:
            values[placed.key] = value
    if errors:
        raise ValidationFailed(_l("Some answers need another look."), errors)
    return CleanCase(title=title, summary=summary, reason=reason, values=values)
