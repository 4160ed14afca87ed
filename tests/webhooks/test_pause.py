"""An endpoint that keeps failing is paused (its deliveries wait, nothing is lost), its admin is
emailed through a real SMTP server, and resuming delivers what waited, in order."""

from __future__ import annotations

from notifier.channels.webhook import WEBHOOK
from notifier.holds import is_held
from notifier.models import Message
from portal.models.webhooks import WebhookChange, WebhookEndpoint
from portal.webhooks import service
from tests.webhooks.conftest import new_case


def test_repeated_failures_pause_the_endpoint_and_email_its_admin(webhook_app, admin, receiver, smtp_server,
                                                                 make_endpoint, event_on, run_until_idle, deliver):
    webhook_app.config.update(WEBHOOK_PAUSE_AFTER_FAILURES=3, WEBHOOK_PAUSE_AFTER_HOURS=0, MAIL_BACKEND="smtp",
                              SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    endpoint, secret = make_endpoint()
    case = new_case()
    first = event_on(case)
    receiver.script = ["500"] * 3

    run_until_idle()

    endpoint = WebhookEndpoint.get_by_id(endpoint.id)
    assert endpoint.paused_at is not None and "3 failed attempts" in endpoint.paused_reason
    assert is_held(WEBHOOK, endpoint.uuid)
    assert len(receiver.requests) == 3
    # New events still queue while paused, and wait.
    second = event_on(case)
    run_until_idle()
    assert len(receiver.requests) == 3
    waiting = (Message.channel == WEBHOOK) & Message.status.in_(["queued", "failed"])
    assert Message.select().where(waiting).count() == 2

    deliver(channels=["email"])
    mail = [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == admin.email]
    assert len(mail) == 1
    assert endpoint.url in mail[0]["Subject"]
    assert f"/admin/webhooks/{endpoint.uuid}" in mail[0].get_body(("plain",)).get_content()
    assert WebhookChange.get(WebhookChange.action == "paused_automatically").actor_id is None

    service.resume_endpoint(admin, endpoint.uuid)
    run_until_idle()
    assert [p["id"] for p in receiver.payloads()] == [str(first.uuid), str(second.uuid)]
    assert WebhookEndpoint.get_by_id(endpoint.id).consecutive_failures == 0


def test_failures_do_not_pause_before_the_time_set(webhook_app, receiver, make_endpoint, event_on, run_until_idle):
    webhook_app.config.update(WEBHOOK_PAUSE_AFTER_FAILURES=3, WEBHOOK_PAUSE_AFTER_HOURS=24)
    endpoint, _ = make_endpoint()
    event_on(new_case())
    receiver.script = ["500"] * 4
    run_until_idle()
    endpoint = WebhookEndpoint.get_by_id(endpoint.id)
    assert endpoint.paused_at is None
    assert len(receiver.requests) == 5


def test_a_success_ends_the_run_of_failures(webhook_app, receiver, make_endpoint, event_on, run_until_idle):
    webhook_app.config.update(WEBHOOK_PAUSE_AFTER_FAILURES=3, WEBHOOK_PAUSE_AFTER_HOURS=0)
    endpoint, _ = make_endpoint()
    event_on(new_case())
    event_on(new_case())
    receiver.script = ["500", "500", "ok", "500"]
    run_until_idle()
    assert WebhookEndpoint.get_by_id(endpoint.id).paused_at is None


def test_a_paused_endpoints_deliveries_wait_until_resumed(admin, receiver, make_endpoint, event_on, run_until_idle):
    endpoint, _ = make_endpoint()
    service.pause_endpoint(admin, endpoint.uuid)
    event = event_on(new_case())
    run_until_idle()
    assert receiver.requests == []
    service.resume_endpoint(admin, endpoint.uuid)
    run_until_idle()
    assert [p["id"] for p in receiver.payloads()] == [str(event.uuid)]
