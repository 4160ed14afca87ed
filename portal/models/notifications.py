"""Who is told what: notification rules per case template and event, and each user's preferences."""

from __future__ import annotations

import peewee

from portal.models.base import BaseModel, UTCDateTimeField, utcnow
from portal.models.configuration import CaseTemplate
from portal.models.people import User


class NotificationRule(BaseModel):
    """The channels one audience gets for one event. A null case template is the default rule for
    every template; a template's own rule overrides it."""

    case_template = peewee.ForeignKeyField(CaseTemplate, null=True, backref="notification_rules",
                                           on_delete="CASCADE")
    event = peewee.CharField(max_length=100)
    audience = peewee.CharField(max_length=30)
    email = peewee.BooleanField(default=False)
    sms = peewee.BooleanField(default=False)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("case_template", "event", "audience"), True),)


# NULLs are distinct in unique indexes on both backends, so the default rules (no template) need a
# partial index of their own to stay one row per (event, audience).
NotificationRule.add_index(
    NotificationRule.index(NotificationRule.event, NotificationRule.audience, unique=True)
    .where(NotificationRule.case_template.is_null())
)


class NotificationPreference(BaseModel):
    """A user's choice of channels for one kind of event; no row means the defaults (both on)."""

    user = peewee.ForeignKeyField(User, backref="notification_preferences", on_delete="CASCADE")
    event = peewee.CharField(max_length=100)
    email = peewee.BooleanField(default=True)
    sms = peewee.BooleanField(default=True)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "event"), True),)


MODELS = [NotificationRule, NotificationPreference]
