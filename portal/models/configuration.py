"""Case configuration admins define: statuses, case reasons, custom fields with options, case templates.

Values a case holds belong to the field (portal.models.cases.CaseFieldValue), never to the template,
so changing or retiring a template cannot hide data on existing cases.
"""

from __future__ import annotations

import peewee

from portal.i18n import _l
from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid
from portal.models.teams import Workgroup

# Labels for codes, shown on pages: marked with _l, so each is put into words in the reader's
# language when shown (the codes are what is stored and compared).
STATUS_CATEGORIES = {
    "open": _l("Open (we are working on it)"),
    "waiting": _l("Waiting (on the customer or someone else)"),
    "resolved": _l("Resolved (awaiting the customer's acceptance)"),
    "closed": _l("Closed"),
}
# A category's short name, for badges and filters.
STATUS_CATEGORY_NAMES = {
    "open": _l("Open"),
    "waiting": _l("Waiting"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
FIELD_TYPES = {
    "text": _l("Text"),
    "long_text": _l("Long text"),
    "number": _l("Number"),
    "date": _l("Date"),
    "select": _l("Single-select"),
    "boolean": _l("True/false"),
    "email": _l("Email address"),
    "phone": _l("Phone number"),
    "url": _l("Web address (URL)"),
}
VISIBILITIES = {"customer": _l("Customer-visible"), "internal": _l("Internal only (staff)")}
NUMBER_KINDS = {"integer": _l("Whole number"), "decimal": _l("Decimal number")}
TEMPLATE_STATES = {"draft": _l("Draft"), "published": _l("Published"), "retired": _l("Retired")}
# Plain English names still written into case events and notification data (the codes are the keys);
# pages show PRIORITY_LABELS.
PRIORITIES = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
SECTIONS = {"top": _l("Top"), "more": _l("More information")}
CONDITION_ACTIONS = {"show": _l("Show"), "require": _l("Require")}
TEMPLATE_AUDIENCES = {"customers": _l("Customers"), "proxies": _l("Proxies"), "staff": _l("Staff")}


class CaseStatus(BaseModel):
    uuid = _uuid()
    name = peewee.CharField(max_length=60, unique=True)
    category = peewee.CharField(max_length=10)
    # Open, Resolved and Closed drive the case rules: they cannot be renamed, recategorised or removed.
    is_system = peewee.BooleanField(default=False)
    customer_description = peewee.TextField(default="")
    position = peewee.IntegerField(default=0)
    active = peewee.BooleanField(default=True)

    @property
    def category_label(self) -> str:
        return STATUS_CATEGORY_NAMES.get(self.category, self.category)

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
        flags = {"customers": self.for_customers, "proxies": self.for_proxies, "staff": self.for_staff}
        return [label for audience, label in TEMPLATE_AUDIENCES.items() if flags[audience]]

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


class ConfigurationVersion(BaseModel):
    """One row (id 1): a stamp that changes with every committed change to the configuration the portal caches
    (portal.config_cache). Triggers on the configuration tables (migration 0033) set a new random stamp inside
    the writer's own statement, so every writer (an admin page, the API, the CLI, a script, raw SQL) changes it
    in its transaction, and a rolled-back change leaves it as it was. Random rather than counted: a stamp is
    never handed out twice, even after a database is restored from a backup or a test resets its tables."""

    id = peewee.IntegerField(primary_key=True)
    stamp = peewee.BigIntegerField()

    class Meta:
        table_name = "configuration_version"


MODELS = [CaseStatus, CaseReason, CaseField, FieldOption, CaseTemplate, TemplateField, TemplateCondition,
          ConfigurationVersion]
