"""The outbox and the demo mailbox: who may see them, what they show, requeueing."""

import pytest

from notifier.models import DEAD, UNKNOWN, Message
from portal.accounts import service as accounts
from tests.fixtures import post_form
from tests.outbox_views.conftest import send

STAFF = ("agent", "supervisor", "admin")
NOT_STAFF = ("customer", "proxy")


def reply_to_cora(world) -> Message:
    """A staff reply on Cora's case, handled by Aga's and Sue's team: the message to Cora."""
    return next(m for m in send(world, "case in the team") if m.address == "cora@example.com")


@pytest.mark.parametrize("role", STAFF + NOT_STAFF)
@pytest.mark.parametrize("path", ["/notifications/outbox", "/notifications/mailbox"])
def test_only_staff_see_the_outbox_and_the_mailbox(client, login, people, role, path):
    login(people.by_role(role))
    assert client.get(path).status_code == (200 if role in STAFF else 404)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/notifications/outbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_outbox_shows_state_and_attempts_and_filters(client, login, world, deliver):
    message = reply_to_cora(world)
    deliver()
    login(world.people.agent)
    page = client.get("/notifications/outbox?status=sent").get_data(as_text=True)
    assert "cora@example.com" in page
    assert "cora@example.com" not in client.get("/notifications/outbox?status=dead").get_data(as_text=True)
    reference = world.case_in_team.reference
    assert "cora@example.com" in client.get(f"/notifications/outbox?topic={reference}").get_data(as_text=True)
    detail = client.get(f"/notifications/outbox/{message.uuid}").get_data(as_text=True)
    assert "Attempts" in detail and "sent" in detail
    assert "We replaced the toner" in detail, "staff who may view the case read what it was told"


@pytest.mark.parametrize(
    "query", ["?status=bogus", "?page=-4", "?page=abc", "?address=%25%27%22", "?event=" + "x" * 5000]
)
def test_odd_outbox_filters_never_break_the_page(client, login, people, query):
    login(people.admin)
    assert client.get("/notifications/outbox" + query).status_code == 200


def test_staff_requeue_a_dead_message_and_it_is_delivered(client, login, world, deliver):
    message = reply_to_cora(world)
    Message.update(status=DEAD, last_error="550 no such user").where(Message.id == message.id).execute()
    login(world.people.supervisor)
    response = post_form(client, f"/notifications/outbox/{message.uuid}/requeue", {},
                         page=f"/notifications/outbox/{message.uuid}")
    assert response.status_code == 302
    assert Message.get_by_id(message.id).status == "queued"
    deliver()
    assert Message.get_by_id(message.id).status == "sent"


def test_a_message_held_with_an_unknown_outcome_shows_why_and_staff_can_send_it_again(client, login, world, deliver):
    message = reply_to_cora(world)
    reason = "no answer from the relay after the message was sent (timed out): it may have been delivered"
    Message.update(status=UNKNOWN, attempts=1, last_error=reason).where(Message.id == message.id).execute()
    login(world.people.supervisor)
    listing = client.get("/notifications/outbox?status=unknown").get_data(as_text=True)
    assert "Outcome unknown, held" in listing and "no answer from the relay" in listing
    page = client.get(f"/notifications/outbox/{message.uuid}").get_data(as_text=True)
    assert reason in page and "may have arrived" in page and "Send again" in page
    response = post_form(client, f"/notifications/outbox/{message.uuid}/requeue", {},
                         page=f"/notifications/outbox/{message.uuid}")
    assert response.status_code == 302
    deliver()
    assert Message.get_by_id(message.id).status == "sent"


def test_requeueing_a_sent_message_is_refused_with_a_reason(client, login, world, deliver):
    message = reply_to_cora(world)
    deliver()
    login(world.people.agent)
    response = post_form(client, f"/notifications/outbox/{message.uuid}/requeue", {},
                         page=f"/notifications/outbox/{message.uuid}", follow_redirects=True)
    assert "this one is sent" in response.get_data(as_text=True)
    assert Message.get_by_id(message.id).status == "sent"


def test_customers_cannot_requeue(client, login, world):
    message = reply_to_cora(world)
    Message.update(status=DEAD).where(Message.id == message.id).execute()
    login(world.people.customer)
    response = post_form(client, f"/notifications/outbox/{message.uuid}/requeue", {}, page="/account")
    assert response.status_code == 404
    assert Message.get_by_id(message.id).status == DEAD


def test_unknown_message_ids_answer_404(client, login, people):
    login(people.admin)
    assert client.get("/notifications/outbox/not-a-uuid").status_code == 404
    assert client.get("/notifications/outbox/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/notifications/mailbox/nope").status_code == 404


def test_mailbox_shows_the_captured_mail_with_its_html_in_a_locked_down_frame(client, login, world, deliver):
    message = reply_to_cora(world)
    deliver()
    login(world.people.agent)
    listing = client.get("/notifications/mailbox").get_data(as_text=True)
    assert "cora@example.com" in listing
    from notifier.models import CapturedMessage

    capture = CapturedMessage.get(CapturedMessage.message_uuid == message.uuid)
    detail = client.get(f"/notifications/mailbox/{capture.uuid}").get_data(as_text=True)
    assert "sandbox" in detail and capture.subject in detail
    html = client.get(f"/notifications/mailbox/{capture.uuid}/html")
    assert "sandbox" in html.headers["Content-Security-Policy"]
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]


def test_account_links_in_captured_mail_are_for_admins_and_the_recipient_only(client, app, login, people, deliver):
    accounts.request_password_reset(people.admin.email)
    deliver()
    login(people.agent)
    assert people.admin.email not in client.get("/notifications/mailbox").get_data(as_text=True)
    admin_client = app.test_client()
    post_form(admin_client, "/login", {"email": people.admin.email, "password": "correct horse battery"})
    assert people.admin.email in admin_client.get("/notifications/mailbox").get_data(as_text=True)


def test_the_mailbox_does_not_exist_when_real_channels_are_configured(app, client, login, people):
    app.config.update(MAIL_BACKEND="smtp", SMS_BACKEND="http")
    login(people.admin)
    assert client.get("/notifications/mailbox").status_code == 404
    assert "Captured mail" not in client.get("/").get_data(as_text=True)
