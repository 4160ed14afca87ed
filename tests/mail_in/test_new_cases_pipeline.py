"""New cases by email through the whole pipeline: stored raw, processed by i15-core's process_message (and
once through a real `caseport mail-in` subprocess), parsed by i15-parse, opened by new_cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifier.models import CapturedMessage
from portal.clock import utcnow
from portal.mail_in import outcomes
from portal.mail_in.process import process_message
from portal.mail_in.store import store_message
from portal.models.cases import Case
from portal.models.inbound_addresses import InboundAddress
from portal.models.mail_in import InboundMessage
from tests.case_config import factories as config_factories
from tests.mail_in.core_helpers import mail_in_config_fixture, mime  # noqa: F401 - the fixture
from tests.mail_in.test_core_pipe import pipe

pytestmark = pytest.mark.usefixtures("mail_in_config")

SUPPORT = "support@help.example.com"


@pytest.fixture
def support(app, people):
    template = config_factories.template(people.admin, name="Email")
    return InboundAddress.create(address=SUPPORT, case_template=template, language="en")


def received(raw: bytes, recipients=(SUPPORT,)):
    stored = store_message(raw, envelope_recipients=list(recipients))
    process_message(stored.message.id)
    return InboundMessage.get_by_id(stored.message.id)


def test_a_customers_mail_to_an_inbound_address_opens_one_case_however_often_it_arrives(support, people):
    raw = mime(to=SUPPORT, subject="Printer jams", body="Tray 2 jams every time.",
               message_id="<new-1@mail.example.com>")
    row = received(raw)
    assert (row.outcome_state, row.outcome_reason) == (outcomes.OPENED, "customer")
    case = Case.get_by_id(row.case_id)
    assert (case.title, case.summary, case.channel) == ("Printer jams", "Tray 2 jams every time.", "email")
    received(raw)  # the MTA delivers it again
    assert Case.select().count() == 1


def test_a_stranger_is_answered_with_the_portal_link_as_an_auto_reply(support, deliver):
    row = received(mime(sender="new@stranger.example", to=SUPPORT, message_id="<s-1@stranger.example>"))
    assert (row.outcome_state, row.outcome_reason) == (outcomes.REPLIED, "unknown_sender")
    deliver(now=utcnow() + timedelta(seconds=1))
    (answer,) = CapturedMessage.select().where(CapturedMessage.to_address == "new@stranger.example")
    assert "Auto-Submitted: auto-replied" in answer.raw
    assert "In-Reply-To: <s-1@stranger.example>" in answer.raw
    assert "/cases/new" in answer.text
    # The answer coming back (an auto-responder ignoring RFC 3834, or a loop) is our own mail: ignored.
    bounced_back = answer.raw.replace("To: new@stranger.example", f"To: {SUPPORT}").encode()
    again = received(bounced_back)
    assert again.outcome_state == outcomes.IGNORED


def test_a_proxys_mail_without_a_customer_in_cc_is_refused_and_answered_once(support, people):
    first = received(mime(sender="pia@example.com", to=SUPPORT))
    second = received(mime(sender="pia@example.com", to=SUPPORT))
    assert {(r.outcome_state, r.outcome_reason) for r in (first, second)} == {(outcomes.REFUSED,
                                                                                "proxy_no_customer")}
    from notifier.models import Message

    assert Message.select().where((Message.event == "mail_in_reply")
                                  & (Message.address_key == "pia@example.com")).count() == 1


def test_the_pipe_command_opens_a_case_from_an_inbound_address(app, support, people):
    raw = mime(to=f"Support <{SUPPORT}>", subject="Piped", body="Through Postfix's pipe transport.")
    done = pipe(app, raw, "--recipient", "support+web@help.example.com")
    assert done.returncode == 0, done.stderr.decode()
    row = InboundMessage.get()
    assert row.outcome_state == outcomes.OPENED
    assert Case.get_by_id(row.case_id).summary == "Through Postfix's pipe transport."


def test_staff_see_in_words_why_a_new_case_mail_was_held(app, support, people, login, client):
    people.other_customer.active = False
    people.other_customer.save()
    row = received(mime(sender="otto@example.com", to=SUPPORT, subject="Let me back in"))
    assert (row.outcome_state, row.outcome_reason) == (outcomes.HELD, "inactive_sender")
    login(people.supervisor)
    page = client.get(f"/staff/mail-in/{row.uuid}").get_data(as_text=True)
    assert "The sender&#39;s account is deactivated." in page or "The sender's account is deactivated." in page
