"""Notifications carry a per-recipient reply address that threads, and a bounce of one of them is shown on the
case's notifications tab. Delivered through a real SMTP server (aiosmtpd); replies received by the pipeline."""

from __future__ import annotations

import pytest

from notifier.models import Message
from portal.cases.service.conversation import add_comment
from portal.mail_in import outcomes
from portal.mail_in.process import process_message
from portal.mail_in.store import store_message
from tests.fixtures import sign_in
from tests.mail_in.core_helpers import (  # noqa: F401 - fixtures
    comments,
    mail_in_config_fixture,
    mime,
    open_case_fixture,
    team_fixture,
)
from tests.servers import smtp_server  # noqa: F401 - a real SMTP server the notifier delivers to


@pytest.fixture
def smtp(app, smtp_server):  # noqa: F811
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      SMTP_USERNAME="")
    return smtp_server


def receive(raw: bytes, recipients=()):
    return process_message(store_message(raw, envelope_recipients=recipients).message.id)


def _answer_reaching_cora(people, case, smtp, deliver):
    add_comment(people.agent, case, "Please restart the printer.")
    report = deliver()
    assert report.dead == 0, report.errors
    [email] = [m for m in smtp.messages if m["To"].addresses[0].addr_spec == "cora@example.com"]
    return email


@pytest.mark.usefixtures("mail_in_config")
def test_the_agents_answer_reaches_the_customer_with_a_reply_address_that_threads(people, open_case, smtp, deliver):
    email = _answer_reaching_cora(people, open_case, smtp, deliver)
    reply_to = email["Reply-To"].addresses[0].addr_spec
    assert reply_to.startswith("cases+") and reply_to.endswith("@help.example.com")
    outcome = receive(mime(to=reply_to, in_reply_to=email["Message-ID"], body="Restarted, all good now."),
                      recipients=[reply_to])
    assert outcome.state == outcomes.COMMENTED
    assert [c.body for c in comments(open_case)] == ["Please restart the printer.", "Restarted, all good now."]
    assert comments(open_case)[-1].actor_id == people.customer.id


@pytest.mark.usefixtures("mail_in_config")
def test_each_recipient_gets_their_own_reply_address(people, open_case):
    add_comment(people.customer, open_case, "Still broken.")
    addresses = {m.address: (m.extra_headers or {}).get("Reply-To") for m in Message.select()}
    assert addresses, "someone is told"
    assert all(value and value.startswith("cases+") for value in addresses.values())
    assert len(set(addresses.values())) == len(addresses)


def test_without_a_mail_in_address_notifications_carry_no_reply_to(people, open_case):
    add_comment(people.agent, open_case, "Answer.")
    assert [(m.extra_headers or {}).get("Reply-To") for m in Message.select()] == [None]


def _bounce_for(message_id: str, recipient: str) -> bytes:
    """A DSN (RFC 3464) as Postfix writes it."""
    return f"""Return-Path: <>
From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
To: no-reply@portal.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <20261201.bounce.1@mx.example.com>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered to {recipient}.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected

--B1
Content-Type: text/rfc822-headers

From: Caseport <no-reply@portal.test>
To: {recipient}
Subject: New reply on your case
Message-ID: {message_id}

--B1--
""".replace("\n", "\r\n").encode("ascii")


@pytest.mark.usefixtures("mail_in_config")
def test_a_bounce_marks_the_notification_and_the_case_page_shows_it(app, client, people, open_case, smtp, deliver):
    email = _answer_reaching_cora(people, open_case, smtp, deliver)
    outcome = receive(_bounce_for(email["Message-ID"], "cora@example.com"))
    assert outcome.state == outcomes.BOUNCED
    sent = Message.get(Message.address == "cora@example.com")
    assert sent.bounced_at is not None and sent.bounce_status == "5.1.1" and sent.status == "sent"
    sign_in(client, people.agent)
    page = client.get(f"/cases/{open_case.reference}").get_data(as_text=True)
    assert "Bounced" in page and "5.1.1" in page
    assert comments(open_case)[-1].body == "Please restart the printer."  # a bounce never becomes a comment
