"""`caseport mail-in --lmtp`: real LMTP sessions (smtplib.LMTP) against the aiosmtpd server on 127.0.0.1.
The message is stored before the "250", one answer per recipient, processed in a worker thread after it."""

from __future__ import annotations

import os
import smtplib
import subprocess

import pytest

from portal.mail_in import outcomes
from portal.mail_in.receive import lmtp_controller
from portal.mail_in.threading import reply_address
from portal.models.mail_in import DONE, InboundMessage
from tests.mail_in.core_helpers import (  # noqa: F401 - fixtures
    comments,
    mail_in_config_fixture,
    mime,
    open_case_fixture,
    team_fixture,
    wait_for,
)
from tests.mail_in.test_core_pipe import CASEPORT
from tests.servers import free_port

pytestmark = pytest.mark.usefixtures("mail_in_config")


@pytest.fixture
def lmtp_server(app):
    port = free_port()
    controller = lmtp_controller(app.config, app.url_map, "127.0.0.1", port)
    controller.start()
    yield port
    controller.stop()


def test_an_lmtp_delivery_is_stored_answered_per_recipient_and_processed(people, open_case, lmtp_server):
    address = reply_address(open_case.uuid, people.customer.uuid)
    raw = mime(to=address, body="Over LMTP.")
    with smtplib.LMTP("127.0.0.1", lmtp_server) as client:
        # smtplib's sendmail reads one answer after DATA; LMTP gives one per recipient, read here in turn.
        client.ehlo_or_helo_if_needed()
        client.mail("cora@example.com")
        client.rcpt(address)
        client.rcpt("cases@help.example.com")
        assert client.data(raw)[0] == 250
        assert client.getreply()[0] == 250
    # Stored and committed before the 250: the row is there the moment the answer came.
    row = InboundMessage.get()
    assert bytes(row.raw) == raw and row.envelope_recipients == [address, "cases@help.example.com"]
    assert row.envelope_sender == "cora@example.com"
    wait_for(lambda: InboundMessage.get().state == DONE)
    assert InboundMessage.get().outcome_state == outcomes.COMMENTED
    assert [c.body for c in comments(open_case)] == ["Over LMTP."]


def test_lmtp_answers_one_line_for_each_recipient(people, open_case, lmtp_server):
    raw = mime(subject="no case here")
    with smtplib.LMTP("127.0.0.1", lmtp_server) as client:
        client.ehlo_or_helo_if_needed()
        client.mail("cora@example.com")
        client.rcpt("cases@help.example.com")
        client.rcpt("other@help.example.com")
        code, _ = client.data(raw)
        assert code == 250
        # The second recipient's answer follows the first one's on the wire.
        assert client.getreply()[0] == 250


def test_an_lmtp_redelivery_is_accepted_and_does_nothing(people, open_case, lmtp_server):
    address = reply_address(open_case.uuid, people.customer.uuid)
    raw = mime(to=address)
    for _ in range(3):
        with smtplib.LMTP("127.0.0.1", lmtp_server) as client:
            assert client.sendmail("cora@example.com", [address], raw) == {}
    wait_for(lambda: InboundMessage.get().state == DONE)
    assert InboundMessage.select().count() == 1 and len(comments(open_case)) == 1


def test_lmtp_refuses_a_message_over_the_limit_with_552(app, people, open_case):
    app.config["MAIL_IN_MAX_BYTES"] = 100_000
    port = free_port()
    controller = lmtp_controller(app.config, app.url_map, "127.0.0.1", port)
    controller.start()
    try:
        raw = mime(attachments=[("big.bin", "application/octet-stream", os.urandom(120_000))])
        with smtplib.LMTP("127.0.0.1", port) as client:
            client.ehlo_or_helo_if_needed()
            client.mail("cora@example.com")  # no SIZE given: the server finds out while reading the data
            client.rcpt("cases@help.example.com")
            code, _ = client.data(raw)
        assert code == 552
    finally:
        controller.stop()
    assert InboundMessage.select().count() == 0


def test_a_20_mb_attachment_arrives_whole_over_lmtp(people, open_case, lmtp_server, app):
    app.config["UPLOAD_MAX_BYTES"] = 25 * 1024 * 1024
    address = reply_address(open_case.uuid, people.customer.uuid)
    data = b"%PDF-1.4\n" + os.urandom(20 * 1024 * 1024)
    raw = mime(to=address, attachments=[("manual.pdf", "application/pdf", data)])
    with smtplib.LMTP("127.0.0.1", lmtp_server) as client:
        assert client.sendmail("cora@example.com", [address], raw) == {}
    assert bytes(InboundMessage.get().raw) == raw
    wait_for(lambda: InboundMessage.get().state == DONE, timeout=60)


def test_the_caseport_command_serves_lmtp(app, people, open_case):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
           "BASE_URL": app.config["BASE_URL"], "UPLOAD_DIR": app.config["UPLOAD_DIR"],
           "MAIL_IN_ADDRESS": "cases@help.example.com", "MAIL_MESSAGE_ID_DOMAIN": "portal.test"}
    server = subprocess.Popen([CASEPORT, "mail-in", "--lmtp", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert b"LMTP" in server.stdout.readline()
        address = reply_address(open_case.uuid, people.customer.uuid)
        with smtplib.LMTP("127.0.0.1", port) as client:
            assert client.sendmail("cora@example.com", [address], mime(to=address, body="Via the command.")) == {}
        wait_for(lambda: comments(open_case), timeout=30)
        assert [c.body for c in comments(open_case)] == ["Via the command."]
    finally:
        server.terminate()
        assert server.wait(30) == 0
