"""Reads of the case configuration: which templates a user may use, and a template's layout."""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee

from portal import config_cache
from portal.case_config.rules import Condition
from portal.identifiers import parse_uuid
from portal.models.configuration import (
    CaseField,
    CaseReason,
    CaseStatus,
    CaseTemplate,
    FieldOption,
    TemplateCondition,
    TemplateField,
)
from portal.models.people import STAFF_ROLES, User

AUDIENCES = ("customer", "proxy", "staff")


def audience_for(user: User | None) -> str | None:
    """Which kind of form a user fills in: customer, proxy or staff (None for nobody)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.role in STAFF_ROLES:
        return "staff"
    return user.role if user.role in ("customer", "proxy") else None


def _audience_flag(audience: str | None):
    return {"customer": CaseTemplate.for_customers, "proxy": CaseTemplate.for_proxies,
            "staff": CaseTemplate.for_staff}.get(audience or "")


def templates_for(user: User | None):
    """Published templates the user's role may use, alphabetically."""
    return templates_for_audience(audience_for(user))


def offered_templates(audience: str | None) -> tuple[CaseTemplate, ...]:
    """What templates_for() gives an audience, read once per configuration change (portal.config_cache): shared
    instances to read, never to change or save."""
    if _audience_flag(audience) is None:
        return ()
    return config_cache.cached(("offered_templates", audience), lambda: tuple(templates_for_audience(audience)))


def templates_for_audience(audience: str | None):
    flag = _audience_flag(audience)
    if flag is None:
        return CaseTemplate.select().where(peewee.SQL("1 = 0"))
    return (
        CaseTemplate.select()
        .where((CaseTemplate.state == "published") & (flag == True))  # noqa: E712 - peewee expression
        .order_by(peewee.fn.LOWER(CaseTemplate.name), CaseTemplate.id)
    )


def offered_template(user: User | None, template_uuid: object) -> CaseTemplate | None:
    """The published template with this public UUID if the user's role may use it, else None (junk included)."""
    text = parse_uuid(template_uuid)
    if not text:
        return None
    return next((t for t in offered_templates(audience_for(user)) if t.uuid == text), None)


def template_offered_to(template: CaseTemplate, user: User | None) -> bool:
    return any(t.id == template.id for t in offered_templates(audience_for(user)))


def all_templates():
    return CaseTemplate.select().order_by(peewee.fn.LOWER(CaseTemplate.name), CaseTemplate.id)


def all_fields():
    return CaseField.select().order_by(peewee.fn.LOWER(CaseField.label), CaseField.id)


def all_statuses():
    return CaseStatus.select().order_by(CaseStatus.position, CaseStatus.id)


def all_reasons():
    return CaseReason.select().order_by(CaseReason.position, peewee.fn.LOWER(CaseReason.name), CaseReason.id)


def active_reasons() -> tuple[CaseReason, ...]:
    """The reasons a case form offers, in order, read once per configuration change (portal.config_cache):
    shared instances to read, never to change or save."""
    return config_cache.cached(("active_reasons",),
                               lambda: tuple(all_reasons().where(CaseReason.active == True)))  # noqa: E712


def active_reason(reason_uuid: object) -> CaseReason | None:
    """The active reason with this public UUID, or None (unknown, retired or junk)."""
    text = parse_uuid(reason_uuid)
    return next((r for r in active_reasons() if r.uuid == text), None) if text else None


def options_by_label(field_: CaseField):
    """A select field's options, alphabetically by label (the order people see them in)."""
    return (
        FieldOption.select()
        .where(FieldOption.field == field_)
        .order_by(peewee.fn.LOWER(FieldOption.label), FieldOption.id)
    )


@dataclass
class PlacedField:
    """A field as it sits on a template, with its options (alphabetical) and the conditions on it."""

    field: CaseField
    section: str
    position: int
    required: bool
    template_field: TemplateField
    options: list[FieldOption] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.field.key

    def option_label(self, value: str | None) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value or ""


@dataclass
class Layout:
    template: CaseTemplate
    fields: list[PlacedField]
    conditions: list[Condition]

    def section(self, name: str) -> list[PlacedField]:
        return [f for f in self.fields if f.section == name]

    def by_key(self) -> dict[str, PlacedField]:
        return {f.key: f for f in self.fields}


def template_layout(template: CaseTemplate, audience: str | None = "staff", *, include_inactive: bool = False
                    ) -> Layout:
    """The template's fields in order (top section first) for an audience: internal fields only for
    staff; inactive fields are left out of forms unless include_inactive (the admin view). Read once per
    configuration change (portal.config_cache): the fields, options and conditions are shared, to read only."""
    audience = "staff" if audience == "staff" else "customer"  # the only difference between audiences
    cached = config_cache.cached(("template_layout", template.id, audience, include_inactive),
                                 lambda: _read_layout(template, audience, include_inactive))
    return Layout(template=template, fields=list(cached.fields), conditions=list(cached.conditions))


def _read_layout(template: CaseTemplate, audience: str, include_inactive: bool) -> Layout:
    query = (
        TemplateField.select(TemplateField, CaseField)
        .join(CaseField)
        .where(TemplateField.template == template)
        .order_by(peewee.Case(None, ((TemplateField.section == "top", 0),), 1), TemplateField.position,
                  TemplateField.id)
    )
    if audience != "staff":
        query = query.where(CaseField.visibility == "customer")
    if not include_inactive:
        query = query.where(CaseField.active == True)  # noqa: E712
    placed = [PlacedField(field=tf.field, section=tf.section, position=tf.position, required=tf.required,
                          template_field=tf) for tf in query]
    keys = {p.field.id: p for p in placed}
    if keys:
        options = (
            FieldOption.select()
            .where(FieldOption.field.in_(list(keys)))
            .order_by(peewee.fn.LOWER(FieldOption.label), FieldOption.id)
        )
        for option in options:
            keys[option.field_id].options.append(option)
    conditions = []
    for row in template_conditions(template):
        if row.target_id in keys and row.source_id in keys:
            condition = Condition(target=row.target.key, action=row.action, source=row.source.key, value=row.value)
            conditions.append(condition)
            keys[row.target_id].conditions.append(condition)
    return Layout(template=template, fields=placed, conditions=conditions)


def template_conditions(template: CaseTemplate):
    Source = CaseField.alias("source")
    return (
        TemplateCondition.select(TemplateCondition, CaseField, Source)
        .join(CaseField, on=(TemplateCondition.target == CaseField.id))
        .switch(TemplateCondition)
        .join(Source, on=(TemplateCondition.source == Source.id))
        .where(TemplateCondition.template == template)
        .order_by(TemplateCondition.id)
    )
