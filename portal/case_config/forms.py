"""The one case form: a case template becomes a WTForms form class for an audience. It only renders;
the values sent are checked by portal.case_config.service.values.validate_case_values, the single
validator every channel (web, API, email) calls. Custom fields are named by rules.form_name().
"""

from __future__ import annotations

from collections.abc import Mapping

from wtforms import Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal import config_cache
from portal.case_config.queries import Layout, PlacedField, active_reasons, template_layout
from portal.case_config.rules import TITLE_MAX, form_name, format_number, joined
from portal.i18n import _l
from portal.models.configuration import CaseTemplate

BOOLEAN_CHOICES = [("true", _l("Yes")), ("false", _l("No"))]
_INPUT_TYPES = {"date": "date", "email": "email", "phone": "tel", "url": "url"}


def condition_hint(placed: PlacedField, layout: Layout):
    """Plain words for a field's conditions, shown whether or not JavaScript runs (put into words in
    the reader's language when shown; empty when the field has no conditions)."""
    by_key = layout.by_key()
    parts = []
    for c in placed.conditions:
        source = by_key.get(c.source)
        if source is None:
            continue
        shown_value = _display(source, c.value)
        if c.action == "show":
            parts.append(_l("Only needed if “%(field)s” is “%(value)s”.", field=source.field.label,
                            value=shown_value))
        else:
            parts.append(_l("Required if “%(field)s” is “%(value)s”.", field=source.field.label, value=shown_value))
    return joined(parts) if parts else ""


def _display(placed: PlacedField, value: str) -> str:
    if placed.field.field_type == "select":
        return placed.option_label(value)
    if placed.field.field_type == "boolean":
        return dict(BOOLEAN_CHOICES).get(value, value)
    return value


def _wtforms_field(placed: PlacedField, keep: str | None):
    f = placed.field
    label = f.label
    # The admin's words for a format rule are shown before sending, not only in the refusal.
    description = " ".join(part for part in (f.help_text, f.pattern_message if f.pattern else "") if part)
    if f.field_type == "long_text":
        return TextAreaField(label, description=description)
    if f.field_type == "select":
        choices = [SelectChoice("", _l("Choose an option"))] + [
            SelectChoice(o.value, o.label if o.active else _l("%(option)s (no longer offered)", option=o.label))
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

    A class is kept per configuration (portal.config_cache) and reused when built from the very same
    layout's fields and reasons: building one and its first form cost 0.2 ms of a staff case page
    (issue 12). A case whose current value is a retired option gets a class of its own, which offers it.
    """
    layout = layout or template_layout(template, audience)
    current = current or {}
    reasons = active_reasons()
    if any(_retired(placed, current.get(placed.key)) for placed in layout.fields):
        return _build(template, base, layout, current, reasons)
    form_class = config_cache.cached(("case_form_class", template.id, audience, base),
                                     lambda: _build(template, base, layout, {}, reasons))
    if form_class.reasons_read is not reasons or len(form_class.placed) != len(layout.fields) or any(
            kept is not placed for kept, placed in zip(form_class.placed, layout.fields, strict=True)):
        return _build(template, base, layout, {}, reasons)  # another layout than the configuration's
    return form_class


def _retired(placed: PlacedField, value: str | None) -> bool:
    """Whether value is one of the field's options that are no longer offered."""
    return bool(value) and placed.field.field_type == "select" and any(
        option.value == value and not option.active for option in placed.options)


def _build(template: CaseTemplate, base: type[Form], layout: Layout, current: Mapping[str, str],
           reasons: tuple) -> type[Form]:
    choices = [SelectChoice("", _l("Choose a reason"))] + [SelectChoice(r.uuid, r.name) for r in reasons]
    attrs: dict[str, object] = {
        "layout": layout,
        "placed": tuple(layout.fields),  # what a kept class was built from (build_case_form compares)
        "reasons_read": reasons,
        "title": StringField(_l("Title"), description=_l("A few words that say what the case is about."),
                             render_kw={"maxlength": TITLE_MAX}),
        "summary": TextAreaField(_l("Summary"), description=_l("Tell us what happened and what you need.")),
        "reason": SelectField(_l("Reason"), choices=choices, validate_choice=False),
    }
    for placed in layout.fields:
        attrs[form_name(placed.key)] = _wtforms_field(placed, current.get(placed.key))
    return type(f"CaseForm_{template.id}", (base,), attrs)
