"""The cheap per-send writes (notifier.marks): one transaction counts the attempt about to be made and
marks the previous delivery sent; a batch's renderings are stored in one statement per shape."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifier import outbox
from notifier.leases import claim_batch
from notifier.marks import SentMarks, start_attempt, store_renderings
from notifier.models import SENDING, SENT, Attempt, Message
from tests.notifier.factories import T0, email_to, enqueue_test_message, sms_to


def claimed(count, worker="w1", now=T0):
    for n in range(count):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    return claim_batch(now, worker, limit=count, lease_seconds=60)


def test_a_start_mark_carries_the_previous_deliverys_sent_mark_in_the_same_transaction(seeded):
    claim = claimed(2)
    first, second = claim.messages
    assert start_attempt(first, claim.token, T0, 30) == (True, None)
    delivered = (first, T0, T0 + timedelta(seconds=1), "<id-1@x>")
    assert start_attempt(second, claim.token, T0 + timedelta(seconds=1), 30, delivered, "w1") == (True, 1)
    first, second = Message.get_by_id(first.id), Message.get_by_id(second.id)
    assert (first.status, first.sent_at, first.provider_id, first.claim_token, first.attempt_started_at) == (
        SENT, T0 + timedelta(seconds=1), "<id-1@x>", None, None)
    assert [(a.number, a.outcome, a.worker_id) for a in outbox.attempts_for(first)] == [(1, "sent", "w1")]
    assert (second.status, second.attempts, second.attempt_started_at) == (SENDING, 1, T0 + timedelta(seconds=1))
    assert second.lease_expires_at == T0 + timedelta(seconds=31)
    assert outbox.attempts_for(second).count() == 0


def test_a_sent_mark_after_the_claim_was_lost_changes_nothing_and_is_logged_late(seeded):
    slow = claimed(2, worker="slow")
    first, second = slow.messages
    assert start_attempt(first, slow.token, T0, 30)[0]
    # The lease ran out; another worker took both rows (the first is held for review by its claim).
    fast = claim_batch(T0 + timedelta(seconds=61), "fast", limit=2, lease_seconds=60)
    assert [m.id for m in fast.messages] == [second.id]
    started, marked = start_attempt(second, slow.token, T0, 30, (first, T0, T0, "<late@x>"), "slow")
    assert (started, marked) == (False, 0)
    first_row, second_row = Message.get_by_id(first.id), Message.get_by_id(second.id)
    assert first_row.status != SENT and first_row.provider_id is None
    assert (second_row.worker_id, second_row.attempts, second_row.attempt_started_at) == ("fast", 0, None)
    assert [a.outcome for a in outbox.attempts_for(first_row)] == ["unknown", "sent_late"]


def test_sent_marks_keep_at_most_one_delivery_waiting_and_a_failed_write_keeps_it(seeded, monkeypatch):
    from notifier.dispatcher import DeliveryReport

    claim = claimed(3)
    report = DeliveryReport()
    marks = SentMarks(claim, report)
    first, second, third = claim.messages
    assert marks.start(first, T0, 30)
    marks.add((first, T0, T0, "<1@x>"))

    def outage(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr("notifier.marks.start_attempt", outage)
    with pytest.raises(RuntimeError):
        marks.start(second, T0, 30)
    monkeypatch.undo()
    assert marks and Message.get_by_id(first.id).status == SENDING
    marks.flush()
    assert (report.sent, report.lost, bool(marks)) == (1, 0, False)
    assert Message.get_by_id(first.id).status == SENT
    assert Message.get_by_id(second.id).attempt_started_at is None and Message.get_by_id(third.id).attempts == 0


def test_renderings_of_a_batch_are_stored_together_with_each_channels_columns(seeded):
    enqueue_test_message([email_to()], key="e")
    enqueue_test_message([sms_to()], key="s")
    enqueue_test_message([email_to("other@example.com")], key="lost")
    claim = claim_batch(T0, "w1", limit=3, lease_seconds=60)
    by_key = {m.key: m for m in claim.messages}
    email, sms, lost = by_key["e"], by_key["s"], by_key["lost"]
    Message.update(claim_token="someone-else").where(Message.id == lost.id).execute()
    held = store_renderings([
        (email, {"subject": "S", "text": "T"}, None),
        (sms, {"text": "Hi"}, {"sms_encoding": "GSM-7", "sms_segments": 1}),
        (lost, {"subject": "X", "text": "Y"}, None),
    ], claim.token)
    assert held == {email.id, sms.id}
    assert Message.get_by_id(email.id).rendered == {"subject": "S", "text": "T"}
    stored_sms = Message.get_by_id(sms.id)
    assert (stored_sms.rendered, stored_sms.sms_encoding, stored_sms.sms_segments) == ({"text": "Hi"}, "GSM-7", 1)
    assert Message.get_by_id(lost.id).rendered is None
    assert Attempt.select().count() == 0
