"""Extra email headers stored per message, and the host's delivery-time suppress hook."""

from datetime import timedelta

import pytest

from notifier.channels.errors import PermanentDeliveryError
from notifier.channels.outgoing import OutgoingEmail, build_email
from notifier.dispatcher import deliver_due
from notifier.models import Attempt, CapturedMessage
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0, email_to, enqueue_test_message, only_message, sms_to

UNSUBSCRIBE = {"List-Unsubscribe": "<https://x.test/u/1>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def test_extra_headers_are_stored_for_email_and_sent(seeded):
    enqueue_test_message([email_to()], headers=UNSUBSCRIBE)
    deliver_due(make_settings(), now=T0)
    capture = CapturedMessage.get()
    assert capture.headers["List-Unsubscribe"] == "<https://x.test/u/1>"
    assert capture.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_sms_messages_keep_no_email_headers(seeded):
    enqueue_test_message([sms_to()], headers=UNSUBSCRIBE)
    assert only_message().extra_headers is None


@pytest.mark.parametrize("headers", [
    {"List-Unsubscribe": "<https://x>\r\nBcc: victim@example.com"},
    {"Bad Name": "x"},
    {"Subject": "replaced"},
])
def test_unsafe_or_reserved_headers_are_refused_at_enqueue(seeded, headers):
    with pytest.raises(ValueError):
        enqueue_test_message([email_to()], headers=headers)


def test_a_line_break_in_a_stored_header_is_refused_when_sending():
    email = OutgoingEmail("00000000-0000-4000-8000-000000000000", "a@example.com", None, "s", "t",
                          headers=(("List-Unsubscribe", "<x>\nBcc: y"),))
    with pytest.raises(PermanentDeliveryError):
        build_email(email, mail_from="n@example.com", domain="x.test", sent_at=T0)


def test_a_suppressed_message_ends_with_the_reason_as_an_attempt(seeded):
    enqueue_test_message([email_to()])
    report = deliver_due(make_settings(), now=T0, suppress=lambda message: "recipient said no")
    message = only_message()
    assert report.suppressed == 1 and message.status == "suppressed"
    assert Attempt.get().error == "recipient said no"
    assert CapturedMessage.select().count() == 0
    assert deliver_due(make_settings(), now=T0 + timedelta(days=1)).claimed == 0


def test_a_failing_suppress_check_retries_later_instead_of_sending(seeded):
    enqueue_test_message([email_to()])

    def broken(message):
        raise RuntimeError("database away")

    report = deliver_due(make_settings(), now=T0, suppress=broken)
    assert report.failed == 1 and only_message().status == "failed"
    assert CapturedMessage.select().count() == 0
