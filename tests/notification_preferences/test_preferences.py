"""Recipient preferences, one-click unsubscribe, and the delivery-time check through real servers."""

import pytest

import notifier
from notifier.models import Attempt, CapturedMessage, Message
from portal.db import database
from portal.models.notifications import NotificationPreference
from portal.notification_preferences import queries, service
from portal.notify.catalogue import EVENTS
from portal.notify.queries import channels_for
from portal.notify.service import save_rules
from tests.fixtures import link_in, post_form
from tests.notification_admin.helpers import ROLES, case_template
from tests.servers import sms_gateway, smtp_server  # noqa: F401 - real servers for delivery

PREFS_URL = "/account/notifications"


def notify(event, user, *, audience="customer", template=None, key="k1"):
    """What the case code will do: ask the rules for the audience's channels, enqueue with the
    unsubscribe headers, in one transaction."""
    recipients = []
    for channel in sorted(channels_for(template, event, audience)):
        address = user.email if channel == "email" else user.phone
        if address:
            recipients.append(notifier.Recipient(channel, address, user.display_name, user.language, user.uuid))
    with database.atomic():
        return notifier.enqueue(event, recipients, EVENTS[event].sample_context(), key=key,
                                headers=service.unsubscribe_headers(user.uuid, event))


@pytest.fixture
def real_servers(app, smtp_server, sms_gateway):  # noqa: F811
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      SMTP_USERNAME="", SMS_BACKEND="http", SMS_BASE_URL=sms_gateway.url,
                      SMS_ACCOUNT_SID=sms_gateway.sid, SMS_AUTH_TOKEN=sms_gateway.token, SMS_FROM="+15005550006")
    return smtp_server, sms_gateway


@pytest.fixture
def cora(people):
    people.customer.phone = "+447911123456"
    people.customer.save()
    return people.customer


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_has_a_preferences_page(client, login, people, role):
    login(people.by_role(role))
    assert client.get(PREFS_URL).status_code == 200


def test_customers_see_customer_events_and_staff_see_staff_events(app, people):
    assert "case_replied" in queries.events_for(people.customer)
    assert "case_customer_commented" not in queries.events_for(people.customer)
    assert "case_customer_commented" in queries.events_for(people.agent)
    assert "case_escalated" in queries.events_for(people.supervisor)


def test_saving_preferences_keeps_each_channel_choice(client, login, people):
    login(people.customer)
    response = post_form(client, PREFS_URL, {"case_replied.sms": "1", "case_closed.email": "1"})
    assert response.status_code == 302
    uuid = people.customer.uuid
    assert not queries.preference_allows(uuid, "case_replied", "email")
    assert queries.preference_allows(uuid, "case_replied", "sms")
    assert queries.preference_allows(uuid, "case_closed", "email")
    assert not queries.preference_allows(uuid, "case_closed", "sms")


def test_preferences_refuse_a_post_without_csrf(client, login, people):
    login(people.customer)
    assert client.post(PREFS_URL, data={}).status_code == 400
    assert NotificationPreference.select().count() == 0


def test_security_events_cannot_be_switched_off(app, people):
    NotificationPreference.create(user=people.customer, event="password_reset", email=False, sms=False)
    assert queries.preference_allows(people.customer.uuid, "password_reset", "email")
    assert service.unsubscribe_headers(people.customer.uuid, "password_reset") == {}


def test_unsubscribe_headers_carry_a_signed_one_click_link(app, people):
    headers = service.unsubscribe_headers(people.customer.uuid, "case_replied")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://portal.test/unsubscribe/")


def test_one_click_unsubscribe_works_without_a_session_or_csrf_token(app, people):
    other = app.test_client()
    NotificationPreference.create(user=people.customer, event="case_replied", email=True, sms=True)
    NotificationPreference.create(user=people.customer, event="case_closed", email=True, sms=True)
    url = link_in(service.unsubscribe_headers(people.customer.uuid, "case_replied")["List-Unsubscribe"],
                  "/unsubscribe/").rstrip(">")
    response = other.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 303
    assert not queries.preference_allows(people.customer.uuid, "case_replied", "email")
    assert queries.preference_allows(people.customer.uuid, "case_replied", "sms")
    assert queries.preference_allows(people.customer.uuid, "case_closed", "email")


def test_the_unsubscribe_link_shows_what_it_switches_off_and_changes_nothing_on_get(app, people):
    url = link_in(service.unsubscribe_headers(people.customer.uuid, "case_replied")["List-Unsubscribe"],
                  "/unsubscribe/").rstrip(">")
    page = app.test_client().get(url).get_data(as_text=True)
    assert "Staff replied" in page and "Unsubscribe from these emails" in page
    assert queries.preference_allows(people.customer.uuid, "case_replied", "email")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_unsubscribe_token_answers_404(app, people, method):
    token = service.unsubscribe_token(people.customer.uuid, "case_replied")
    response = getattr(app.test_client(), method)(f"/unsubscribe/{token[:-2]}xx")
    assert response.status_code == 404


def test_preferences_are_checked_when_delivering_not_only_when_queued(app, cora, deliver):
    notify("case_created", cora)
    NotificationPreference.create(user=cora, event="case_created", email=False, sms=True)
    report = deliver()
    assert report.suppressed == 1
    suppressed = Message.get(Message.channel == "email")
    assert suppressed.status == "suppressed"
    attempt = Attempt.get(Attempt.message == suppressed)
    assert attempt.outcome == "suppressed" and "switched off email" in attempt.error
    assert [c.channel for c in CapturedMessage.select()] == ["sms"]


def test_the_outbox_labels_suppressed_messages(client, login, people, cora, deliver):
    notify("case_created", cora)
    NotificationPreference.create(user=cora, event="case_created", email=False, sms=False)
    deliver()
    login(people.agent)
    assert "Not sent (preference)" in client.get("/notifications/outbox?status=suppressed").get_data(as_text=True)


def test_rules_and_preferences_decide_what_reaches_the_real_servers(app, people, cora, real_servers, deliver):
    smtp, sms = real_servers
    billing = case_template()
    save_rules(people.admin, billing, {("case_closed", "customer"): {"sms"}})
    notify("case_closed", cora, template=billing, key="closed-billing")
    notify("case_replied", cora, key="replied")
    NotificationPreference.create(user=cora, event="case_replied", email=False, sms=True)
    notify("case_created", cora, key="created")
    deliver()
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == [cora.email]
    assert "40213377" in smtp.messages[0]["Subject"]
    assert smtp.messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert smtp.messages[0]["List-Unsubscribe"].startswith("<http://portal.test/unsubscribe/")
    assert [m["To"] for m in sms.received] == [cora.phone, cora.phone]
    assert Message.get(Message.key == "replied").status == "suppressed"


def test_security_mail_reaches_the_real_server_even_when_everything_is_off(app, cora, real_servers, deliver):
    smtp, _ = real_servers
    NotificationPreference.create(user=cora, event="password_reset", email=False, sms=False)
    with database.atomic():
        notifier.enqueue("password_reset", [notifier.Recipient("email", cora.email, ref=cora.uuid)],
                         EVENTS["password_reset"].sample_context(), key="reset",
                         headers=service.unsubscribe_headers(cora.uuid, "password_reset"))
    deliver()
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["List-Unsubscribe"] is None


def test_the_unsubscribe_link_from_a_real_mail_switches_off_that_email(app, cora, real_servers, deliver):
    smtp, _ = real_servers
    notify("case_replied", cora)
    deliver()
    url = link_in(smtp.messages[0]["List-Unsubscribe"], "/unsubscribe/").rstrip(">")
    assert app.test_client().post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 303
    notify("case_replied", cora, key="second")
    deliver()
    assert len(smtp.messages) == 1
