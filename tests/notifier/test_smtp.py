"""The SMTP channel against a real aiosmtpd server on 127.0.0.1."""

import contextlib
import re
import smtplib
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from notifier.breaker import Breakers
from notifier.channels.errors import PermanentDeliveryError
from notifier.channels.outgoing import OutgoingEmail
from notifier.channels.smtp import SmtpChannel
from notifier.dispatcher import deliver_due
from notifier.models import DEAD, FAILED, QUEUED, SENT, Message
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0, email_to, enqueue_test_message, only_message
from tests.servers import RecordingHandler, SmtpServer


class PipeliningHandler(RecordingHandler):
    """A relay that offers PIPELINING (RFC 2920), as Postfix and most providers do."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


@pytest.fixture(params=["plain", "pipelining"])
def smtp_server(request):
    """Every test here runs against a relay without PIPELINING and one with it."""
    server = SmtpServer()
    if request.param == "pipelining":
        server.handler = PipeliningHandler()
    server.start()
    yield server
    server.stop()


def _record_writes(monkeypatch, port) -> list[bytes]:
    """Every write of the SMTP client to the relay on `port`, as handed to the socket."""
    import socket

    writes = []
    original = socket.socket.sendall

    def sendall(self, data, *args):
        with contextlib.suppress(OSError):
            if self.getpeername()[1] == port:
                writes.append(bytes(data))
        return original(self, data, *args)

    monkeypatch.setattr(socket.socket, "sendall", sendall)
    return writes


def test_a_relay_offering_pipelining_gets_one_write_per_message(seeded, smtp_server, smtp_settings, monkeypatch):
    """With PIPELINING, MAIL, RCPT and DATA go in one write, and each message's content and final "."
    carry the next message's envelope: one write (one round trip) per message."""
    writes = _record_writes(monkeypatch, smtp_server.port)
    for n in range(3):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    assert deliver_due(smtp_settings, now=T0).sent == 3
    dialogue = [w for w in writes if not w.lower().startswith((b"ehlo", b"quit"))]
    if isinstance(smtp_server.handler, PipeliningHandler):
        envelope = re.compile(rb"MAIL FROM:<[^>]+>\r\nRCPT TO:<user(\d)@example.com>\r\nDATA\r\n")
        assert len(dialogue) == 4
        assert envelope.fullmatch(dialogue[0]).group(1) == b"0"
        for n, write in enumerate(dialogue[1:3], start=1):
            content, end, after = write.partition(b"\r\n.\r\n")
            assert end and b"Message-ID:" in content and envelope.fullmatch(after).group(1) == str(n).encode()
        assert dialogue[3].endswith(b"\r\n.\r\n") and dialogue[3].count(b"\r\n.\r\n") == 1
    else:
        assert len(dialogue) == 12  # MAIL, RCPT, DATA and the content, each its own round trip
    assert set(smtp_server.count_by_message_id().values()) == {1}


def test_email_arrives_with_content_and_headers(seeded, smtp_server, smtp_settings):
    enqueue_test_message([email_to()], thread="case:00012345")
    assert deliver_due(smtp_settings, now=T0).sent == 1
    [received] = smtp_server.messages
    message = only_message()
    assert received["Message-ID"] == f"<{message.uuid}@caseport.test>"
    assert message.provider_id == received["Message-ID"]
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Subject"] == "Test message from Caseport"
    assert received["To"] == "Ada <ada@example.com>"
    assert received["From"] == "Caseport <no-reply@caseport.test>"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Hello Ada" in text and "<p>Hello Ada" in html
    assert smtp_server.handler.received[0]["mail_from"] == "no-reply@caseport.test"


def test_messages_of_one_thread_share_their_threading_root(seeded, smtp_server, smtp_settings):
    enqueue_test_message([email_to()], key="a", thread="case:1")
    enqueue_test_message([email_to()], key="b", thread="case:1")
    enqueue_test_message([email_to()], key="c", thread="case:2")
    deliver_due(smtp_settings, now=T0)
    roots = {m["Message-ID"]: (m["In-Reply-To"], m["References"]) for m in smtp_server.messages}
    by_key = {m.key: roots[m.provider_id] for m in Message.select()}
    assert by_key["a"] == by_key["b"] and by_key["a"][0] == by_key["a"][1]
    assert by_key["a"] != by_key["c"]
    assert by_key["a"][0].startswith("<thread-") and by_key["a"][0].endswith("@caseport.test>")


def test_text_only_template_sends_a_single_part(seeded, smtp_server, smtp_settings):
    from notifier.templates import save_version

    save_version("plain_event", "email", {"subject": "Plain", "text": "Just text"}, author="a")
    enqueue_test_message(event="plain_event")
    deliver_due(smtp_settings, now=T0)
    [received] = smtp_server.messages
    assert received.get_content_type() == "text/plain"
    assert received.get_content().strip() == "Just text"


def test_header_injection_is_refused_by_the_channel(smtp_server, smtp_settings):
    email = OutgoingEmail(
        message_uuid="1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        to_address="ada@example.com",
        to_name=None,
        subject="Hello\r\nBcc: eve@example.com",
        text="body",
    )
    with SmtpChannel(smtp_settings) as channel, pytest.raises(PermanentDeliveryError, match="line break"):
        channel.send(email)
    assert smtp_server.messages == []


def test_injected_line_breaks_from_context_never_become_headers(seeded, smtp_server, smtp_settings):
    enqueue_test_message(context={"user_name": "Ada", "portal_name": "X\r\nBcc: eve@example.com"})
    deliver_due(smtp_settings, now=T0)
    [received] = smtp_server.messages
    assert received["Bcc"] is None
    assert smtp_server.handler.received[0]["rcpt_tos"] == ["ada@example.com"]


def test_one_connection_serves_a_whole_batch(seeded, smtp_server, smtp_settings, monkeypatch):
    connects = []
    original = SmtpChannel._connect
    monkeypatch.setattr(SmtpChannel, "_connect", lambda self: connects.append(1) or original(self))
    for n in range(5):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    assert deliver_due(smtp_settings, now=T0).sent == 5
    assert len(connects) == 1
    # With two lanes: one connection per lane, reused for all its messages.
    for n in range(5, 10):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    assert deliver_due(replace(smtp_settings, NOTIFIER_LANES=2), now=T0).sent == 5
    assert len(connects) == 3


def test_refused_recipient_is_dead_straight_away(seeded, smtp_server, smtp_settings):
    enqueue_test_message([email_to("refused@example.com"), email_to("ada@example.com")])
    report = deliver_due(smtp_settings, now=T0)
    assert (report.sent, report.dead) == (1, 1)
    dead = Message.get(Message.status == DEAD)
    assert "550" in dead.last_error and dead.attempts == 1


def test_temporary_refusal_is_retried_later(seeded, smtp_server, smtp_settings):
    enqueue_test_message([email_to("later@example.com")])
    deliver_due(smtp_settings, now=T0)
    assert only_message().status == FAILED and "451" in only_message().last_error


def test_outage_backs_off_the_channel_then_delivers_every_message_exactly_once(seeded, smtp_server):
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=smtp_server.port,
                             NOTIFIER_CHANNEL_BACKOFF_BASE_SECONDS=0.05, NOTIFIER_CHANNEL_BACKOFF_CAP_SECONDS=0.2)
    for n in range(10):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    smtp_server.stop()
    breakers = Breakers()
    down_until = time.monotonic() + 1.0
    runs = 0
    while time.monotonic() < down_until:
        report = deliver_due(settings, now=T0, breakers=breakers)
        assert report.sent == report.failed == 0
        runs += 1
        time.sleep(0.01)
    # Many runs during the outage, yet not one attempt of any message was spent.
    assert runs > 10
    assert {(m.status, m.attempts) for m in Message.select()} == {(QUEUED, 0)}
    smtp_server.start()
    time.sleep(0.25)  # past the cap: the next run probes and resumes
    assert deliver_due(settings, now=T0, breakers=breakers).sent == 10
    counts = smtp_server.count_by_message_id()
    assert len(counts) == 10 and set(counts.values()) == {1}
    assert {m.provider_id for m in Message.select()} == set(counts)
    assert {m.attempts for m in Message.select()} == {1}


def test_message_id_is_stable_across_retries(seeded, smtp_server, smtp_settings):
    accept = smtp_server.handler.handle_DATA
    refusals = []

    async def refuse_once(server, session, envelope):
        if not refusals:
            refusals.append(envelope.content)
            return "451 4.3.0 try again later"
        return await accept(server, session, envelope)

    smtp_server.handler.handle_DATA = refuse_once
    enqueue_test_message()
    deliver_due(smtp_settings, now=T0)
    assert only_message().status == FAILED and "451" in only_message().last_error
    deliver_due(smtp_settings, now=T0 + timedelta(minutes=5))
    message = only_message()
    assert message.status == SENT and message.attempts == 2
    expected = f"<{message.uuid}@caseport.test>".encode()
    assert f"Message-ID: {expected.decode()}".encode() in refusals[0]
    assert smtp_server.messages[0]["Message-ID"] == expected.decode()


def _steal_or_fail_at(monkeypatch, key, action):
    """Run `action(message)` just before the start mark of the message with `key` is written."""
    from notifier.marks import SentMarks

    original = SentMarks.start

    def start(self, message, now, lease_seconds):
        if message.key == key:
            action(message)
        return original(self, message, now, lease_seconds)

    monkeypatch.setattr(SentMarks, "start", start)


def test_a_claim_lost_at_the_start_mark_hands_nothing_over(seeded, smtp_server, smtp_settings, monkeypatch):
    for n in range(3):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")
    _steal_or_fail_at(monkeypatch, "k1", lambda message: Message.update(claim_token="another-worker").where(
        Message.id == message.id).execute())
    report = deliver_due(smtp_settings, now=T0)
    assert (report.sent, report.lost) == (2, 1)
    time.sleep(0.2)
    received = {m["To"] for m in smtp_server.messages}
    assert received == {"Ada <user0@example.com>", "Ada <user2@example.com>"}
    stolen = Message.get(Message.key == "k1")
    assert (stolen.attempts, stolen.attempt_started_at, stolen.claim_token) == (0, None, "another-worker")


@pytest.mark.parametrize("lanes", [1, 2])
def test_a_database_outage_at_the_start_mark_hands_nothing_over_and_spends_nothing(seeded, smtp_server,
                                                                                    smtp_settings, monkeypatch, lanes):
    import peewee

    for n in range(3):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}")

    def outage(message):
        raise peewee.OperationalError("database is unavailable")

    _steal_or_fail_at(monkeypatch, "k1", outage)
    with pytest.raises(peewee.OperationalError):
        deliver_due(replace(smtp_settings, NOTIFIER_LANES=lanes), now=T0, worker_id="w1")
    time.sleep(0.2)
    if lanes == 1:
        expected = {"k0": (SENT, 1), "k1": (QUEUED, 0), "k2": (QUEUED, 0)}
    else:  # k1's lane stopped before handing it over; the other lane delivered its own (k0 and k2)
        expected = {"k0": (SENT, 1), "k1": (QUEUED, 0), "k2": (SENT, 1)}
    assert len(smtp_server.messages) == lanes
    assert {m.key: (m.status, m.attempts) for m in Message.select()} == expected
    monkeypatch.undo()
    assert deliver_due(smtp_settings, now=T0, worker_id="w1").sent == 3 - lanes
    counts = smtp_server.count_by_message_id()
    assert len(counts) == 3 and set(counts.values()) == {1}


@pytest.mark.parametrize("address", [
    "ada@example.com", "a.b+tag@mail.example.co.uk", "o'brien@example.com", "x_y-z@sub-domain.example",
    "Ada <ada@example.com>", '"quoted local"@example.com', "a..b@example.com", ".ada@example.com",
    "ada@example..com", "ada@[127.0.0.1]", "ada", "", " ada@example.com ", "adä@example.com",
    "ada@example.com (Ada)", "a(b)c@example.com",
])
def test_the_smtp_path_is_the_one_smtplib_writes(address):
    """The fast path for plain addresses gives exactly what smtplib.quoteaddr gives, for any address."""
    from notifier.channels.outgoing import smtp_path

    assert smtp_path(address) == smtplib.quoteaddr(address)
