"""The SMS channel against a local HTTP server speaking the Twilio Messages API."""

import time
from datetime import timedelta

import pytest

from notifier.breaker import Breakers
from notifier.dispatcher import deliver_due
from notifier.models import DEAD, FAILED, QUEUED, SENT, Message
from notifier.sms_segments import sms_shape
from notifier.templates import save_version
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0, enqueue_test_message, only_message, sms_to

NUMBER = "+447911123456"


def test_sms_is_posted_with_basic_auth_and_recorded(seeded, sms_gateway, sms_settings):
    enqueue_test_message([sms_to(NUMBER)])
    assert deliver_due(sms_settings, now=T0).sent == 1
    [posted] = sms_gateway.received
    assert posted["To"] == NUMBER and posted["From"] == "+15005550006"
    assert posted["Body"] == "Test message from Caseport for Ada: SMS delivery works."
    message = only_message()
    assert message.provider_id == posted["sid"]
    assert (message.sms_encoding, message.sms_segments) == ("GSM-7", 1)


def test_wrong_credentials_are_rejected_and_retried_later(seeded, sms_gateway, sms_settings):
    settings = make_settings(**{**sms_settings.__dict__, "SMS_AUTH_TOKEN": "wrong"})
    enqueue_test_message([sms_to(NUMBER)])
    deliver_due(settings, now=T0)
    assert sms_gateway.rejected_auth == 1 and sms_gateway.received == []
    assert only_message().status == FAILED


def test_server_error_is_retried_then_delivered(seeded, sms_gateway, sms_settings):
    sms_gateway.script[NUMBER] = [(500, {"Retry-After": "30"}, {"code": 20500, "message": "oops"})] * 2
    enqueue_test_message([sms_to(NUMBER)])
    now = T0
    for _ in range(2):
        deliver_due(sms_settings, now=now)
        message = only_message()
        assert message.status == FAILED and "500" in message.last_error
        assert message.next_attempt_at >= now + timedelta(seconds=30)
        now = message.next_attempt_at
    deliver_due(sms_settings, now=now)
    assert only_message().status == SENT and len(sms_gateway.received) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limit_and_unavailable_back_off_the_channel_not_the_message(seeded, sms_gateway, status):
    settings = make_settings(
        SMS_BACKEND="http", SMS_BASE_URL=sms_gateway.url, SMS_ACCOUNT_SID=sms_gateway.sid,
        SMS_AUTH_TOKEN=sms_gateway.token, SMS_FROM="+15005550006", NOTIFIER_CHANNEL_BACKOFF_BASE_SECONDS=0.01,
    )
    sms_gateway.script[NUMBER] = [(status, {"Retry-After": "0.3"}, {"code": 20429, "message": "slow down"})]
    enqueue_test_message([sms_to(NUMBER)])
    breakers = Breakers()
    report = deliver_due(settings, now=T0, breakers=breakers)
    assert report.deferred == 1 and report.failed == 0
    message = only_message()
    assert (message.status, message.attempts) == (QUEUED, 0)
    # Retry-After is honoured for the whole channel: nothing is tried before it has passed.
    assert deliver_due(settings, now=T0, breakers=breakers).channels_down == ["sms"]
    time.sleep(0.35)
    assert deliver_due(settings, now=T0, breakers=breakers).sent == 1
    assert only_message().attempts == 1 and len(sms_gateway.received) == 1


def test_invalid_number_is_dead_straight_away(seeded, sms_gateway, sms_settings):
    enqueue_test_message([sms_to("+447911120000")])
    deliver_due(sms_settings, now=T0)
    message = only_message()
    assert message.status == DEAD and "21211" in message.last_error and message.attempts == 1


def test_unreachable_gateway_spends_no_attempt(seeded):
    settings = make_settings(SMS_BACKEND="http", SMS_BASE_URL="http://127.0.0.1:9", SMS_ACCOUNT_SID="AC1")
    enqueue_test_message([sms_to(NUMBER)])
    report = deliver_due(settings, now=T0, breakers=Breakers())
    assert report.deferred == 1
    assert (only_message().status, only_message().attempts) == (QUEUED, 0)


def test_unicode_sms_records_ucs2_segments(seeded, sms_gateway, sms_settings):
    save_version("greeting", "sms", {"text": "{{ text }}"}, author="a")
    enqueue_test_message([sms_to(NUMBER)], event="greeting", context={"text": "Grüße 👋 " * 10})
    deliver_due(sms_settings, now=T0)
    message = Message.get()
    assert message.sms_encoding == "UCS-2" and message.sms_segments == 2


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 2),
        ("é" * 160, "GSM-7", 1),  # é is in the GSM-7 basic set
        ("ę" * 70, "UCS-2", 1),
        ("ę" * 71, "UCS-2", 2),
        ("👋" * 35, "UCS-2", 1),  # surrogate pairs count twice
        ("ę" * 134, "UCS-2", 2),
        ("ę" * 135, "UCS-2", 3),
    ],
)
def test_segment_counting(text, encoding, segments):
    shape = sms_shape(text)
    assert (shape.encoding, shape.segments) == (encoding, segments)
