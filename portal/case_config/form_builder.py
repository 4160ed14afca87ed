"""The one form builder: a case template becomes a WTForms form, and submitted values are checked
by validate_case_values() with the same rules wherever a case is created or edited (web, API, email).

Custom fields appear in forms and in the raw mapping under FIELD_PREFIX + key, so an admin's field key
can never clash with title, summary, reason or csrf_token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wtforms import Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal.case_config.queries import Layout, PlacedField, active_reasons, template_layout
from portal.case_config.rules import (
    UNSTORABLE,
    FieldRuleError,
    apply_conditions,
    format_number,
    parse_value,
    storable,
)
from portal.errors import ValidationFailed
from portal.identifiers import by_uuid
from portal.models.configuration import CaseReason, CaseTemplate

FIELD_PREFIX = "cf_"
TITLE_MAX = 200
SUMMARY_MAX = 10000
BOOLEAN_CHOICES = [("true", "Yes"), ("false", "No")]
_INPUT_TYPES = {"date": "date", "email": "email", "phone": "tel", "url": "url"}


def form_name(key: str) -> str:
    return f"{FIELD_PREFIX}{key}"


@dataclass
class CleanCase:
    """Checked values, ready for the service: custom values are canonical strings by field key."""

    title: str
    summary: str
    reason: CaseReason | None
    values: dict[str, str] = field(default_factory=dict)


def condition_hint(placed: PlacedField, layout: Layout) -> str:
    """Plain words for a field's conditions, shown whether or not JavaScript runs."""
    by_key = layout.by_key()
    parts = []
    for c in placed.conditions:
        source = by_key.get(c.source)
        if source is None:
            continue
        shown_value = _display(source, c.value)
        if c.action == "show":
            parts.append(f"Only needed if “{source.field.label}” is “{shown_value}”.")
        else:
            parts.append(f"Required if “{source.field.label}” is “{shown_value}”.")
    return " ".join(parts)


def _display(placed: PlacedField, value: str) -> str:
    if placed.field.field_type == "select":
        return placed.option_label(value)
    if placed.field.field_type == "boolean":
        return dict(BOOLEAN_CHOICES).get(value, value)
    return value


def _wtforms_field(placed: PlacedField, keep: str | None):
    f = placed.field
    label = f.label
    description = f.help_text or ""
    if f.field_type == "long_text":
        return TextAreaField(label, description=description)
    if f.field_type == "select":
        choices = [SelectChoice("", "Choose an option")] + [
            SelectChoice(o.value, o.label if o.active else f"{o.label} (no longer offered)")
            for o in placed.options if o.active or o.value == keep
        ]
        return SelectField(label, description=description, choices=choices, validate_choice=False)
    if f.field_type == "boolean":
        return RadioField(label, description=description, choices=[SelectChoice(v, lbl) for v, lbl in BOOLEAN_CHOICES],
                          validate_choice=False)
    render_kw: dict[str, object] = {}
    if f.field_type == "number":
        render_kw["inputmode"] = "numeric" if (f.number_kind or "integer") == "integer" else "decimal"
        if f.min_value is not None:
            render_kw["data-min"] = format_number(f.min_value)
        if f.max_value is not None:
            render_kw["data-max"] = format_number(f.max_value)
    elif f.field_type in _INPUT_TYPES:
        render_kw["type"] = _INPUT_TYPES[f.field_type]
    if f.field_type == "text" and f.max_length:
        render_kw["maxlength"] = f.max_length
    return StringField(label, description=description, render_kw=render_kw)


def build_case_form(template: CaseTemplate, audience: str, *, base: type[Form],
                    current: Mapping[str, str] | None = None, layout: Layout | None = None) -> type[Form]:
    """A form class deriving from base for the template: title, summary, reason and its fields for the
    audience. Pages pass FlaskForm as base (for its CSRF token); this module stays free of Flask.

    The class only renders (and checks base's CSRF token); validate_case_values() decides what is
    valid. The layout it was built from is on the class as `layout`.
    """
    layout = layout or template_layout(template, audience)
    current = current or {}
    reasons = [SelectChoice("", "Choose a reason")] + [SelectChoice(r.uuid, r.name) for r in active_reasons()]
    attrs: dict[str, object] = {
        "layout": layout,
        "title": StringField("Title", description="A few words that say what the case is about.",
                             render_kw={"maxlength": TITLE_MAX}),
        "summary": TextAreaField("Summary", description="Tell us what happened and what you need."),
        "reason": SelectField("Reason", choices=reasons, validate_choice=False),
    }
    for placed in layout.fields:
        attrs[form_name(placed.key)] = _wtforms_field(placed, current.get(placed.key))
    return type(f"CaseForm_{template.id}", (base,), attrs)


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
        errors["title"] = "Enter a title."
    elif "\n" in title:
        errors["title"] = "Use a single line for the title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Use at most {TITLE_MAX} characters (you used {len(title)})."
    summary = text_of("summary")
    if not storable(summary):
        errors["summary"] = UNSTORABLE
    elif not summary:
        errors["summary"] = "Describe the problem in a few sentences."
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = f"Use at most {SUMMARY_MAX} characters (you used {len(summary)})."
    reason = None
    reason_id = text_of("reason")
    if reason_id:
        reason = by_uuid(CaseReason, reason_id)
        if reason is None or not reason.active:
            reason = None
            errors["reason"] = "Choose one of the reasons in the list."

    parsed: dict[str, str | None] = {}
    for placed in layout.fields:
        options = {o.value: o.active for o in placed.options}
        try:
            parsed[placed.key] = parse_value(placed.field, raw.get(form_name(placed.key)), options=options,
                                             keep=current.get(placed.key))
        except FieldRuleError as exc:
            errors[form_name(placed.key)] = str(exc)
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
            errors[name] = ("Choose yes or no." if placed.field.field_type == "boolean"
                            else "Choose an option." if placed.field.field_type == "select"
                            else "This is required.")
        if value is not None:
            values[placed.key] = value
    if errors:
        raise ValidationFailed("Some answers need another look.", errors)
    return CleanCase(title=title, summary=summary, reason=reason, values=values)
