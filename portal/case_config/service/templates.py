"""Admin changes to case templates: details, the fields on them, conditions, publishing and retiring.

Every public function may be called by admins only (policy.require_admin) and raises
ValidationFailed (a message per field), NotAllowed or NotFound. Each change is checked against the
whole template (template_problems) inside its transaction, so a template is never saved in a state
its form could not be filled in. Publishing is immediate. Cases keep their values whatever happens
to a template, because values belong to fields.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from portal import policy
from portal.case_config.queries import template_conditions, template_layout
from portal.case_config.rules import (
    SOME_VALUES,
    UNSTORABLE,
    Condition,
    FieldRuleError,
    LayoutEntry,
    joined,
    parse_value,
    storable,
    template_problems,
)
from portal.clock import utcnow
from portal.db import database
from portal.errors import ValidationFailed
from portal.i18n import _l
from portal.models.configuration import (
    CONDITION_ACTIONS,
    PRIORITIES,
    SECTIONS,
    CaseField,
    CaseTemplate,
    TemplateCondition,
    TemplateField,
)
from portal.models.people import User
from portal.models.teams import Workgroup


@dataclass
class TemplateInput:
    name: str
    description: str = ""
    for_customers: bool = True
    for_proxies: bool = True
    for_staff: bool = True
    asks_asset: bool = True
    default_workgroup: Workgroup | None = None
    escalation_workgroup: Workgroup | None = None
    default_priority: str = "normal"


def save_template(actor: User, template: CaseTemplate | None, data: TemplateInput) -> CaseTemplate:
    """Create (template=None, as a draft) or change a template's details."""
    policy.require_admin(actor)
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not storable(name):
        errors["name"] = UNSTORABLE
    elif not name:
        errors["name"] = _l("Enter a name customers will recognise.")
    elif len(name) > 120:
        errors["name"] = _l("Use at most %(limit)d characters.", limit=120)
    description = (data.description or "").strip()
    if not storable(description):
        errors["description"] = UNSTORABLE
    elif len(description) > 2000:
        errors["description"] = _l("Use at most %(limit)d characters.", limit=2000)
    if data.default_priority not in PRIORITIES:
        errors["default_priority"] = _l("Choose a priority.")
    if not (data.for_customers or data.for_proxies or data.for_staff):
        errors["for_customers"] = _l("Choose at least one kind of user who may use this template.")
    if errors:
        raise ValidationFailed(SOME_VALUES, errors)
    values = {"name": name, "description": description, "for_customers": data.for_customers,
              "for_proxies": data.for_proxies, "for_staff": data.for_staff, "asks_asset": data.asks_asset,
              "default_workgroup": data.default_workgroup, "escalation_workgroup": data.escalation_workgroup,
              "default_priority": data.default_priority}
    try:
        with database.atomic():
            if template is None:
                template = CaseTemplate.create(**values)
            else:
                for key, value in values.items():
                    setattr(template, key, value)
                template.updated_at = utcnow()
                template.save()
    except peewee.IntegrityError as exc:
        raise ValidationFailed(_l("That name is taken."),
                               {"name": _l("Another template already has this name.")}) from exc
    return template


def _check(template: CaseTemplate, error_field: str) -> None:
    """Refuse (roll back) a change that leaves the template unusable."""
    layout = template_layout(template, "staff", include_inactive=True)
    entries = [LayoutEntry(key=p.key, label=p.field.label, required=p.required, internal=p.field.is_internal)
               for p in layout.fields]
    conditions = [Condition(target=c.target.key, action=c.action, source=c.source.key, value=c.value)
                  for c in template_conditions(template)]
    problems = template_problems(entries, conditions)
    if problems:
        raise ValidationFailed(problems[0], {error_field: joined(problems)})


def _touch(template: CaseTemplate) -> None:
    CaseTemplate.update(updated_at=utcnow()).where(CaseTemplate.id == template.id).execute()


def add_template_field(actor: User, template: CaseTemplate, field: CaseField | None, *, section: str = "top",
                       required: bool = False) -> TemplateField:
    """Put a field at the end of a section of the template."""
    policy.require_admin(actor)
    errors = {}
    if field is None:
        errors["field"] = _l("Choose a field.")
    if section not in SECTIONS:
        errors["section"] = _l("Choose a section.")
    if errors:
        raise ValidationFailed(SOME_VALUES, errors)
    try:
        with database.atomic():
            last = (TemplateField.select(peewee.fn.MAX(TemplateField.position))
                    .where((TemplateField.template == template) & (TemplateField.section == section))
                    .scalar())
            placed = TemplateField.create(template=template, field=field, section=section,
                                          position=(last or 0) + 1, required=required)
            _touch(template)
    except peewee.IntegrityError as exc:
        raise ValidationFailed(_l("Already on the template."),
                               {"field": _l("This field is already on the template.")}) from exc
    return placed


def update_template_field(actor: User, placed: TemplateField, *, section: str, required: bool) -> TemplateField:
    """Move a field to another section (at its end) or change whether it is required."""
    policy.require_admin(actor)
    if section not in SECTIONS:
        raise ValidationFailed(_l("Choose a section."), {"section": _l("Choose a section.")})
    with database.atomic():
        if section != placed.section:
            last = (TemplateField.select(peewee.fn.MAX(TemplateField.position))
                    .where((TemplateField.template == placed.template_id) & (TemplateField.section == section))
                    .scalar())
            placed.position = (last or 0) + 1
        placed.section, placed.required = section, required
        placed.save()
        _check(placed.template, "required")
        _touch(placed.template)
    return placed


def move_template_field(actor: User, placed: TemplateField, direction: str) -> None:
    """Swap a field with its neighbour above ("up") or below ("down") in its section."""
    policy.require_admin(actor)
    siblings = list(TemplateField.select()
                    .where((TemplateField.template == placed.template_id) & (TemplateField.section == placed.section))
                    .order_by(TemplateField.position, TemplateField.id))
    index = next(i for i, s in enumerate(siblings) if s.id == placed.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with database.atomic():
        for position, sibling in enumerate(siblings, start=1):
            TemplateField.update(position=position).where(TemplateField.id == sibling.id).execute()
        _touch(placed.template)


def remove_template_field(actor: User, placed: TemplateField) -> None:
    """Take a field off the template (cases keep their values). Refused while a condition uses it."""
    policy.require_admin(actor)
    in_use = (TemplateCondition.select()
              .where((TemplateCondition.template == placed.template_id)
                     & ((TemplateCondition.target == placed.field_id) | (TemplateCondition.source == placed.field_id)))
              .exists())
    if in_use:
        in_use_message = _l("Remove the conditions that use this field first.")
        raise ValidationFailed(in_use_message, {"field": in_use_message})
    with database.atomic():
        placed.delete_instance()
        _touch(placed.template)


def add_condition(actor: User, template: CaseTemplate, *, target: CaseField | None, action: str,
                  source: CaseField | None, value: str) -> TemplateCondition:
    """Show or require target when source holds value; both must be on the template."""
    policy.require_admin(actor)
    errors: dict[str, str] = {}
    on_template = {tf.field_id for tf in TemplateField.select().where(TemplateField.template == template)}
    if target is None or target.id not in on_template:
        errors["target"] = _l("Choose a field on this template.")
    if source is None or source.id not in on_template:
        errors["source"] = _l("Choose a field on this template.")
    if action not in CONDITION_ACTIONS:
        errors["action"] = _l("Choose show or require.")
    canonical = None
    if source is not None and "source" not in errors:
        options = {o.value: True for o in source.options}
        by_label = {o.label.casefold(): o.value for o in source.options}
        # admins think in labels; the condition stores the option's value
        value = by_label.get((value or "").strip().casefold(), value)
        try:
            canonical = parse_value(source, value, options=options)
        except FieldRuleError as exc:
            errors["value"] = _l("Not a value “%(field)s” can hold: %(problem)s", field=source.label,
                                 problem=exc.message)
        if canonical is None and "value" not in errors:
            errors["value"] = _l("Enter the value that triggers the condition.")
    if errors:
        raise ValidationFailed(SOME_VALUES, errors)
    with database.atomic():
        condition = TemplateCondition.create(template=template, target=target, action=action, source=source,
                                             value=canonical)
        _check(template, "target")
        _touch(template)
    return condition


def remove_condition(actor: User, condition: TemplateCondition) -> None:
    policy.require_admin(actor)
    with database.atomic():
        condition.delete_instance()
        _touch(condition.template)


def publish_template(actor: User, template: CaseTemplate) -> CaseTemplate:
    """Offer the template to its users now (from draft or retired)."""
    policy.require_admin(actor)
    with database.atomic():
        _check(template, "state")
        now = utcnow()
        template.state, template.published_at, template.updated_at = "published", now, now
        template.save()
    return template


def retire_template(actor: User, template: CaseTemplate) -> CaseTemplate:
    """Stop offering the template for new cases; existing cases keep it and all their values."""
    policy.require_admin(actor)
    template.state, template.updated_at = "retired", utcnow()
    template.save()
    return template
