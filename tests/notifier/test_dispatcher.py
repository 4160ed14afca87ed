"""Delivery through the dev sink: states, render errors, retries, backoff, requeue, leases."""

from datetime import timedelta

import pytest

from notifier import outbox
from notifier.channels.devsink import captured, captured_by_uuid
from notifier.channels.errors import TransientDeliveryError
from notifier.dispatcher import deliver_due
from notifier.leases import claim_batch, full_jitter_backoff
from notifier.models import DEAD, FAILED, QUEUED, SENDING, SENT, Message
from notifier.templates import save_version
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0, email_to, enqueue_test_message, only_message, sms_to


def test_due_messages_are_rendered_sent_and_recorded(seeded):
    enqueue_test_message([email_to(), sms_to()], thread="case-1")
    report = deliver_due(make_settings(), now=T0)
    assert (report.claimed, report.sent, report.failed, report.dead) == (2, 2, 0, 0)
    email = Message.get(Message.channel == "email")
    assert email.status == SENT and email.sent_at >= T0 and email.attempts == 1
    assert email.rendered["subject"] == "Test message from Caseport"
    [attempt] = outbox.attempts_for(email)
    assert (attempt.number, attempt.outcome, attempt.error) == (1, "sent", None)
    sms = Message.get(Message.channel == "sms")
    assert (sms.sms_encoding, sms.sms_segments) == ("GSM-7", 1)
    shown = captured_by_uuid(email.provider_id)
    assert shown.subject == "Test message from Caseport" and "Ada" in shown.text
    assert "Message-ID" in shown.headers and shown.html.startswith("<p>Hello Ada")
    assert captured(limit=10).count() == 2


def test_messages_not_yet_due_are_left_alone(seeded):
    enqueue_test_message(now=T0 + timedelta(minutes=1))
    assert deliver_due(make_settings(), now=T0).claimed == 0
    assert only_message().status == QUEUED


def test_render_error_makes_only_that_message_dead_with_the_reason(seeded):
    enqueue_test_message([email_to()], key="bad", context={"user_name": "Ada"})  # no portal_name
    enqueue_test_message([email_to()], key="good")
    report = deliver_due(make_settings(), now=T0)
    assert (report.sent, report.dead) == (1, 1)
    bad = Message.get(Message.key == "bad")
    assert bad.status == DEAD and "portal_name" in bad.last_error
    assert outbox.attempts_for(bad).get().outcome == "render_error"


def test_missing_template_is_a_render_error(notifier_db):
    enqueue_test_message(event="no_such_event")
    deliver_due(make_settings(), now=T0)
    assert only_message().status == DEAD
    assert "no email template" in only_message().last_error


class FlakySender:
    def __init__(self, failures, retry_after=None):
        self.failures = failures
        self.retry_after = retry_after
        self.sent = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def send(self, outgoing):
        if self.failures:
            self.failures -= 1
            raise TransientDeliveryError("451 try later", retry_after=self.retry_after)
        self.sent.append(outgoing)
        return "ok"


@pytest.fixture
def flaky(monkeypatch):
    sender = FlakySender(failures=0)
    monkeypatch.setattr("notifier.dispatcher.channel_for", lambda channel, settings: sender)
    return sender


def test_transient_failure_backs_off_then_delivers_identical_content(seeded, flaky):
    flaky.failures = 2
    enqueue_test_message()
    settings = make_settings()
    now = T0
    deliver_due(settings, now=now)
    message = only_message()
    assert message.status == FAILED and message.attempts == 1
    assert now <= message.next_attempt_at <= now + timedelta(seconds=11)
    first_rendering = message.rendered
    save_version("test_message", "email", {"subject": "Changed", "text": "changed"}, author="staff")
    for _ in range(2):
        now = only_message().next_attempt_at
        deliver_due(settings, now=now)
    message = only_message()
    assert message.status == SENT and message.attempts == 3
    assert message.rendered == first_rendering
    assert flaky.sent[0].subject == "Test message from Caseport"
    assert [a.outcome for a in outbox.attempts_for(message)] == ["transient", "transient", "sent"]


def test_retry_after_from_the_server_is_honoured(seeded, flaky):
    flaky.failures, flaky.retry_after = 1, 600
    enqueue_test_message()
    deliver_due(make_settings(), now=T0)
    assert only_message().next_attempt_at >= T0 + timedelta(seconds=600)


def test_gives_up_after_max_attempts(seeded, flaky):
    flaky.failures = 100
    enqueue_test_message()
    settings = make_settings(NOTIFIER_MAX_ATTEMPTS=3)
    now = T0
    for _ in range(5):
        deliver_due(settings, now=now)
        now += timedelta(hours=1)
    message = only_message()
    assert message.status == DEAD and message.attempts == 3
    assert "gave up after 3 attempts" in message.last_error


def test_full_jitter_backoff_stays_within_the_capped_exponential():
    for attempt in range(1, 12):
        delay = full_jitter_backoff(attempt, base_seconds=10, cap_seconds=60)
        assert 0 <= delay <= min(60, 10 * 2 ** (attempt - 1))


def test_requeue_puts_a_dead_message_back_with_a_fresh_budget(seeded, flaky):
    flaky.failures = 100
    enqueue_test_message()
    settings = make_settings(NOTIFIER_MAX_ATTEMPTS=1)
    deliver_due(settings, now=T0)
    dead = only_message()
    assert dead.status == DEAD
    requeued = outbox.requeue(dead.uuid, now=T0 + timedelta(hours=1))
    assert (requeued.status, requeued.attempts) == (QUEUED, 0)
    flaky.failures = 0
    deliver_due(settings, now=T0 + timedelta(hours=1))
    assert only_message().status == SENT
    assert [a.outcome for a in outbox.attempts_for(dead)] == ["transient", "sent"]


def test_requeue_refuses_messages_that_are_not_dead_or_failed(seeded):
    enqueue_test_message()
    with pytest.raises(outbox.NotRequeueable, match="queued"):
        outbox.requeue(only_message().uuid)
    with pytest.raises(outbox.MessageNotFound):
        outbox.requeue("1b4e28ba-2fa1-11d2-883f-0016d3cca427")


def test_outbox_queries_filter_and_count(seeded):
    enqueue_test_message([email_to()], key="a", topic="00000001", now=T0)
    enqueue_test_message([email_to("bob@example.com")], key="b", topic="00000002", now=T0 + timedelta(1))
    assert [m.key for m in outbox.messages()] == ["b", "a"]
    assert [m.key for m in outbox.messages(topic="00000001")] == ["a"]
    assert [m.key for m in outbox.messages(address="BOB@example.com")] == ["b"]
    assert outbox.messages(status="sent").count() == 0
    assert outbox.message_by_uuid(Message.get(Message.key == "a").uuid).key == "a"
    assert outbox.status_counts() == {"queued": 2, "sending": 0, "sent": 0, "failed": 0, "dead": 0, "suppressed": 0,
                                     "unknown": 0}


def test_crashed_worker_rows_are_delivered_once_after_the_lease_expires(seeded, flaky):
    for n in range(5):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    settings = make_settings(NOTIFIER_LEASE_SECONDS=60)
    crashed = claim_batch(T0, "crashed-worker", limit=10, lease_seconds=60)
    assert len(crashed.messages) == 5
    assert deliver_due(settings, now=T0 + timedelta(seconds=30)).claimed == 0
    report = deliver_due(settings, now=T0 + timedelta(seconds=61), worker_id="rescuer")
    assert report.sent == 5
    assert len(flaky.sent) == 5
    assert deliver_due(settings, now=T0 + timedelta(hours=1)).claimed == 0
    assert {m.status for m in Message.select()} == {SENT}


def test_writes_after_losing_the_lease_change_nothing(seeded, flaky):
    enqueue_test_message()
    slow = claim_batch(T0, "slow", limit=1, lease_seconds=60)
    fast = claim_batch(T0 + timedelta(seconds=61), "fast", limit=1, lease_seconds=60)
    assert len(fast.messages) == 1
    from notifier.leases import mark_dead

    assert not mark_dead(slow.messages[0], slow.token, "slow", T0, T0, "too late")
    assert only_message().status == SENDING and only_message().worker_id == "fast"


def test_a_slow_batch_renews_the_lease_of_what_it_has_not_tried(seeded, flaky, monkeypatch):
    for n in range(3):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    elapsed = {"seconds": 0.0}
    monkeypatch.setattr("notifier.dispatcher.time.monotonic", lambda: elapsed["seconds"])
    original_send = flaky.send
    leases = []

    def slow_send(outgoing):
        leases.append(sorted(m.lease_expires_at for m in Message.select().where(Message.status == SENDING)))
        elapsed["seconds"] += 40.0  # each send eats two thirds of a 60 s lease
        return original_send(outgoing)

    flaky.send = slow_send
    report = deliver_due(make_settings(NOTIFIER_LEASE_SECONDS=60), now=T0)
    assert report.sent == 3 and report.released == 0
    # Before the second send (40 s in) the untried rows' lease was renewed to 100 s.
    assert leases[1][-1] == T0 + timedelta(seconds=100)
    assert {m.attempts for m in Message.select()} == {1}


def test_switched_off_sms_channel_is_not_claimed(seeded):
    enqueue_test_message([sms_to()])
    assert deliver_due(make_settings(SMS_BACKEND="none"), now=T0).claimed == 0


def test_a_claim_takes_at_most_the_batch_size(seeded):
    for n in range(25):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    first = claim_batch(T0, "a", limit=10, lease_seconds=60)
    second = claim_batch(T0, "b", limit=10, lease_seconds=60)
    assert len(first.messages) == 10 and len(second.messages) == 10
    assert not {m.id for m in first.messages} & {m.id for m in second.messages}
    assert outbox.status_counts()["queued"] == 5
