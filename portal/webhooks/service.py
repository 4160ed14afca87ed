"""Changing webhook endpoints: register, edit, rotate the secret, pause, resume, delete, send a test,
redeliver. Every function is for active admins only (policy.require_webhook_admin: NotFound for
anyone else) and writes one audit row (WebhookChange) in the same transaction as the change.
Secrets never enter the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from notifier.channels.webhook import WEBHOOK, TargetRefused, check_target, new_secret
from notifier.holds import release_hold
from portal import policy
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, ValidationFailed
from portal.events.types import EVENT_TYPES
from portal.i18n import _l
from portal.models.configuration import CaseTemplate
from portal.models.people import User
from portal.models.webhooks import WebhookChange, WebhookEndpoint
from portal.settings import setting
from portal.webhooks import deliveries, queries

MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class EndpointInput:
    url: str
    description: str = ""
    event_types: tuple[str, ...] = ()
    case_template: str = ""  # a case template's UUID, or "" for every case
    active: bool = True


def _checked(data: EndpointInput) -> dict:
    """The endpoint's columns from data; ValidationFailed with field errors."""
    errors = {}
    url = (data.url or "").strip()
    if not url:
        errors["url"] = _l("Enter the URL the events are sent to.")
    else:
        try:
            check_target(url, setting("WEBHOOK_ALLOW_PRIVATE_TARGETS"))
        except TargetRefused as refused:
            errors["url"] = _l(refused.reason.msgid, **refused.reason.params)
    description = (data.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _l("At most %(limit)s characters.", limit=MAX_DESCRIPTION)
    unknown = [t for t in data.event_types if t not in EVENT_TYPES]
    if unknown:
        errors["event_types"] = _l("Choose event types from the list.")
    template = None
    if data.case_template:
        template = CaseTemplate.get_or_none(CaseTemplate.uuid == data.case_template)
        if template is None:
            errors["case_template"] = _l("Choose a case template from the list.")
    if errors:
        raise ValidationFailed(_l("Please correct the marked fields."), errors)
    return {"url": url, "description": description,
            "event_types": [t for t in EVENT_TYPES if t in set(data.event_types)],
            "case_template": template, "active": bool(data.active)}


def _snapshot(endpoint: WebhookEndpoint) -> dict:
    return {"url": endpoint.url, "description": endpoint.description, "event_types": list(endpoint.event_types),
            "case_template": endpoint.case_template.uuid if endpoint.case_template_id else None,
            "active": bool(endpoint.active)}


def _audit(endpoint, actor, action, now, old=None, new=None) -> None:
    WebhookChange.create(endpoint=endpoint.id, endpoint_uuid=endpoint.uuid, actor=actor, action=action,
                         old_value=old, new_value=new, created_at=now)


def create_endpoint(actor: User, data: EndpointInput, now: datetime | None = None) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (shown to the admin once). Raises NotFound
    (not an admin) or ValidationFailed (URL refused, unknown event type or template)."""
    policy.require_webhook_admin(actor)
    now = now or utcnow()
    values = _checked(data)
    secret = new_secret()
    with database.atomic():
        endpoint = WebhookEndpoint.create(**values, secret=secret, created_by=actor, created_at=now, updated_at=now)
        _audit(endpoint, actor, "created", now, new=_snapshot(endpoint))
    return endpoint, secret


def update_endpoint(actor: User, endpoint_uuid, data: EndpointInput, now: datetime | None = None) -> WebhookEndpoint:
    """Change an endpoint's URL, description, event types, template filter and active flag. Raises
    NotFound or ValidationFailed."""
    policy.require_webhook_admin(actor)
    now = now or utcnow()
    endpoint = queries.endpoint_by_uuid(endpoint_uuid)
    values = _checked(data)
    with database.atomic():
        before = _snapshot(endpoint)
        WebhookEndpoint.update(**values, updated_at=now).where(WebhookEndpoint.id == endpoint.id).execute()
        endpoint = queries.endpoint_by_uuid(endpoint.uuid)
        after = _snapshot(endpoint)
        if after != before:
            _audit(endpoint, actor, "edited", now, old=before, new=after)
    return endpoint


def rotate_secret(actor: User, endpoint_uuid, now: datetime | None = None) -> tuple[WebhookEndpoint, str]:
    """A new signing secret; the current one keeps signing too for WEBHOOK_SECRET_OVERLAP_HOURS (every
    delivery then carries both signatures), so the receiver can switch over. Returns the new secret
    (shown once). Raises NotFound; Conflict when the endpoint changed meanwhile (rotated twice)."""
    policy.require_webhook_admin(actor)
    now = now or utcnow()
    endpoint = queries.endpoint_by_uuid(endpoint_uuid)
    secret = new_secret()
    expires = now + timedelta(hours=setting("WEBHOOK_SECRET_OVERLAP_HOURS"))
    with database.atomic():
        rotated = (WebhookEndpoint
                   .update(secret=secret, previous_secret=endpoint.secret, previous_secret_expires_at=expires,
                           updated_at=now)
                   .where((WebhookEndpoint.id == endpoint.id) & (WebhookEndpoint.secret == endpoint.secret))
                   .execute())
        if not rotated:
            raise Conflict(_l("The secret was changed meanwhile. Reload the page and try again."))
        _audit(endpoint, actor, "secret_rotated", now, new={"previous_valid_until": expires.isoformat()})
    return queries.endpoint_by_uuid(endpoint.uuid), secret


def pause_endpoint(actor: User, endpoint_uuid, now: datetime | None = None) -> WebhookEndpoint:
    """Stop deliveries: new ones still queue and wait. Raises NotFound; Conflict when paused already."""
    policy.require_webhook_admin(actor)
    now = now or utcnow()
    endpoint = queries.endpoint_by_uuid(endpoint_uuid)
    if not deliveries.pause(endpoint, actor, "paused by an administrator", now, automatic=False):
        raise Conflict(_l("This endpoint is paused already."))
    return queries.endpoint_by_uuid(endpoint.uuid)


def resume_endpoint(actor: User, endpoint_uuid, now: datetime | None = None) -> WebhookEndpoint:
    """Deliver again: what waited is due at once, in order. Raises NotFound; Conflict when not paused."""
    policy.require_webhook_admin(actor)
    now = now or utcnow()
    endpoint = queries.endpoint_by_uuid(endpoint_uuid)
    with database.atomic():
        resumed = (WebhookEndpoint
                   .update(paused_at=None, paused_reason=None, consecutive_failures=0, failing_since=None,
                           updated_at=now)
                   .where((WebhookEndpoint.id == endpoint.id) & WebhookEndpoint.paused_at.is_null(False))
                   .execute())
        if not resumed:
            raise Conflict(_l("This endpoint is not paused."))
        release_hold(WEBHOOK, endpoint.uuid, now=now)
        _audit(endpoint, actor, "resumed", now, old={"reason": endpoint.paused_reason})
    return queries.endpoint_by_uuid(endpoint.uuid)


def delete_endpoint(actor: User, endpoint_uuid, now: datetime | None = None) -> None:
    """Remove the endpoint; deliveries still queued for it end in the dead letter when their turn
    comes (no endpoint to send to). The audit log keeps its history. Raises NotFound."""
    policy.require_webhook_admin(actor)
    now = now or utcnow()
    endpoint = queries.endpoint_by_uuid(endpoint_uuid)
    with database.atomic():
        _audit(endpoint, actor, "deleted", now, old=_snapshot(endpoint))
        release_hold(WEBHOOK, endpoint.uuid, now=now)
        WebhookEndpoint.delete().where(WebhookEndpoint.id == endpoint.id).execute()


def send_test(actor: User, endpoint_uuid, now: datetime | None = None) -> str:
    """Queue a `webhook.test` delivery, signed like every other; returns its webhook id. A paused
    endpoint's test waits like the rest. Raises NotFound."""
    policy.require_webhook_admin(actor)
    now = now or utcnow()
    endpoint = queries.endpoint_by_uuid(endpoint_uuid)
    with database.atomic():
        webhook_id = deliveries.enqueue_test(endpoint, now)
        _audit(endpoint, actor, "test_sent", now, new={"webhook_id": webhook_id})
    return webhook_id


def redeliver(actor: User, endpoint_uuid, message_uuid, now: datetime | None = None) -> None:
    """Send one of the endpoint's deliveries again: a fresh outbox message with the same body and
    `webhook-id` (receivers recognise the repeat), signed with the secrets valid now. Raises NotFound
    (not this endpoint's delivery)."""
    policy.require_webhook_admin(actor)
    now = now or utcnow()
    endpoint = queries.endpoint_by_uuid(endpoint_uuid)
    message = queries.delivery(endpoint, message_uuid)
    with database.atomic():
        deliveries.enqueue_redelivery(endpoint, message, now)
        _audit(endpoint, actor, "redelivered", now, new={"webhook_id": message.context["webhook_id"]})
