"""Deliveries to a real receiver on 127.0.0.1: failures, timeouts and redirects are retried until it
recovers, every event arrives, signed as Standard Webhooks says, in order per (endpoint, case)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from notifier.channels.webhook import USER_AGENT, WEBHOOK
from notifier.models import DEAD, SENT, Message
from portal.clock import utcnow
from portal.db import database
from portal.models.webhooks import WebhookEndpoint
from portal.webhooks import service
from portal.webhooks.deliveries import enqueue_for_event
from tests.webhooks.conftest import new_case, verify


def test_every_event_is_delivered_through_failures_timeouts_and_redirects(receiver, make_endpoint, event_on,
                                                                          run_until_idle):
    endpoint, secret = make_endpoint()
    cases = [new_case(), new_case(), new_case()]
    events = [event_on(case, "case.commented", n=i) for i, case in enumerate(cases)]
    receiver.script = ["500", "timeout", "redirect", "500"]

    run_until_idle()

    delivered = receiver.payloads()
    assert sorted(p["id"] for p in delivered) == sorted(str(e.uuid) for e in events)
    assert {r["path"] for r in receiver.requests} == {"/hooks"}, "a redirect was followed"
    for request in receiver.requests:
        payload = verify(secret, request)
        assert request["headers"]["webhook-id"] == payload["id"]
        assert request["headers"]["Content-Type"] == "application/json"
        assert request["headers"]["User-Agent"] == USER_AGENT
    # Retries of one event carry the same webhook-id; each event succeeded exactly once.
    assert Counter(r["headers"]["webhook-id"] for r in receiver.delivered()) == Counter(
        str(e.uuid) for e in events)
    assert len(receiver.requests) == 3 + 4
    messages = list(Message.select().where(Message.channel == WEBHOOK))
    assert {m.status for m in messages} == {SENT}
    first = next(p for p in delivered if p["id"] == str(events[0].uuid))
    assert first == {"id": str(events[0].uuid), "position": events[0].position, "type": "case.commented",
                     "occurred_at": first["occurred_at"], "case": {"id": cases[0].uuid,
                                                                   "reference": cases[0].reference},
                     "actor": events[0].actor.uuid, "internal": False, "data": {"n": 0}}
    assert first["occurred_at"].endswith("Z")


def test_an_event_is_queued_once_per_endpoint_however_often_it_is_enqueued(make_endpoint, event_on):
    make_endpoint()
    make_endpoint()
    event = event_on(new_case())
    with database.atomic():
        assert enqueue_for_event(event) == 0
    assert Message.select().where(Message.channel == WEBHOOK).count() == 2


def test_only_subscribed_types_and_the_template_filter_reach_an_endpoint(admin, receiver, make_endpoint, event_on):
    from portal.models.configuration import CaseTemplate

    first = new_case()
    other = new_case()
    template = CaseTemplate.get_by_id(first.template_id)
    assert other.template_id != first.template_id
    make_endpoint(event_types=("case.commented",), case_template=template.uuid)
    event_on(first, "case.status_changed")
    event_on(other, "case.commented")
    wanted = event_on(first, "case.commented")
    assert [m.key for m in Message.select().where(Message.channel == WEBHOOK)] == [str(wanted.uuid)]


def test_deliveries_about_one_case_keep_their_order_while_an_early_one_fails(receiver, make_endpoint, event_on,
                                                                            deliver):
    make_endpoint()
    case, other_case = new_case(), new_case()
    events = [event_on(case, "case.commented", n=i) for i in range(3)]
    other = event_on(other_case, "case.commented", n=99)
    receiver.script = ["500"]

    now = utcnow()
    deliver(now=now, channels=[WEBHOOK])
    # The first delivery about `case` failed: the later two wait; the other case's went.
    assert [r["answer"] for r in receiver.requests] == ["500", "ok"]
    assert json.loads(receiver.requests[1]["body"])["id"] == str(other.uuid)
    # Its retry is not due yet (backoff), and the two after it are not claimed meanwhile.
    assert deliver(now=now, channels=[WEBHOOK]).claimed == 0
    assert len(receiver.requests) == 2
    waiting = Message.select().where(Message.key.in_([str(e.uuid) for e in events[1:]]))
    assert {(m.status, m.attempts) for m in waiting} == {("queued", 0)}

    for step in range(1, 10):
        deliver(now=now + timedelta(minutes=5 * step), channels=[WEBHOOK])
    about_case = [p["id"] for p in receiver.payloads() if p["case"]["id"] == case.uuid]
    assert about_case == [str(e.uuid) for e in events]


def test_during_a_rotation_both_secrets_sign_and_after_it_only_the_new_one(admin, receiver, make_endpoint,
                                                                           event_on, run_until_idle):
    endpoint, old_secret = make_endpoint()
    event_on(new_case())
    run_until_idle()
    endpoint, new_secret = service.rotate_secret(admin, endpoint.uuid)
    event_on(new_case())
    run_until_idle()
    during = receiver.requests[-1]
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    verify(old_secret, during)
    verify(new_secret, during)

    WebhookEndpoint.update(previous_secret_expires_at=utcnow() - timedelta(seconds=1)).execute()
    event_on(new_case())
    run_until_idle()
    after = receiver.requests[-1]
    verify(new_secret, after)
    with pytest.raises(WebhookVerificationError):
        verify(old_secret, after)


def test_a_410_is_permanent(receiver, make_endpoint, event_on, run_until_idle):
    make_endpoint()
    event_on(new_case())
    receiver.script = ["410"]
    run_until_idle()
    assert len(receiver.requests) == 1
    assert Message.get(Message.channel == WEBHOOK).status == DEAD


def test_a_redelivery_carries_the_same_webhook_id(admin, receiver, make_endpoint, event_on, run_until_idle):
    endpoint, secret = make_endpoint()
    event = event_on(new_case())
    run_until_idle()
    message = Message.get(Message.channel == WEBHOOK)
    service.redeliver(admin, endpoint.uuid, message.uuid)
    run_until_idle()
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [str(event.uuid)] * 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    verify(secret, receiver.requests[1])


def test_a_test_event_is_signed_like_the_rest(admin, receiver, make_endpoint, run_until_idle):
    endpoint, secret = make_endpoint()
    webhook_id = service.send_test(admin, endpoint.uuid)
    run_until_idle()
    payload = verify(secret, receiver.requests[0])
    assert payload["type"] == "webhook.test"
    assert payload["id"] == webhook_id == receiver.requests[0]["headers"]["webhook-id"]


def test_a_deleted_endpoints_waiting_deliveries_end_dead_without_a_request(admin, receiver, make_endpoint,
                                                                            event_on, run_until_idle):
    endpoint, _ = make_endpoint()
    event_on(new_case())
    service.delete_endpoint(admin, endpoint.uuid)
    run_until_idle()
    assert receiver.requests == []
    assert Message.get(Message.channel == WEBHOOK).status == DEAD
