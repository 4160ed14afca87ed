"""Factories for case configuration: they go through the admin services, so the rules apply."""

from __future__ import annotations

import itertools

from portal.case_config import service
from portal.case_config.service import FieldInput, TemplateInput
from tests import factories

_counter = itertools.count(1)


def admin():
    return factories.user(role="admin")


def case_field(actor, field_type: str = "text", **overrides):
    n = next(_counter)
    data = FieldInput(label=overrides.pop("label", f"Field {n}"), field_type=field_type,
                      key=overrides.pop("key", f"field_{n}"), **overrides)
    return service.save_field(actor, None, data)


def select_field(actor, options: dict[str, str] | None = None, **overrides):
    field = case_field(actor, "select", **overrides)
    for label, value in (options or {"Red": "red", "Green": "green", "Blue": "blue"}).items():
        service.save_option(actor, field, None, label=label, value=value)
    return field


def template(actor, *, fields=(), publish: bool = True, **overrides):
    """fields: (CaseField, required) pairs or bare CaseFields, placed in the top section in order."""
    n = next(_counter)
    data = TemplateInput(name=overrides.pop("name", f"Template {n}"), **overrides)
    created = service.save_template(actor, None, data)
    for item in fields:
        field, required = item if isinstance(item, tuple) else (item, False)
        service.add_template_field(actor, created, field, required=required)
    if publish:
        service.publish_template(actor, created)
    return created
