"""Reads for the webhook pages: endpoints, one endpoint's deliveries (its outbox messages) and its
audit log. The callers (routes) have checked policy.can_manage_webhooks."""

from __future__ import annotations

import uuid as uuid_module

import peewee

from notifier.channels.webhook import WEBHOOK
from notifier.models import Message
from portal.errors import NotFound
from portal.i18n import _l
from portal.models.configuration import CaseTemplate
from portal.models.people import User
from portal.models.webhooks import WebhookChange, WebhookEndpoint

RECENT_DELIVERIES = 50


def endpoints() -> peewee.ModelSelect:
    return (
        WebhookEndpoint.select(WebhookEndpoint, CaseTemplate)
        .join(CaseTemplate, peewee.JOIN.LEFT_OUTER)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )


def endpoint_by_uuid(endpoint_uuid) -> WebhookEndpoint:
    """Raises NotFound."""
    try:
        key = str(uuid_module.UUID(str(endpoint_uuid)))
    except ValueError:
        raise NotFound(_l("There is no such webhook endpoint.")) from None
    found = endpoints().where(WebhookEndpoint.uuid == key).first()
    if found is None:
        raise NotFound(_l("There is no such webhook endpoint."))
    return found


def deliveries(endpoint: WebhookEndpoint, limit: int = RECENT_DELIVERIES) -> peewee.ModelSelect:
    """The endpoint's newest deliveries first."""
    return (
        Message.select()
        .where((Message.channel == WEBHOOK) & (Message.address_key == endpoint.uuid))
        .order_by(Message.id.desc())
        .limit(limit)
    )


def delivery(endpoint: WebhookEndpoint, message_uuid) -> Message:
    """One of the endpoint's deliveries; NotFound for anything else (another endpoint's, an email)."""
    try:
        key = uuid_module.UUID(str(message_uuid))
    except ValueError:
        raise NotFound(_l("There is no such delivery.")) from None
    found = (Message.select()
             .where((Message.uuid == key) & (Message.channel == WEBHOOK) & (Message.address_key == endpoint.uuid))
             .first())
    if found is None:
        raise NotFound(_l("There is no such delivery."))
    return found


def changes(endpoint: WebhookEndpoint, limit: int = 50) -> peewee.ModelSelect:
    return (
        WebhookChange.select(WebhookChange, User)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(WebhookChange.actor == User.id))
        .where(WebhookChange.endpoint_uuid == endpoint.uuid)
        .order_by(WebhookChange.created_at.desc(), WebhookChange.id.desc())
        .limit(limit)
    )


def template_choices() -> list[tuple[str, str]]:
    return [(t.uuid, t.name) for t in CaseTemplate.select(CaseTemplate.uuid, CaseTemplate.name)
            .order_by(CaseTemplate.name)]
