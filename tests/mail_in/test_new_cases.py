"""New cases by email: each rule of portal/mail_in/new_cases.open_from_mail with real ParsedMail objects,
a real database and the real open_case()."""

from __future__ import annotations

import peewee
import pytest

from notifier.models import Message
from portal.db import database
from portal.mail_in.message import ParsedMail
from portal.mail_in.new_cases import open_from_mail
from portal.mail_in.outcomes import HELD, OPENED, REFUSED, REPLIED
from portal.models.cases import Case
from portal.models.inbound_addresses import InboundAddress
from portal.models.people import Customer, User, UserChange
from tests import factories
from tests.case_config import factories as config_factories
from tests.mail_in.inbound_setup import NOW, inbound_fixture, mail  # noqa: F401 - the fixture


def opened(parsed, recipients=("support@example.com",)):
    with database.atomic():  # the pipeline holds the transaction
        return open_from_mail(parsed, list(recipients), now=NOW)


def replies_to(address: str) -> list[Message]:
    return list(Message.select().where((Message.event == "mail_in_reply") & (Message.address_key == address))
                .order_by(Message.id))


# --- which address ---------------------------------------------------------------------------------


def test_mail_to_no_inbound_address_is_not_ours_to_open(inbound):
    assert opened(mail(to=("sales@example.com",)), ["sales@example.com"]) is None
    assert Case.select().count() == 0


def test_an_inactive_inbound_address_opens_nothing(inbound):
    InboundAddress.update(active=False).execute()
    assert opened(mail()) is None


@pytest.mark.parametrize("recipient", ["Support@Example.COM", "support+web@example.com", "SUPPORT+x+y@example.com"])
def test_the_address_matches_whatever_its_case_and_plus_tag(inbound, recipient):
    outcome = opened(mail(to=(recipient,)), [recipient])
    assert outcome is not None and outcome.state == OPENED


def test_the_first_active_inbound_address_among_the_recipients_decides(inbound, people):
    other_template = config_factories.template(people.admin, name="Billing")
    InboundAddress.create(address="billing@example.com", case_template=other_template)
    outcome = opened(mail(), ["nobody@example.com", "billing@example.com", "support@example.com"])
    assert Case.get_by_id(outcome.case_id).template_id == other_template.id


# --- a known customer ------------------------------------------------------------------------------


def test_a_customers_mail_opens_their_case_with_the_addresss_template_and_workgroup(inbound, people):
    outcome = opened(mail())
    assert (outcome.state, outcome.reason) == (OPENED, "customer")
    case = Case.get_by_id(outcome.case_id)
    assert case.customer == Customer.get(Customer.user == people.customer)
    assert case.created_by_id == people.customer.id
    assert case.template_id == inbound.template.id
    assert case.workgroup_id == inbound.workgroup.id  # the address's, not the template's default
    assert case.channel == "email"
    assert case.title == "Printer shows E42"
    assert case.summary == "Hello,\n\nthe printer shows E42 since this morning."  # the reply text, no quote
    assert case.internal_contact_id is None
    # The receipt goes as for any case.
    assert Message.select().where((Message.event == "case_created")
                                  & (Message.address_key == "cora@example.com")).exists()


def test_the_senders_address_is_compared_whatever_its_case(inbound, people):
    assert opened(mail("CORA@Example.com")).state == OPENED


def test_mail_without_a_subject_gets_a_title_in_the_customers_language(inbound, people):
    people.customer.language = "de"
    people.customer.save()
    case = Case.get_by_id(opened(mail(subject="  ")).case_id)
    assert case.title == "(kein Betreff)"


def test_reply_and_forward_prefixes_are_left_out_of_the_title(inbound):
    case = Case.get_by_id(opened(mail(subject="AW: Re: Fwd: Printer")).case_id)
    assert case.title == "Printer"


def test_mail_with_no_text_still_opens_a_case(inbound):
    case = Case.get_by_id(opened(mail(text="", reply_text="")).case_id)
    assert case.summary == "(The email had no text.)"


def test_a_long_subject_and_text_are_shortened_to_what_a_case_holds(inbound):
    case = Case.get_by_id(opened(mail(subject="x " * 300, text="y" * 20_000, reply_text="y" * 20_000)).case_id)
    assert len(case.title) <= 200 and case.title.endswith("…")
    assert len(case.summary) <= 10_000


def test_a_deactivated_users_mail_is_held_and_never_acted_on(inbound, people):
    people.customer.active = False
    people.customer.save()
    outcome = opened(mail())
    assert (outcome.state, outcome.reason) == (HELD, "inactive_sender")
    assert Case.select().count() == 0
    assert replies_to("cora@example.com") == []


def test_mail_without_a_readable_sender_is_held(inbound):
    assert opened(mail(None)).reason == "no_sender"
    assert opened(mail("not an address")).reason == "no_sender"


def test_a_template_that_came_to_require_a_field_holds_the_mail_with_the_reason(inbound, people):
    from portal.case_config import service

    field = config_factories.case_field(people.admin, label="Serial")
    service.add_template_field(people.admin, inbound.template, field, required=True)
    outcome = opened(mail())
    assert (outcome.state, outcome.reason) == (HELD, "case_refused")
    assert Case.select().count() == 0


def test_a_template_not_offered_to_customers_holds_their_mail(inbound):
    inbound.template.for_customers = False
    inbound.template.save()
    outcome = opened(mail())
    assert (outcome.state, outcome.reason) == (HELD, "template_unavailable")


# --- a proxy employee ------------------------------------------------------------------------------


@pytest.fixture
def contact():
    """Maria, a contact of Northwind: someone a proxy may file for."""
    return factories.customer(first_name="Maria", email="maria@northwind.example", account=factories.account())


def test_a_proxys_mail_opens_the_case_for_the_customer_in_cc_with_the_proxy_as_internal_contact(inbound, people,
                                                                                                 contact):
    outcome = opened(mail("pia@example.com", cc=("Maria@Northwind.example",)))
    assert (outcome.state, outcome.reason) == (OPENED, "proxy_for_customer")
    case = Case.get_by_id(outcome.case_id)
    assert case.customer_id == contact.id
    assert case.internal_contact_id == people.proxy.id
    assert case.created_by_id == people.proxy.id
    assert case.channel == "email"


def test_a_proxys_mail_without_a_customer_in_cc_is_refused_with_an_explanation(inbound, people):
    outcome = opened(mail("pia@example.com", cc=("someone@else.example",)))
    assert (outcome.state, outcome.reason) == (REFUSED, "proxy_no_customer")
    assert Case.select().count() == 0
    (reply,) = replies_to("pia@example.com")
    assert reply.context["subject"] == "No case was opened from your email"
    assert "Cc" in reply.context["body"]


def test_a_proxy_may_not_file_for_a_customer_of_no_account_by_putting_them_in_cc(inbound, people):
    factories.customer(first_name="Lone", email="lone@example.com")  # no account: a proxy may not file for her
    outcome = opened(mail("pia@example.com", cc=("lone@example.com",)))
    assert (outcome.state, outcome.reason) == (REFUSED, "proxy_no_customer")
    assert Case.select().count() == 0


def test_a_proxys_mail_with_several_customers_in_cc_is_refused_as_ambiguous(inbound, people, contact):
    factories.customer(first_name="Max", email="max@northwind.example", account=contact.account)
    outcome = opened(mail("pia@example.com", cc=("maria@northwind.example", "max@northwind.example")))
    assert (outcome.state, outcome.reason) == (REFUSED, "proxy_ambiguous")
    assert replies_to("pia@example.com")[0].context["subject"] == "No case was opened from your email"
    assert Case.select().count() == 0


def test_a_customer_in_to_is_not_one_in_cc(inbound, people, contact):
    outcome = opened(mail("pia@example.com", to=("support@example.com", "maria@northwind.example")))
    assert outcome.reason == "proxy_no_customer"


# --- staff forwarding a customer's mail ---------------------------------------------------------------


FORWARDED = """FYI, see below.

---------- Forwarded message ---------
From: Cora Customer <Cora@Example.com>
Date: Mon, 30 Nov 2026 at 17:02
Subject: Printer
To: Aga Agent <aga@example.com>

The printer shows E42 again.
"""


def test_an_agent_forwarding_a_customers_mail_opens_the_case_for_that_customer(inbound, people):
    outcome = opened(mail("aga@example.com", subject="Fwd: Printer", text=FORWARDED, reply_text="FYI, see below."))
    assert (outcome.state, outcome.reason) == (OPENED, "forwarded_by_staff")
    case = Case.get_by_id(outcome.case_id)
    assert case.customer == Customer.get(Customer.user == people.customer)
    assert case.created_by_id == people.agent.id
    assert case.title == "Printer"
    assert "The printer shows E42 again." in case.summary  # the forwarded text, not only the note above it


@pytest.mark.parametrize("marker", ["-----Original Message-----\nFrom: cora@example.com\nSent: Monday",
                                    "Begin forwarded message:\n\nFrom: \"Cora\" <cora@example.com>",
                                    "---------- Weitergeleitete Nachricht ----------\nVon: Cora <cora@example.com>",
                                    "> From: Cora Customer <cora@example.com>"])
def test_the_quoted_header_blocks_of_common_mail_clients_name_the_customer(inbound, people, marker):
    outcome = opened(mail("sue@example.com", subject="Fw: x", text=f"Please help.\n\n{marker}\n\nBroken.\n"))
    assert outcome.state == OPENED
    assert Case.get_by_id(outcome.case_id).customer.user_id == people.customer.id


@pytest.mark.skipif("forwarded_from" not in ParsedMail.__dataclass_fields__,
                    reason="ParsedMail.forwarded_from comes with the parser branch (i15-parse)")
def test_the_parsers_forwarded_from_names_the_customer(inbound, people):
    outcome = opened(mail("aga@example.com", text="See attached message.", forwarded_from="cora@example.com"))
    assert Case.get_by_id(outcome.case_id).customer.user_id == people.customer.id


def test_a_forward_from_someone_we_do_not_know_is_held(inbound, people):
    text = FORWARDED.replace("Cora@Example.com", "stranger@nowhere.example")
    outcome = opened(mail("aga@example.com", text=text))
    assert (outcome.state, outcome.reason) == (HELD, "forward_unknown_customer")
    assert Case.select().count() == 0


def test_staff_mail_that_forwards_nothing_is_held(inbound, people):
    outcome = opened(mail("aga@example.com", text="Please open a case for me."))
    assert (outcome.state, outcome.reason) == (HELD, "forward_unknown_customer")


def test_a_forwarded_profile_without_a_sign_in_is_a_customer_too(inbound, people):
    maria = factories.customer(first_name="Maria", email="maria@northwind.example")
    outcome = opened(mail("aga@example.com", text=FORWARDED.replace("Cora@Example.com", "maria@northwind.example")))
    assert Case.get_by_id(outcome.case_id).customer_id == maria.id


# --- unknown senders -------------------------------------------------------------------------------


def test_an_unknown_sender_gets_a_link_to_the_portal_when_the_address_says_link(inbound):
    outcome = opened(mail("new@stranger.example", message_id="abc@stranger.example"))
    assert (outcome.state, outcome.reason) == (REPLIED, "unknown_sender")
    assert Case.select().count() == 0
    assert not User.select().where(User.email == "new@stranger.example").exists()
    (reply,) = replies_to("new@stranger.example")
    assert reply.language == "de"  # the address's language: we know nothing else of a stranger
    assert "/cases/new" in reply.context["body"]
    assert reply.extra_headers == {"Auto-Submitted": "auto-replied", "In-Reply-To": "<abc@stranger.example>"}


def test_an_unknown_sender_gets_a_profile_a_sign_in_and_the_case_when_the_address_says_open(inbound, app, client):
    InboundAddress.update(unknown_senders="open").execute()
    outcome = opened(mail("New.Person@Stranger.example", sender_name="Nina Neu"))
    assert (outcome.state, outcome.reason) == (OPENED, "new_customer")
    user = User.get(User.email == "new.person@stranger.example")
    assert (user.role, user.display_name, user.language, user.has_password) == ("customer", "Nina Neu", "de", False)
    assert user.invitation_pending
    profile = Customer.get(Customer.user == user)
    assert (profile.first_name, profile.last_name, profile.email) == ("Nina", "Neu", "new.person@stranger.example")
    case = Case.get_by_id(outcome.case_id)
    assert (case.customer_id, case.created_by_id, case.language) == (profile.id, user.id, "de")
    assert UserChange.get(UserChange.user == user).action == "invited"
    # The answer carries the invitation link, and it works: the stranger chooses a password.
    (reply,) = replies_to("new.person@stranger.example")
    assert case.reference in reply.context["subject"]
    link = reply.context["body"].split("/invitation/")[1].split()[0]
    page = client.get(f"/invitation/{link}")
    assert page.status_code == 200
    assert Message.select().where((Message.event == "case_created")
                                  & (Message.address_key == "new.person@stranger.example")).exists()


def test_a_refused_case_for_a_stranger_leaves_no_account_behind(inbound, people):
    from portal.case_config import service

    InboundAddress.update(unknown_senders="open").execute()
    service.add_template_field(people.admin, inbound.template, config_factories.case_field(people.admin),
                               required=True)
    outcome = opened(mail("new@stranger.example"))
    assert outcome.state == HELD
    assert not User.select().where(User.email == "new@stranger.example").exists()
    assert not Customer.select().where(Customer.email == "new@stranger.example").exists()


def test_mail_from_one_of_our_own_addresses_is_held_not_answered(inbound):
    outcome = opened(mail("support+loop@example.com"))
    assert (outcome.state, outcome.reason) == (HELD, "own_address")
    assert Message.select().where(Message.event == "mail_in_reply").count() == 0


def test_a_stranger_whose_address_staff_have_a_profile_for_gets_that_profile(inbound):
    InboundAddress.update(unknown_senders="open").execute()
    account = factories.account()
    known = factories.customer(first_name="Maria", email="Maria@Northwind.example", account=account)
    outcome = opened(mail("maria@northwind.example", sender_name="M. Someone"))
    assert outcome.state == OPENED
    user = User.get(User.email == "maria@northwind.example")
    assert Customer.get_by_id(known.id).user_id == user.id
    assert Customer.select().where(peewee.fn.LOWER(Customer.email) == "maria@northwind.example").count() == 1
    assert Case.get_by_id(outcome.case_id).customer_id == known.id
