"""A channel added through the registry gets the outbox's machinery without code of its own:
address checks, rendering once, retries with backoff, the dead letter, the attempts log, holds and
(when it asks for it) order per address and thread."""

from __future__ import annotations

from datetime import timedelta

import pytest

import notifier
from notifier import registry
from notifier.channels.spec import Channel
from notifier.dispatcher import deliver_due
from notifier.holds import hold, release_hold
from notifier.models import DEAD, SENT, Attempt, Message
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0


class Recorder:
    endpoint = None
    max_send_seconds = 5.0

    def __init__(self, script):
        self.script, self.sent = script, []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def probe(self):
        pass

    def send(self, outgoing):
        answer = self.script.pop(0) if self.script else "ok"
        if answer == "transient":
            raise notifier.TransientDeliveryError("try later")
        if answer == "permanent":
            raise notifier.PermanentDeliveryError("never")
        self.sent.append(outgoing)
        return f"id-{len(self.sent)}"


@pytest.fixture
def recorder(notifier_db):
    sender = Recorder([])

    def normalise(address):
        if not address.startswith("box-"):
            raise ValueError("not a box")
        return address

    registry.register(Channel(name="recorder", normalise=normalise, sender=lambda settings: sender,
                              outgoing=lambda message: message.rendered["text"],
                              render=lambda message: {"text": message.context["text"]}, ordered=True))
    yield sender
    registry.unregister("recorder")


def _enqueue(key, address="box-1", thread=None, text=None):
    return notifier.enqueue("note", [notifier.Recipient("recorder", address)], {"text": text or key}, key=key,
                            thread=thread, now=T0)


def _run(minutes):
    return deliver_due(make_settings(NOTIFIER_MAX_ATTEMPTS=3), now=T0 + timedelta(minutes=minutes),
                       channels=["recorder"])


def test_an_added_channel_checks_addresses_and_unknown_channels_are_refused(recorder):
    with pytest.raises(ValueError, match="not a box"):
        _enqueue("a", address="elsewhere")
    with pytest.raises(ValueError, match="unknown channel"):
        notifier.enqueue("note", [notifier.Recipient("pigeon", "x")], {}, key="b")


def test_an_added_channel_is_retried_and_ends_dead_like_the_others(recorder):
    _enqueue("retried")
    _enqueue("doomed", address="box-2")
    recorder.script = ["transient", "permanent"]
    _run(0)
    for minute in range(1, 200, 10):
        _run(minute)
    retried = Message.get(Message.key == "retried")
    assert retried.status == SENT and retried.attempts == 2
    assert Message.get(Message.key == "doomed").status == DEAD
    assert [a.outcome for a in Attempt.select().where(Attempt.message == retried).order_by(Attempt.number)] == [
        "transient", "sent"]
    assert recorder.sent == ["retried"]


def test_an_ordered_channel_sends_a_thread_in_order_and_holds_wait(recorder):
    for n in range(3):
        _enqueue(f"t{n}", thread="case-1")
    _enqueue("other", thread="case-2")
    recorder.script = ["transient"]
    _run(0)
    assert recorder.sent == ["other"]
    hold("recorder", "box-1", "paused")
    for minute in range(1, 60, 5):
        _run(minute)
    assert recorder.sent == ["other"]
    release_hold("recorder", "box-1", now=T0 + timedelta(minutes=60))
    for minute in range(60, 200, 5):
        _run(minute)
    assert recorder.sent == ["other", "t0", "t1", "t2"]
