"""GET /case-templates and /case-templates/{id}: the templates the token's user may file cases with,
and each one's field schema as that user's form has it (portal.case_config.queries)."""

from __future__ import annotations

from decimal import Decimal

from flask_login import current_user

from portal.api.framework import operation
from portal.api.resources.case_models import (
    ConditionOut,
    OptionOut,
    ReasonOut,
    TemplateFieldOut,
    TemplateList,
    TemplateOut,
    TemplateSummary,
)
from portal.case_config.queries import PlacedField, active_reasons, audience_for, template_layout, templates_for
from portal.case_config.rules import DEFAULT_MAX_LENGTH
from portal.errors import NotFound
from portal.identifiers import parse_uuid
from portal.models.configuration import CaseTemplate


def offered_template(template_id: object) -> CaseTemplate:
    """The template with this UUID if the token's user may file cases with it, else NotFound."""
    text = parse_uuid(template_id)
    template = templates_for(current_user).where(CaseTemplate.uuid == text).first() if text else None
    if template is None:
        raise NotFound()
    return template


@operation("/case-templates", "GET", scope="cases:read", tag="Case templates", response=TemplateList,
           summary="List the case templates you may file cases with")
def list_templates() -> TemplateList:
    """The published templates offered to the token's user's role (customers, proxies or staff), by name.
    Fetch one to see its fields."""
    return TemplateList(items=[TemplateSummary(id=t.uuid, name=t.name, description=t.description)
                               for t in templates_for(current_user)])


def _number(value) -> float | None:
    return float(Decimal(value)) if value is not None else None


def _field(placed: PlacedField) -> TemplateFieldOut:
    field = placed.field
    max_length = None
    if field.field_type in DEFAULT_MAX_LENGTH:
        max_length = field.max_length or DEFAULT_MAX_LENGTH[field.field_type]
    numeric = field.field_type == "number"
    return TemplateFieldOut(
        key=field.key, label=field.label, type=field.field_type, help_text=field.help_text, section=placed.section,
        position=placed.position, required=placed.required, visibility=field.visibility,
        options=[OptionOut(value=o.value, label=o.label) for o in placed.options if o.active],
        pattern=field.pattern or None, pattern_message=field.pattern_message or None,
        number_kind=(field.number_kind or "integer") if numeric else None,
        min=_number(field.min_value) if numeric else None, max=_number(field.max_value) if numeric else None,
        max_length=max_length)


@operation("/case-templates/<template_id>", "GET", scope="cases:read", tag="Case templates", response=TemplateOut,
           summary="Get a case template with its field schema")
def get_template(template_id: str) -> TemplateOut:
    """The template's custom fields as the token's user fills them in (internal fields for staff only):
    types, options, required flags, format rules, and the conditions that show or require a field
    depending on another field's value. 404 for a template the user may not file with."""
    template = offered_template(template_id)
    layout = template_layout(template, audience_for(current_user))
    return TemplateOut(
        id=template.uuid, name=template.name, description=template.description, asks_asset=template.asks_asset,
        default_priority=template.default_priority, fields=[_field(p) for p in layout.fields],
        conditions=[ConditionOut(field=c.target, action=c.action, when_field=c.source, equals=c.value)
                    for c in layout.conditions],
        reasons=[ReasonOut(id=r.uuid, name=r.name) for r in active_reasons()])
