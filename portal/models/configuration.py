"""Case configuration admins define: statuses, case reasons, custom fields with options, case templates.

Values a case holds belong to the field (portal.models.cases.CaseFieldValue), never to the template,
so changing or retiring a template cannot hide data on existing cases.
"""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid
from portal.models.teams import Workgroup

STATUS_CATEGORIES = {
    "open": "Open (we are working on it)",
    "waiting": "Waiting (on the customer or someone else)",
    "resolved": "Resolved (awaiting the customer's acceptance)",
    "closed": "Closed",
}
FIELD_TYPES = {
    "text": "Text",
    "long_text": "Long text",
    "number": "Number",
    "date": "Date",
    "select": "Single-select",
    "boolean": "True/false",
    "email": "Email address",
    "phone": "Phone number",
    "url": "Web address (URL)",
}
VISIBILITIES = {"customer": "Customer-visible", "internal": "Internal only (staff)"}
NUMBER_KINDS = {"integer": "Whole number", "decimal": "Decimal number"}
TEMPLATE_STATES = {"draft": "Draft", "published": "Published", "retired": "Retired"}
PRIORITIES = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}
SECTIONS = {"top": "Top", "more": "More information"}
CONDITION_ACTIONS = {"show": "Show", "require": "Require"}


class CaseStatus(BaseModel):
    uuid = _uuid()
    name = peewee.CharField(max_length=60, unique=True)
    category = peewee.CharField(max_length=10)
    # Open, Resolved and Closed drive the case rules: they cannot be renamed, recategorised or removed.
    is_system = peewee.BooleanField(default=False)
    customer_description = peewee.TextField(default="")
    position = peewee.IntegerField(default=0)
    active = peewee.BooleanField(default=True)

    def __str__(self):
        return self.name


class CaseReason(BaseModel):
    uuid = _uuid()
    name = peewee.CharField(max_length=100, unique=True)
    active = peewee.BooleanField(default=True)
    position = peewee.IntegerField(default=0)

    def __str__(self):
        return self.name


class CaseField(BaseModel):
    uuid = _uuid()
    # The stable name of the field for the API and imports; never changes once created.
    key = peewee.CharField(max_length=60, unique=True)
    label = peewee.CharField(max_length=120)
    field_type = peewee.CharField(max_length=20)
    help_text = peewee.CharField(max_length=300, default="")
    admin_description = peewee.TextField(default="")
    pattern = peewee.CharField(max_length=300, null=True)
    pattern_message = peewee.CharField(max_length=200, default="")
    visibility = peewee.CharField(max_length=10, default="customer")
    number_kind = peewee.CharField(max_length=10, null=True)
    min_value = peewee.DecimalField(max_digits=20, decimal_places=6, null=True, auto_round=True)
    max_value = peewee.DecimalField(max_digits=20, decimal_places=6, null=True, auto_round=True)
    max_length = peewee.IntegerField(null=True)
    active = peewee.BooleanField(default=True)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    @property
    def type_label(self) -> str:
        return FIELD_TYPES.get(self.field_type, self.field_type)

    @property
    def is_internal(self) -> bool:
        return self.visibility == "internal"

    def __str__(self):
        return self.label


class FieldOption(BaseModel):
    """One choice of a single-select field: the label people see, the value cases store."""

    uuid = _uuid()
    field = peewee.ForeignKeyField(CaseField, backref="options", on_delete="CASCADE")
    label = peewee.CharField(max_length=120)
    value = peewee.CharField(max_length=120)
    active = peewee.BooleanField(default=True)

    class Meta:
        indexes = (
            (("field", "value"), True),
            (("field", "label"), True),
        )

    def __str__(self):
        return self.label


class CaseTemplate(BaseModel):
    uuid = _uuid()
    name = peewee.CharField(max_length=120, unique=True)
    description = peewee.TextField(default="")
    state = peewee.CharField(max_length=10, default="draft", index=True)
    for_customers = peewee.BooleanField(default=True)
    for_proxies = peewee.BooleanField(default=True)
    for_staff = peewee.BooleanField(default=True)
    # Whether the case form asks which of the customer's account's products or assets the case is about.
    # Off for templates with a product field of their own, so nobody is asked the same thing twice.
    asks_asset = peewee.BooleanField(default=True)
    default_workgroup = peewee.ForeignKeyField(Workgroup, null=True, backref="default_for_templates",
                                               on_delete="SET NULL")
    escalation_workgroup = peewee.ForeignKeyField(Workgroup, null=True, backref="escalation_for_templates",
                                                  on_delete="SET NULL")
    default_priority = peewee.CharField(max_length=10, default="normal")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    published_at = UTCDateTimeField(null=True)

    @property
    def state_label(self) -> str:
        return TEMPLATE_STATES.get(self.state, self.state)

    @property
    def audience_labels(self) -> list[str]:
        return [label for flag, label in ((self.for_customers, "Customers"), (self.for_proxies, "Proxies"),
                                          (self.for_staff, "Staff")) if flag]

    def __str__(self):
        return self.name


class TemplateField(BaseModel):
    template = peewee.ForeignKeyField(CaseTemplate, backref="template_fields", on_delete="CASCADE")
    field = peewee.ForeignKeyField(CaseField, backref="in_templates", on_delete="RESTRICT")
    section = peewee.CharField(max_length=10, default="top")
    position = peewee.IntegerField(default=0)
    required = peewee.BooleanField(default=False)

    class Meta:
        indexes = ((("template", "field"), True),)


class TemplateCondition(BaseModel):
    """Show (or require) the target field only when the source field holds value."""

    uuid = _uuid()
    template = peewee.ForeignKeyField(CaseTemplate, backref="conditions", on_delete="CASCADE")
    target = peewee.ForeignKeyField(CaseField, backref="conditioned_by", on_delete="RESTRICT")
    action = peewee.CharField(max_length=10)
    source = peewee.ForeignKeyField(CaseField, backref="conditions_on", on_delete="RESTRICT")
    value = peewee.CharField(max_length=255)


MODELS = [CaseStatus, CaseReason, CaseField, FieldOption, CaseTemplate, TemplateField, TemplateCondition]
