"""Shared by the core tests (test_core*.py, test_lmtp*.py): real MIME messages, a case with its people, and the
inbound row's state. Kept out of a conftest so the other email-in branches can have their own."""

from __future__ import annotations

import itertools
import time
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from portal.clock import utcnow
from portal.models.cases import CaseEvent
from portal.models.mail_in import InboundMessage
from tests import factories

_numbers = itertools.count(1)

MAIL_IN = {"MAIL_IN_ADDRESS": "cases@help.example.com", "MAIL_MESSAGE_ID_DOMAIN": "portal.test"}


def mime(*, sender="cora@example.com", to="cases@help.example.com", subject="Re: your case",
         body="Thanks, that worked.", in_reply_to=None, message_id=None, headers=(), attachments=()) -> bytes:
    """A real RFC 5322 message, as a mail client writes it."""
    msg = EmailMessage()
    msg["From"] = f"Someone <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id or f"<reply-{next(_numbers)}-{time.time_ns()}@mail.example.com>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in headers:
        msg[name] = value
    msg.set_content(body + "\n\nOn Mon, 30 Nov 2026, Caseport wrote:\n> An earlier message\n> quoted here\n")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire


@pytest.fixture(name="mail_in_config")
def mail_in_config_fixture(app):
    app.config.update(MAIL_IN)
    return app.config


@pytest.fixture(name="team")
def team_fixture(people):
    return factories.workgroup(people.agent, people.supervisor, name="Service desk")


@pytest.fixture(name="open_case")
def open_case_fixture(people, team):
    return factories.case(people.customer, workgroup=team)


def comments(case) -> list[CaseEvent]:
    return list(CaseEvent.select().where((CaseEvent.case == case) & (CaseEvent.kind == "comment"))
                .order_by(CaseEvent.id))


def inbound(message_id: str) -> InboundMessage:
    return InboundMessage.get(InboundMessage.message_id == message_id.strip("<>"))


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")
