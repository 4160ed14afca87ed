"""Pipelining across messages (RFC 2920) against a real aiosmtpd relay on 127.0.0.1: each message's
content and final "." carry the next message's envelope. What must hold exactly: the start mark of
message N+1 is committed before its content is handed over (and the sent mark of N with it, so at
most one message is ever in flight), each message's fate is decided by its own replies, and a
connection dropped mid-pipeline loses nothing and resends nothing that may have arrived."""

from __future__ import annotations

import re
import threading

import pytest

from notifier.channels.smtp import SmtpChannel
from notifier.dispatcher import deliver_due
from notifier.models import DEAD, FAILED, QUEUED, SENT, SUPPRESSED, UNKNOWN, Message, database
from tests.notifier.conftest import make_settings
from tests.notifier.factories import T0, email_to, enqueue_test_message
from tests.notifier.test_smtp import PipeliningHandler, _record_writes
from tests.servers import SmtpServer


class FaultyRelay(PipeliningHandler):
    """Offers PIPELINING; the recipient's local part says what happens to a message:
    "refused…" (RCPT 550) and "later…" (RCPT 451) as RecordingHandler does; "datalater…" (451 to
    the final "."), "datarefused…" (554 to it); "drop…" closes the connection once, instead of
    answering its RCPT (after the previous message's reply went out); "lost…" records the message
    and closes the connection once without answering its final "."."""

    def __init__(self):
        super().__init__()
        self.dropped: set[str] = set()

    def _once(self, address: str) -> bool:
        with self.lock:
            if address in self.dropped:
                return False
            self.dropped.add(address)
            return True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("drop") and self._once(address):
            server.transport.close()
            return "250 OK"  # never reaches the client
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        [address] = envelope.rcpt_tos
        if address.startswith("datalater"):
            return "451 4.3.0 try again later"
        if address.startswith("datarefused"):
            return "554 5.7.1 message refused"
        answer = await super().handle_DATA(server, session, envelope)
        if address.startswith("lost") and self._once(address):
            server.transport.close()  # it has the message; its answer is lost
        return answer


@pytest.fixture
def relay():
    server = SmtpServer()
    server.handler = FaultyRelay()
    server.start()
    yield server
    server.stop()


def settings_for(server, **overrides):
    # Short timeouts: a dialogue out of step (a reply read for the wrong command) fails in seconds.
    return make_settings(MAIL_BACKEND="smtp", SMTP_PORT=server.port, SMTP_TIMEOUT=5, SMTP_COMMAND_TIMEOUT=5,
                         SMTP_DATA_TIMEOUT=5, **overrides)


def enqueue_to(*locals_):
    for n, local in enumerate(locals_):
        enqueue_test_message([email_to(f"{local}@example.com")], key=f"{n}-{local}")


def outcome() -> dict[str, tuple[str, int]]:
    return {m.key.split("-", 1)[1]: (m.status, m.attempts) for m in Message.select()}


def received_once(server) -> set[str]:
    counts = server.count_by_message_id()
    assert set(counts.values()) <= {1}, counts
    return {m.provider_id for m in Message.select() if f"<{m.uuid}@caseport.test>" in counts}


def test_each_message_in_the_pipeline_is_decided_by_its_own_replies(seeded, relay, monkeypatch):
    """Refusals per recipient (4xx/5xx to RCPT) and per message (4xx/5xx to the final ".") between
    accepted messages: each ends by its own reply, its neighbours are delivered once, and the
    messages after a refusal to "." still ride the pipeline."""
    writes = _record_writes(monkeypatch, relay.port)
    connects = []
    original = SmtpChannel._connect
    monkeypatch.setattr(SmtpChannel, "_connect", lambda self: connects.append(1) or original(self))
    enqueue_to("a", "later", "b", "refused", "c", "datalater", "d", "datarefused", "e", "f")
    report = deliver_due(settings_for(relay), now=T0)
    # One connection for all: no refusal put the dialogue out of step (which only a timeout and a
    # new connection would repair).
    assert len(connects) == 1
    assert (report.sent, report.failed, report.dead, report.unknown, report.lost) == (6, 2, 2, 0, 0)
    assert outcome() == {
        "a": (SENT, 1), "later": (FAILED, 1), "b": (SENT, 1), "refused": (DEAD, 1), "c": (SENT, 1),
        "datalater": (FAILED, 1), "d": (SENT, 1), "datarefused": (DEAD, 1), "e": (SENT, 1), "f": (SENT, 1),
    }
    failed = {m.key.split("-", 1)[1]: m.last_error for m in Message.select().where(Message.status != SENT)}
    assert "451" in failed["later"] and "550" in failed["refused"]
    assert "451" in failed["datalater"] and "554" in failed["datarefused"]
    assert {m["To"].addresses[0].username for m in relay.messages} == {"a", "b", "c", "d", "e", "f"}
    received_once(relay)
    # Content carrying the next envelope: every message's content after "datalater" and "datarefused"
    # still went with the next envelope (their refusal came to the "." alone).
    carried = [w for w in writes if b"\r\n.\r\nMAIL FROM:" in w]
    assert any(b"RCPT TO:<d@example.com>" in w for w in carried)
    assert any(b"RCPT TO:<e@example.com>" in w for w in carried)
    assert any(b"RCPT TO:<f@example.com>" in w for w in carried)


def test_a_connection_dropped_mid_pipeline_resends_only_what_was_never_handed_over(seeded, relay):
    """The relay answers "a" and closes before answering the envelope of "drop" that came with a's
    content: a is sent (its own reply said so), "drop" was never handed over and goes once on a fresh
    connection, at one attempt."""
    enqueue_to("a", "drop", "b", "c")
    report = deliver_due(settings_for(relay), now=T0)
    assert (report.sent, report.unknown, report.lost) == (4, 0, 0)
    assert outcome() == {"a": (SENT, 1), "drop": (SENT, 1), "b": (SENT, 1), "c": (SENT, 1)}
    assert len(received_once(relay)) == 4


def test_a_connection_dropped_after_the_final_dot_holds_that_message_and_sends_the_next(seeded, relay):
    """The relay takes "lost" and closes without answering its "." (its answer is lost): "lost" is held
    for review, never resent; the next message, whose envelope went ahead on that connection, goes
    once on a fresh one."""
    enqueue_to("a", "lost", "b", "c")
    report = deliver_due(settings_for(relay), now=T0)
    assert (report.sent, report.unknown, report.lost) == (3, 1, 0)
    assert outcome() == {"a": (SENT, 1), "lost": (UNKNOWN, 1), "b": (SENT, 1), "c": (SENT, 1)}
    assert len(received_once(relay)) == 4  # "lost" arrived once, and was not sent again
    assert deliver_due(settings_for(relay), now=T0).claimed == 0


def _committed() -> dict[str, tuple]:
    """The outbox as another connection sees it (committed rows only): key → (status, attempts, in flight)."""
    seen = {}

    def read():
        with database.connection_context():
            seen.update({m.key.split("-", 1)[1]: (m.status, m.attempts, m.attempt_started_at is not None)
                         for m in Message.select()})

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    return seen


def test_each_start_mark_and_the_previous_sent_mark_are_committed_before_the_content(seeded, relay, monkeypatch):
    """Just before a message's content is written to the relay, its start mark is committed (attempt
    counted, in flight) and the message before it is already marked sent: one message in flight,
    never two, although its envelope went ahead with the previous message's content."""
    import socket

    seen: dict[str, dict] = {}
    original = socket.socket.sendall

    def sendall(self, data, *args):
        found = re.search(rb"\r\nTo: [^<\r\n]*<?(\w+)@example.com", bytes(data))
        if found and self.getpeername()[1] == relay.port:
            seen[found.group(1).decode()] = _committed()
        return original(self, data, *args)

    monkeypatch.setattr(socket.socket, "sendall", sendall)
    enqueue_to("a", "b", "c", "d")
    assert deliver_due(settings_for(relay), now=T0).sent == 4
    order = ["a", "b", "c", "d"]
    assert list(seen) == order
    for n, local in enumerate(order):
        at_hand_over = seen[local]
        assert at_hand_over[local][1:] == (1, True), (local, at_hand_over)
        assert [key for key, (_, _, in_flight) in at_hand_over.items() if in_flight] == [local]
        assert all(at_hand_over[earlier][0] == SENT for earlier in order[:n])
        assert all(at_hand_over[later][1] == 0 for later in order[n + 1:])


def test_a_suppressed_message_gets_no_envelope_ahead(seeded, relay, monkeypatch):
    """The host's suppress check of the next message runs before its envelope would go ahead: a
    suppressed message is never announced to the relay, and each message is checked once."""
    writes = _record_writes(monkeypatch, relay.port)
    enqueue_to("a", "quiet", "b", "c")
    checked = []
    lock = threading.Lock()

    def suppress(message):
        with lock:
            checked.append(message.address)
        return "switched off" if message.address.startswith("quiet") else None

    report = deliver_due(settings_for(relay), now=T0, suppress=suppress)
    assert (report.sent, report.suppressed) == (3, 1)
    assert sorted(checked) == sorted(f"{local}@example.com" for local in ("a", "quiet", "b", "c"))
    assert outcome()["quiet"] == (SUPPRESSED, 1)
    assert not any(b"quiet@example.com" in w for w in writes)
    assert len(received_once(relay)) == 3


def test_an_envelope_sent_ahead_for_a_message_not_sent_then_hands_nothing_over(seeded, relay, monkeypatch):
    """The run fails between two messages, after the next one's envelope went ahead with a's content:
    the connection is closed before that envelope's ".", which hands nothing over; b and c are given
    back untried and go once later."""
    from notifier import dispatcher

    enqueue_to("a", "b", "c")
    original = dispatcher._deliver_one
    turns = []

    def deliver_one(message, *args, **kwargs):
        turns.append(message.key)
        if len(turns) == 2:
            raise RuntimeError("the worker failed between two messages")
        return original(message, *args, **kwargs)

    monkeypatch.setattr(dispatcher, "_deliver_one", deliver_one)
    settings = settings_for(relay)
    with pytest.raises(RuntimeError, match="between two messages"):
        deliver_due(settings, now=T0, worker_id="w1")
    assert outcome() == {"a": (SENT, 1), "b": (QUEUED, 0), "c": (QUEUED, 0)}
    monkeypatch.undo()
    assert deliver_due(settings, now=T0, worker_id="w1").sent == 2
    assert {m["To"].addresses[0].username for m in relay.messages} == {"a", "b", "c"}
    assert len(received_once(relay)) == 3
