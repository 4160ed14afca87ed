"""What the outbox gets for an event, and what the notifier's webhook channel asks of the portal.

portal.events.service.record() calls `enqueue_for_event` (a follower create_app registers) inside the
change's transaction: one outbox message per active
endpoint subscribed to the event's type (and, when it has one, whose case template the event's case
has). The message key is the event's id and the address the endpoint's id, so the outbox's unique
key (key, channel, address) never lets one event go twice to one endpoint; the thread is the case's
id, so the channel sends one endpoint's deliveries about one case in order.

`PortalDirectory` is the channel's view of endpoints: where one sends now with which secrets, and
each attempt's outcome: a run of failures pauses the endpoint (its deliveries wait, held in the
outbox) and its admins are emailed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import peewee

import notifier
from notifier import registry
from notifier.channels.webhook import WEBHOOK, WebhookTarget, webhook_channel
from notifier.holds import hold
from portal import config_cache
from portal.accounts.service.users import email_recipient
from portal.clock import utcnow
from portal.db import database
from portal.events.case_events import iso_utc
from portal.events.queries import event_payload
from portal.links import absolute
from portal.models.events import Event
from portal.models.people import User
from portal.models.webhooks import WebhookChange, WebhookEndpoint
from portal.settings import setting

TEST_EVENT = "webhook.test"


def _subscribed(endpoint: WebhookEndpoint, event: Event) -> bool:
    if event.type not in (endpoint.event_types or []):
        return False
    if endpoint.case_template_id is None:
        return True
    return event.case_id is not None and event.case.template_id == endpoint.case_template_id


def routes() -> tuple[WebhookEndpoint, ...]:
    """The active endpoints with only what routes an event to them (id, uuid, event_types, case_template), read
    once per configuration change (portal.config_cache; migration 0033 changes the stamp when one of these
    columns changes, not when a delivery updates the endpoint's failures or pause). Shared: read only."""
    return config_cache.cached(("webhook_routes",), lambda: tuple(
        WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.uuid, WebhookEndpoint.event_types,
                               WebhookEndpoint.case_template)
        .where(WebhookEndpoint.active)
        .order_by(WebhookEndpoint.id)))


def enqueue_for_event(event: Event) -> int:
    """Queue the event for every active endpoint subscribed to it (paused ones too: theirs wait).
    Call inside the transaction that records the event. Returns how many were queued."""
    endpoints = [e for e in routes() if _subscribed(e, event)]
    if not endpoints:
        return 0
    payload = event_payload(event)
    thread = str(event.case.uuid) if event.case_id is not None else None
    return sum(_enqueue(endpoint, str(event.uuid), event.type, payload, key=str(event.uuid), thread=thread,
                        now=event.occurred_at)
               for endpoint in endpoints)


def _enqueue(endpoint, webhook_id: str, event_type: str, payload: dict, *, key: str, thread: str | None,
             now: datetime | None = None) -> int:
    return notifier.enqueue(
        event_type,
        [notifier.Recipient(channel=WEBHOOK, address=endpoint.uuid)],
        {"webhook_id": webhook_id, "payload": payload},
        key=key,
        thread=thread,
        now=now,
    )


def enqueue_test(endpoint: WebhookEndpoint, now: datetime) -> str:
    """Queue a `webhook.test` delivery to endpoint (signed like the rest); returns its webhook id."""
    webhook_id = str(uuid.uuid4())
    payload = {"id": webhook_id, "position": None, "type": TEST_EVENT, "occurred_at": iso_utc(now),
               "case": None, "actor": None, "internal": False, "data": {"endpoint": endpoint.uuid}}
    _enqueue(endpoint, webhook_id, TEST_EVENT, payload, key=f"test:{webhook_id}", thread=None, now=now)
    return webhook_id


def enqueue_redelivery(endpoint: WebhookEndpoint, message, now: datetime) -> None:
    """A fresh outbox message with the same body and webhook id as message (another endpoint's
    message never: the caller found it among endpoint's deliveries)."""
    context = message.context
    _enqueue(endpoint, context["webhook_id"], message.event, context["payload"],
             key=f"redeliver:{uuid.uuid4()}", thread=message.thread, now=now)


def secrets_now(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    """The secrets that sign now: the current one, and the previous one until it expires."""
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        secrets.append(endpoint.previous_secret)
    return tuple(secrets)


def endpoint_by_address(address: str) -> WebhookEndpoint | None:
    return WebhookEndpoint.get_or_none(WebhookEndpoint.uuid == address)


class PortalDirectory:
    """The webhook channel's view of the portal's endpoints."""

    def target(self, address: str) -> WebhookTarget | None:
        endpoint = endpoint_by_address(address)
        if endpoint is None:
            return None
        return WebhookTarget(url=endpoint.url, secrets=secrets_now(endpoint, utcnow()))

    def outcome(self, address: str, delivered: bool, detail: str) -> None:
        now = utcnow()
        if delivered:
            (WebhookEndpoint
             .update(consecutive_failures=0, failing_since=None)
             .where((WebhookEndpoint.uuid == address) & (WebhookEndpoint.consecutive_failures > 0))
             .execute())
            return
        record_failure(address, detail, now)


def record_failure(address: str, detail: str, now: datetime) -> bool:
    """Count a failed attempt; pause the endpoint when the run of failures is long enough (both
    WEBHOOK_PAUSE_AFTER_FAILURES attempts and WEBHOOK_PAUSE_AFTER_HOURS since the first). Returns
    whether this failure paused it."""
    with database.atomic():
        (WebhookEndpoint
         .update(consecutive_failures=WebhookEndpoint.consecutive_failures + 1,
                 failing_since=peewee.fn.COALESCE(WebhookEndpoint.failing_since,
                                                  WebhookEndpoint.failing_since.db_value(now)))
         .where(WebhookEndpoint.uuid == address)
         .execute())
        endpoint = endpoint_by_address(address)
        if endpoint is None or endpoint.paused_at is not None:
            return False
        long_enough = now - endpoint.failing_since >= timedelta(hours=setting("WEBHOOK_PAUSE_AFTER_HOURS"))
        if endpoint.consecutive_failures < setting("WEBHOOK_PAUSE_AFTER_FAILURES") or not long_enough:
            return False
        reason = f"{endpoint.consecutive_failures} failed attempts in a row; the last: {detail}"[:1000]
        return pause(endpoint, None, reason, now, automatic=True)


def pause(endpoint: WebhookEndpoint, actor: User | None, reason: str, now: datetime, *, automatic: bool) -> bool:
    """Pause endpoint (conditional on it running): hold its outbox deliveries, audit, and when the
    failures paused it, email its admins. False when it was paused already."""
    with database.atomic():
        paused = (WebhookEndpoint
                  .update(paused_at=now, paused_reason=reason, updated_at=now)
                  .where((WebhookEndpoint.id == endpoint.id) & WebhookEndpoint.paused_at.is_null())
                  .execute())
        if not paused:
            return False
        hold(WEBHOOK, endpoint.uuid, reason, now)
        WebhookChange.create(endpoint=endpoint.id, endpoint_uuid=endpoint.uuid, actor=actor,
                             action="paused_automatically" if automatic else "paused",
                             new_value={"reason": reason}, created_at=now)
        if automatic:
            _tell_admins(endpoint, reason, now)
    return True


def _admins_of(endpoint: WebhookEndpoint) -> list[User]:
    """Who hears that endpoint was paused: the admin who created it, or every active admin when that
    one is no longer an active admin."""
    creator = User.get_or_none(User.id == endpoint.created_by_id) if endpoint.created_by_id else None
    if creator is not None and creator.active and creator.role == "admin":
        return [creator]
    return list(User.select().where((User.role == "admin") & User.active).order_by(User.id))


def _tell_admins(endpoint: WebhookEndpoint, reason: str, now: datetime) -> None:
    outgoing = [
        notifier.Outgoing([email_recipient(admin)], {
            "user_name": admin.display_name,
            "endpoint_url": endpoint.url,
            "endpoint_description": endpoint.description or "",
            "reason": reason,
            "endpoint_page_url": absolute("webhooks.detail", endpoint_uuid=endpoint.uuid),
        })
        for admin in _admins_of(endpoint) if admin.email
    ]
    notifier.enqueue_all("webhook_paused", f"webhook_paused:{endpoint.uuid}:{now.isoformat()}", outgoing, now=now)


def register_channel() -> None:
    """Make the notifier deliver on the webhook channel with the portal's endpoints (idempotent)."""
    registry.register(webhook_channel(PortalDirectory()))
