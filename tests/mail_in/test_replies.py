"""Answers to senders (portal/mail_in/replies.auto_reply): fixed translated texts through the outbox,
RFC 3834 auto-replies to the message they answer, one per address and kind an hour, never to us."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifier.models import CapturedMessage, Message
from portal.db import database
from portal.mail_in.replies import KINDS, auto_reply, render_reply
from portal.models.inbound_addresses import AutoReplySlot
from tests.fixtures import captured_mail
from tests.mail_in.inbound_setup import NOW, inbound_fixture  # noqa: F401 - the fixture


def reply(to="stranger@example.org", kind="held", *, language="en", context=None, in_reply_to="m1@mail.example",
          now=NOW):
    with database.atomic():
        return auto_reply(to, kind, language=language, context=context or {}, in_reply_to=in_reply_to, now=now)


def queued(to="stranger@example.org") -> list[Message]:
    return list(Message.select().where((Message.event == "mail_in_reply") & (Message.address_key == to))
                .order_by(Message.id))


def test_an_answer_is_queued_in_the_outbox_as_an_auto_reply_to_the_message(app):
    assert reply(context={"subject": "Where is my order?"}) is True
    (message,) = queued()
    assert message.channel == "email" and message.language == "en"
    assert message.context["subject"] == "Your email is waiting for our team"
    assert "“Where is my order?”" in message.context["body"]
    assert message.extra_headers == {"Auto-Submitted": "auto-replied", "In-Reply-To": "<m1@mail.example>"}


def test_the_sent_email_says_auto_replied_and_answers_the_senders_message(app, deliver):
    reply(context={"subject": "Help"})
    deliver(now=NOW + timedelta(seconds=1))
    (mail,) = captured_mail("stranger@example.org")
    assert "Auto-Submitted: auto-replied" in mail.raw
    assert "Auto-Submitted: auto-generated" not in mail.raw
    assert "In-Reply-To: <m1@mail.example>" in mail.raw
    assert "References: <m1@mail.example>" in mail.raw
    assert mail.subject == "Automatic answer: Your email is waiting for our team"


def test_one_answer_per_address_and_kind_an_hour(app):
    assert reply() is True
    assert reply(now=NOW + timedelta(minutes=59)) is False
    assert reply("Stranger@Example.org", now=NOW + timedelta(minutes=30)) is False  # the same address
    assert reply(kind="portal_link", now=NOW + timedelta(minutes=1)) is True  # another kind
    assert reply("other@example.org", now=NOW + timedelta(minutes=1)) is True  # another address
    assert reply(now=NOW + timedelta(hours=1)) is True
    assert len(queued()) == 3
    assert AutoReplySlot.select().count() == 3


@pytest.mark.parametrize("address", ["", None, "   ", "not an address", "MAILER-DAEMON@example.org",
                                     "postmaster@example.org", "no-reply@shop.example", "owner-list@lists.example",
                                     "list-request@lists.example"])
def test_never_to_an_empty_sender_or_one_that_never_gets_automatic_answers(app, address):
    assert reply(address) is False
    assert Message.select().where(Message.event == "mail_in_reply").count() == 0


def test_never_to_our_own_addresses(app, inbound):
    app.config["MAIL_FROM"] = "Caseport <helpdesk@example.com>"
    for own in ("support@example.com", "SUPPORT+x@example.com", "helpdesk@example.com", "helpdesk+1@example.com"):
        assert reply(own) is False, own
    assert Message.select().where(Message.event == "mail_in_reply").count() == 0


def test_the_answer_is_in_the_recipients_language(app):
    reply(language="de", context={"subject": "Drucker"})
    reply("otra@example.org", language="es-MX")
    assert queued()[0].context["subject"] == "Ihre E-Mail wartet auf unser Team"
    assert "„Drucker“" in queued()[0].context["body"]
    assert queued("otra@example.org")[0].context["subject"] == "Su correo está esperando a nuestro equipo"


def test_without_a_language_a_known_sender_gets_their_own(app, people):
    people.customer.language = "es"
    people.customer.save()
    reply("cora@example.com", language=None)
    assert queued("cora@example.com")[0].context["subject"] == "Su correo está esperando a nuestro equipo"


def test_a_message_id_that_is_not_one_is_not_repeated_in_a_header(app):
    reply(in_reply_to="bad id>\r\nBcc: victim@example.org")
    assert queued()[0].extra_headers == {"Auto-Submitted": "auto-replied"}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_every_kind_renders_in_every_shipped_language(app, kind, language):
    context = {"files": "a.exe", "case_reference": "40213377", "invitation_url": "https://x.example/invitation/t",
               "expires_in_days": "7", "subject": "Hi"}
    subject, body = render_reply(kind, language, context)
    assert subject and "\n" not in subject and len(subject) <= 200
    assert body.strip() and "{{" not in body and "%(" not in body


def test_what_a_sender_wrote_is_only_ever_a_value_in_the_fixed_text(app):
    subject, body = render_reply("held", "en", {"subject": "{{ 7*7 }} {% for x in y %}"})
    assert "{{ 7*7 }} {% for x in y %}" in body


def test_an_unknown_kind_is_a_programming_error(app):
    with pytest.raises(ValueError):
        reply(kind="nonsense")


def test_refused_files_name_the_files_and_the_case(app):
    reply(kind="refused_files", context={"files": "setup.exe, huge.iso", "case_reference": "40213377"})
    (message,) = queued()
    assert message.context["subject"] == "[40213377] Some of your files were not accepted"
    assert "setup.exe, huge.iso" in message.context["body"]


def test_the_answer_the_notifier_sends_is_the_mail_in_reply_template(app, deliver):
    """The event's template (staff may edit it) wraps the fixed text: a prefix and a sign-off."""
    reply(kind="portal_link")
    deliver(now=NOW + timedelta(seconds=1))
    capture = CapturedMessage.get(CapturedMessage.to_address == "stranger@example.org")
    assert capture.subject == "Automatic answer: Please open your case in our portal"
    assert "/cases/new" in capture.text and "/signup" in capture.text
    assert capture.text.rstrip().endswith("Your service team")


def test_a_german_recipient_gets_the_german_wrapping_too(app, deliver):
    reply(language="de")
    deliver(now=NOW + timedelta(seconds=1))
    capture = CapturedMessage.get(CapturedMessage.to_address == "stranger@example.org")
    assert capture.subject == "Automatische Antwort: Ihre E-Mail wartet auf unser Team"
    assert capture.text.rstrip().endswith("Ihr Service-Team")


@pytest.mark.parametrize(("name", "value"), [("Auto-Submitted", "no"), ("Auto-Submitted", "auto-generated"),
                                             ("In-Reply-To", "free text"), ("In-Reply-To", "<a@b> <c@d>"),
                                             ("References", "<a@b.example>")])
def test_the_outbox_still_refuses_any_other_value_of_the_headers_it_sets_itself(app, name, value):
    import notifier

    with pytest.raises(ValueError), database.atomic():
        notifier.enqueue("mail_in_reply", [notifier.Recipient("email", "x@example.org")],
                         {"subject": "s", "body": "b"}, key="k", headers={name: value}, now=NOW)


def test_messages_processed_at_once_send_one_answer(app):
    """Eight workers answering the same sender at the same moment, each in its own transaction and
    connection: the conditional insert-or-update lets exactly one of them send."""
    from tests.cases.racing import race

    def request():
        def action():
            with database.atomic():
                return auto_reply("stranger@example.org", "held", language="en", context={}, in_reply_to=None,
                                  now=NOW)
        return action

    outcomes = race(app, [request] * 8)
    assert sorted(outcomes, key=str) == [False] * 7 + [True], outcomes
    assert len(queued()) == 1


def test_a_reply_to_a_closed_case_is_told_to_reopen_it_on_its_page(app):
    reply(context={"reason": "case_closed", "case_reference": "40213377", "subject": "Still broken"})
    body = queued()[0].context["body"]
    assert "Case 40213377 is closed" in body
    assert "/cases/40213377" in body


def test_other_reasons_get_the_general_words_only(app):
    reply(context={"reason": "stranger_in_reply_to", "case_reference": "40213377"})
    body = queued()[0].context["body"]
    assert "40213377" not in body and "/cases/new" in body
