"""New cases from real-style messages: raw .eml bytes through the parser (parse_message), then
open_from_mail, as the pipeline runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.db import database
from portal.mail_in.new_cases import open_from_mail
from portal.mail_in.outcomes import OPENED
from portal.mail_in.parse import parse_message
from portal.models.cases import Attachment, Case
from portal.models.inbound_addresses import InboundAddress
from portal.models.people import Customer
from tests import factories
from tests.case_config import factories as config_factories
from tests.mail_in.inbound_setup import NOW
from tests.mail_in.test_replies import queued

MESSAGES = Path(__file__).parent / "messages"
ADDRESS = "cases@support.example.net"


@pytest.fixture
def address(app, people):
    template = config_factories.template(people.admin, name="Email")
    return InboundAddress.create(address=ADDRESS, case_template=template, language="en")


def opened(name: str, recipients=None):
    parsed = parse_message((MESSAGES / name).read_bytes())
    with database.atomic():
        return parsed, open_from_mail(parsed, [ADDRESS] if recipients is None else recipients(parsed), now=NOW)


def test_a_customers_gmail_reply_opens_a_case_with_only_what_they_wrote(address):
    factories.user(role="customer", email="jane.customer@gmail.com", display_name="Jane Customer")
    parsed, outcome = opened("gmail_reply.eml", lambda parsed: [*parsed.to, *parsed.cc])  # to cases+k1.abc@...
    assert outcome.state == OPENED
    case = Case.get_by_id(outcome.case_id)
    assert case.channel == "email"
    assert case.title == "[Case 12345678] Router keeps restarting"
    assert case.summary == parsed.reply_text.strip()
    assert "wrote:" not in case.summary


def test_attachments_the_upload_checks_accept_are_kept_and_the_sender_hears_of_the_others(address):
    factories.user(role="customer", email="iris@photos.example", display_name="Iris Img")
    parsed, outcome = opened("attachments.eml")
    assert (outcome.state, outcome.reason) == (OPENED, "refused_files")
    kept = sorted(a.original_name for a in Attachment.select().where(Attachment.case == outcome.case_id))
    assert kept and all(not name.endswith(".exe") for name in kept)
    assert "evil.exe" in outcome.detail
    (answer,) = queued("iris@photos.example")
    case = Case.get_by_id(outcome.case_id)
    assert answer.context["subject"] == f"[{case.reference}] Some of your files were not accepted"
    assert "evil.exe" in answer.context["body"]
    assert answer.extra_headers["In-Reply-To"] == f"<{parsed.message_id}>"


def test_an_agent_forwarding_a_message_as_an_attachment_opens_the_case_for_its_sender(address):
    factories.user(role="agent", email="alex.agent@support.example.net", display_name="Alex Agent")
    bea = factories.customer(first_name="Bea", email="bea.koenig@customer-mail.example")
    _, outcome = opened("forwarded_attachment.eml")
    assert outcome.state == OPENED
    case = Case.get_by_id(outcome.case_id)
    assert case.customer_id == bea.id
    assert case.title == "Cannot log in"
    assert "my password is wrong" in case.summary


def test_an_agent_forwarding_an_outlook_message_inline_opens_the_case_for_its_sender(address):
    factories.user(role="agent", email="alex.agent@support.example.net", display_name="Alex Agent")
    dora = factories.user(role="customer", email="dora@kundin.example", display_name="Dora Daum")
    _, outcome = opened("forwarded_outlook.eml")
    assert outcome.state == OPENED
    case = Case.get_by_id(outcome.case_id)
    assert case.customer == Customer.get(Customer.user == dora)
    assert case.title == "Defektes Gerät"


def test_a_shift_jis_message_from_a_stranger_opens_a_profile_with_their_name(address):
    InboundAddress.update(unknown_senders="open").execute()
    parsed, outcome = opened("shift_jis.eml")
    assert outcome.state == OPENED
    profile = Customer.get(Customer.email == "yamada@example.co.jp")
    assert profile.full_name.replace(" ", "") == parsed.sender_name.replace(" ", "")
    assert Case.get_by_id(outcome.case_id).title == parsed.subject
