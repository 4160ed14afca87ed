from datetime import UTC, datetime

import pytest

import notifier
from notifier.models import QUEUED, Message
from tests.notifier.factories import T0, email_to, enqueue_test_message, sms_to


def test_enqueue_writes_one_queued_row_per_recipient(notifier_db):
    created = enqueue_test_message([email_to(), sms_to()], topic="00012345", thread="case-1", variant="v1")
    assert created == 2
    rows = list(Message.select().order_by(Message.channel))
    assert [(m.channel, m.status, m.topic, m.variant) for m in rows] == [
        ("email", QUEUED, "00012345", "v1"),
        ("sms", QUEUED, "00012345", "v1"),
    ]
    assert rows[0].created_at == T0 and rows[0].next_attempt_at == T0
    assert rows[0].uuid != rows[1].uuid


def test_repeated_enqueue_with_same_key_is_a_no_op(notifier_db):
    assert enqueue_test_message([email_to()], key="case-1:created") == 1
    assert enqueue_test_message([email_to("ADA@EXAMPLE.COM")], key="case-1:created") == 0
    assert enqueue_test_message([email_to(), email_to("bob@example.com")], key="case-1:created") == 1
    assert Message.select().count() == 2


def test_same_recipient_different_key_gets_another_message(notifier_db):
    enqueue_test_message(key="a")
    enqueue_test_message(key="b")
    assert Message.select().count() == 2


def test_rolled_back_caller_transaction_leaves_no_row(notifier_db):
    with pytest.raises(RuntimeError), notifier_db.atomic():
        enqueue_test_message()
        raise RuntimeError("the host's change failed")
    assert Message.select().count() == 0


def test_duplicate_inside_caller_transaction_keeps_the_transaction_usable(notifier_db):
    with notifier_db.atomic():
        enqueue_test_message(key="x")
        assert enqueue_test_message(key="x") == 0
        enqueue_test_message(key="y")
    assert Message.select().count() == 2


@pytest.mark.parametrize(
    "recipient",
    [
        email_to("not-an-address"),
        email_to("ada@example.com\r\nBcc: eve@example.com"),
        sms_to("07911123456"),
        sms_to("+44 12"),
        notifier.Recipient(channel="fax", address="+447911123456"),
    ],
)
def test_invalid_address_raises_before_anything_is_written(notifier_db, recipient):
    with pytest.raises(ValueError):
        enqueue_test_message([email_to(), recipient])
    assert Message.select().count() == 0


def test_name_with_line_break_is_refused(notifier_db):
    with pytest.raises(ValueError, match="line breaks"):
        enqueue_test_message([email_to(name="Ada\r\nBcc: eve@example.com")])


@pytest.mark.parametrize("bad", [object(), {1, 2}, b"bytes", float("nan"), {1: "int key"}])
def test_context_must_be_plain_data(notifier_db, bad):
    with pytest.raises(ValueError, match="context"):
        enqueue_test_message(context={"user_name": "Ada", "value": bad})
    assert Message.select().count() == 0


def test_datetimes_in_context_become_iso_strings(notifier_db):
    enqueue_test_message(context={"when": datetime(2030, 5, 1, 9, 30, tzinfo=UTC), "items": (1, 2)})
    assert Message.get().context == {"when": "2030-05-01T09:30:00+00:00", "items": [1, 2]}


def test_sms_numbers_are_stored_in_e164(notifier_db):
    enqueue_test_message([sms_to("+44 7911 123456")])
    assert Message.get().address == "+447911123456"
