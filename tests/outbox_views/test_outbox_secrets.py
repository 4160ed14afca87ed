"""The outbox never hands out a way into someone's account, and what staff may not read stays out of
their pages, counts and pagination."""

from __future__ import annotations

import re
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from notifier import templates as notifier_templates
from notifier.models import DEAD, Attempt, CapturedMessage, Message
from portal import policy
from portal.cases.service.conversation import add_comment
from portal.outbox_views.queries import PAGE_SIZE
from tests import factories
from tests.fixtures import post_form, sign_in
from tests.outbox_views.conftest import send
from tests.servers import free_port

RESET_LINK = re.compile(r"https?://[^\s\"'<>]*/reset-password/[A-Za-z0-9_\-]+")
LINK = re.compile(r'href="(/notifications/[^"?]+)"')


def crawl(client, start: str, seen: set[str]) -> list[str]:
    """Every page reachable from start inside /notifications/ (the outbox and captured mail), as a
    curious signed-in visitor would click through them; returns their bodies."""
    bodies, queue = [], [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = response.get_data(as_text=True)
        bodies.append(body)
        queue.extend(LINK.findall(body))
    return bodies


def test_an_agent_cannot_take_over_an_admin_through_the_outbox(app, client, login, world, deliver):
    admin = world.other_admin
    send(world, "reset for another admin")
    deliver()
    reset = Message.get(Message.event == "password_reset")
    login(world.people.agent)

    # The attack as it happened: list the outbox, open every message, look for the reset link,
    # set a new password with it and sign in as the admin.
    seen: set[str] = set()
    bodies = crawl(client, "/notifications/outbox", seen)
    bodies += crawl(client, f"/notifications/outbox?event=password_reset&address={admin.email}", seen)
    bodies += crawl(client, "/notifications/mailbox", seen)
    links = [link for body in bodies for link in RESET_LINK.findall(body)]
    for link in links:
        post_form(client, link.split("portal.test", 1)[1], {"new_password": "taken over by aga",
                                                             "confirm": "taken over by aga"})
    attacker = app.test_client()
    taken_over = post_form(attacker, "/login", {"email": admin.email, "password": "taken over by aga"})
    assert taken_over.status_code != 302, "the agent signed in as the admin"
    assert links == [], "the agent found a reset link"
    assert not any(str(reset.uuid) in url for url in seen), "the agent found the reset message"
    # Knowing the message's id (from a shared screen, a log ...) opens nothing either.
    assert client.get(f"/notifications/outbox/{reset.uuid}").status_code == 404
    capture = CapturedMessage.get(CapturedMessage.message_uuid == reset.uuid)
    assert client.get(f"/notifications/mailbox/{capture.uuid}").status_code == 404
    assert client.get(f"/notifications/mailbox/{capture.uuid}/html").status_code == 404

    # The link is real and works for the one it was sent to; the admin's account stays theirs.
    link = RESET_LINK.search(capture.text).group(0).split("portal.test", 1)[1]
    admin_client = app.test_client()
    response = post_form(admin_client, link, {"new_password": "a brand new passphrase", "confirm":
                                              "a brand new passphrase"})
    assert response.status_code == 302
    sign_in(app.test_client(), admin, "a brand new passphrase")


def test_admins_see_that_a_reset_was_sent_but_never_its_link(client, login, world, deliver):
    send(world, "reset for another admin")
    deliver()
    reset = Message.get(Message.event == "password_reset")
    token = reset.context["reset_url"].rsplit("/", 1)[1]
    assert token in reset.rendered["text"]
    login(world.people.admin)
    listing = client.get("/notifications/outbox").get_data(as_text=True)
    detail = client.get(f"/notifications/outbox/{reset.uuid}").get_data(as_text=True)
    assert "adam@example.com" in listing and "password_reset" in detail and "Sent" in detail
    assert "Not shown: this message carries a link into the recipient" in detail
    assert reset.rendered["subject"] not in detail
    assert token not in listing + detail and "/reset-password/" not in listing + detail


def _save(event: str, text: str) -> None:
    current = notifier_templates.active_template(event, "email").version.parts
    notifier_templates.save_version(event, "email", {**current, "text": text}, author="ada@example.com")


def test_a_render_error_of_account_mail_does_not_quote_its_link(client, login, world, deliver):
    # A template that fails only on real data, with the link in the error (the sample link is short).
    _save("password_reset", "{% if reset_url|length > 60 %}{{ {}[reset_url] }}{% endif %}Hello")
    send(world, "reset for another admin")
    deliver()
    reset = Message.get(Message.event == "password_reset")
    token = reset.context["reset_url"].rsplit("/", 1)[1]
    assert reset.status == DEAD and token in reset.last_error, "the notifier keeps the full error"
    assert token in Attempt.get(Attempt.message == reset).error
    login(world.people.admin)
    listing = client.get("/notifications/outbox").get_data(as_text=True)
    detail = client.get(f"/notifications/outbox/{reset.uuid}").get_data(as_text=True)
    assert "The template could not be rendered" in detail and "render_error" in detail
    assert token not in listing + detail


def test_a_render_error_of_other_mail_is_shown_in_full(client, login, world, deliver):
    _save("case_replied", "{{ {}[case_url] }}")
    message = send(world, "case in the team")[0]
    deliver()
    login(world.people.agent)
    detail = client.get(f"/notifications/outbox/{message.uuid}").get_data(as_text=True)
    assert f"/cases/{world.case_in_team.reference}" in detail


class QuotingFilter:
    """A mail server's content filter that refuses a message and quotes the first link in it (or
    only the link's last piece)."""

    def __init__(self, whole_link: bool):
        self.whole_link = whole_link

    async def handle_DATA(self, server, session, envelope):
        body = message_from_bytes(envelope.original_content or envelope.content, policy=email_policy.default)
        text = body.get_body(("plain",)).get_content()
        link = re.search(r"https?://\S+", text).group(0)
        quoted = link if self.whole_link else link.rsplit("/", 1)[1]
        return f"554 5.7.1 URL {quoted} is listed by a blocklist"


@pytest.fixture(params=[True, False], ids=["whole link", "token alone"])
def quoting_smtp(app, request):
    controller = Controller(QuotingFilter(request.param), hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    yield controller
    controller.stop()


def test_a_server_reply_quoting_the_link_is_shown_with_the_link_masked(client, login, world, deliver,
                                                                       quoting_smtp):
    send(world, "reset for another admin")
    deliver()
    reset = Message.get(Message.event == "password_reset")
    token = reset.context["reset_url"].rsplit("/", 1)[1]
    assert reset.status == DEAD and token in reset.last_error
    login(world.people.admin)
    listing = client.get("/notifications/outbox").get_data(as_text=True)
    detail = client.get(f"/notifications/outbox/{reset.uuid}").get_data(as_text=True)
    assert "554 5.7.1 URL [link hidden] is listed by a blocklist" in detail
    assert token not in listing + detail


def test_personal_unsubscribe_links_are_not_shown_in_the_outbox(client, login, world):
    message = send(world, "case in the team")[0]
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    login(world.people.agent)
    detail = client.get(f"/notifications/outbox/{message.uuid}").get_data(as_text=True)
    assert "List-Unsubscribe" in detail and "/unsubscribe/" not in detail


def test_hidden_messages_neither_fill_pages_nor_count(app, client, login, world):
    send(world, "case in the team")
    for n in range(PAGE_SIZE + 1):
        add_comment(world.people.admin, world.case_elsewhere, f"Update {n}")
    assert Message.select().count() == PAGE_SIZE + 3
    login(world.people.agent)
    page = client.get("/notifications/outbox").get_data(as_text=True)
    assert page.count('href="/notifications/outbox/') == 2
    assert "Older" not in page
    assert re.findall(r'<span class="count">(\d+)</span> Queued', page) == ["2"]
    admin = app.test_client()
    sign_in(admin, world.people.admin)
    page = admin.get("/notifications/outbox").get_data(as_text=True)
    assert page.count('href="/notifications/outbox/') == PAGE_SIZE and "Older" in page
    assert re.findall(r'<span class="count">(\d+)</span> Queued', page) == [str(PAGE_SIZE + 3)]


def test_staff_read_account_mail_about_no_case_only_when_it_is_theirs(world):
    mine = send(world, "reset for the viewer", world.people.agent)[0]
    theirs = send(world, "reset for another admin")[0]
    assert policy.can_read_message(world.people.agent, mine)
    assert not policy.can_read_message(world.people.agent, theirs)
    assert not policy.can_read_message_content(world.people.agent, mine)
    assert not policy.can_read_message_content(world.people.admin, theirs)


def test_a_deactivated_member_of_staff_reads_nothing(world):
    message = send(world, "case in the team")[0]
    agent = world.people.agent
    agent.active = False
    agent.save()
    assert not policy.can_read_message(agent, message)
    assert not policy.can_requeue_message(agent, message)
    assert Message.select().where(policy.message_visibility(agent)).count() == 0


def test_sms_to_a_members_own_mobile_counts_as_theirs(world):
    agent = factories.user(role="agent", email="mo@example.com", phone="+447911123456")
    import notifier
    from portal.db import database

    with database.atomic():
        notifier.enqueue("test_message", [notifier.Recipient("sms", "+447911123456")],
                         {"user_name": "Mo", "portal_name": "Caseport"}, key="sms-test")
    message = Message.get(Message.key == "sms-test")
    assert policy.can_read_message(agent, message)
    assert not policy.can_read_message(world.people.agent, message)


def test_account_mail_stays_with_its_recipient_even_when_it_names_a_case(world, deliver):
    # No account mail names a case today; should one ever (say, an invitation to follow a case), the
    # captured link is still only for its recipient and admins, not for everyone who sees the case.
    import notifier
    from portal.db import database
    from portal.outbox_views.queries import captured_messages

    with database.atomic():
        notifier.enqueue("email_verification", [notifier.Recipient("email", "otto@example.com")],
                         {"user_name": "Otto", "verify_url": "http://portal.test/verify-email/" + "t" * 43,
                          "expires_in_minutes": 60},
                         key="verify-otto", topic=world.case_in_team.reference)
    deliver()
    message = Message.get(Message.key == "verify-otto")
    assert policy.can_read_message(world.people.agent, message), "the outbox shows that it was sent"
    assert not policy.can_read_message_content(world.people.agent, message)
    assert captured_messages(world.people.agent).items == []
    assert len(captured_messages(world.people.admin).items) == 1
