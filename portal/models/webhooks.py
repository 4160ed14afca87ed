"""Webhook endpoints: where admins want typed events POSTed (signed, through the notifier's outbox),
and the audit log of their changes."""

import peewee

from portal.models.base import BaseModel, JSONField, UTCDateTimeField, utcnow, uuid_field
from portal.models.configuration import CaseTemplate
from portal.models.people import User


class WebhookEndpoint(BaseModel):
    """One receiver. event_types lists the subscribed types (empty: none); case_template limits it to
    events of that template's cases. Secrets sign every delivery ("whsec_" + base64): after a
    rotation the previous one also signs until previous_secret_expires_at, so a receiver can roll
    over. A paused endpoint (paused_at set: by an admin, or after failing again and again) still gets
    its deliveries queued; they wait, unclaimed, until it is resumed. An inactive endpoint gets none."""

    uuid = uuid_field()
    url = peewee.CharField(max_length=2000)
    description = peewee.CharField(max_length=200, default="")
    event_types = JSONField(default=list)
    case_template = peewee.ForeignKeyField(CaseTemplate, null=True, backref="webhook_endpoints",
                                           on_delete="CASCADE")
    secret = peewee.CharField(max_length=100)
    previous_secret = peewee.CharField(max_length=100, null=True)
    previous_secret_expires_at = UTCDateTimeField(null=True)
    active = peewee.BooleanField(default=True)
    paused_at = UTCDateTimeField(null=True)
    paused_reason = peewee.TextField(null=True)
    consecutive_failures = peewee.IntegerField(default=0)
    failing_since = UTCDateTimeField(null=True)
    created_by = peewee.ForeignKeyField(User, null=True, backref="webhook_endpoints", on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "webhook_endpoint"


class WebhookChange(BaseModel):
    """The audit log of webhook configuration: one row per change (created, edited, secret rotated,
    paused, resumed, deleted, test sent, redelivered), who made it (None: the system) and the values
    before and after (never a secret). Kept when the endpoint is deleted."""

    uuid = uuid_field()
    endpoint = peewee.ForeignKeyField(WebhookEndpoint, null=True, backref="changes", on_delete="SET NULL")
    endpoint_uuid = peewee.CharField(max_length=36, index=True)
    actor = peewee.ForeignKeyField(User, null=True, backref="webhook_changes", on_delete="SET NULL")
    action = peewee.CharField(max_length=40)
    old_value = JSONField(null=True)
    new_value = JSONField(null=True)
    created_at = UTCDateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "webhook_change"


MODELS = [WebhookEndpoint, WebhookChange]
