"""Service-level policies (SLA per case template and priority) and operational targets (OLA per workgroup)."""

from __future__ import annotations

import peewee

from portal.i18n import _l
from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.base import uuid_field as _uuid
from portal.models.configuration import CaseTemplate
from portal.models.teams import Workgroup

# What a target measures, from when: the first staff answer since the case opened; the next staff answer since
# the customer last wrote; the resolution since the case opened.
SLA_METRICS = {
    "first_response": _l("First response"),
    "next_response": _l("Next response"),
    "resolution": _l("Resolution"),
}
# Status categories that stop the clock unless an admin chooses otherwise.
DEFAULT_PAUSE_CATEGORIES = ("waiting", "resolved")
DEFAULT_WARN_PERCENT = 75
# SlaTarget.priority for the template-wide row that every priority without its own row follows.
EVERY_PRIORITY = ""


class SlaPolicy(BaseModel):
    uuid = _uuid()
    template = peewee.ForeignKeyField(CaseTemplate, unique=True, backref="sla_policies", on_delete="CASCADE")
    # Status category codes, comma separated (portal.models.configuration.STATUS_CATEGORIES).
    pause_categories = peewee.CharField(max_length=60, default=",".join(DEFAULT_PAUSE_CATEGORIES))
    warn_percent = peewee.IntegerField(default=DEFAULT_WARN_PERCENT)
    updated_at = UTCDateTimeField(default=utcnow)

    @property
    def pause_category_codes(self) -> tuple[str, ...]:
        return tuple(code for code in self.pause_categories.split(",") if code)


class SlaTarget(BaseModel):
    """One target of a policy: for one priority (or EVERY_PRIORITY), one metric, a duration in minutes counted in
    the workgroup's business time or in calendar time."""

    policy = peewee.ForeignKeyField(SlaPolicy, backref="targets", on_delete="CASCADE")
    priority = peewee.CharField(max_length=10, default=EVERY_PRIORITY)
    metric = peewee.CharField(max_length=20)
    minutes = peewee.IntegerField()
    business_time = peewee.BooleanField(default=True)

    class Meta:
        indexes = ((("policy", "priority", "metric"), True),)


class OlaTarget(BaseModel):
    """A workgroup's own resolution target for cases escalated to it, counted from the escalation."""

    workgroup = peewee.ForeignKeyField(Workgroup, unique=True, backref="ola_targets", on_delete="CASCADE")
    minutes = peewee.IntegerField()
    business_time = peewee.BooleanField(default=True)
    updated_at = UTCDateTimeField(default=utcnow)


MODELS = [SlaPolicy, SlaTarget, OlaTarget]
