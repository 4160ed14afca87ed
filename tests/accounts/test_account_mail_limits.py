"""Password-reset, verification and sign-up mail is limited per address (silently: the page must not
tell whether the address is registered) and per client (429 with a message). Counted in the outbox."""

from datetime import timedelta

import pytest

from notifier.models import Message
from portal.accounts import service
from portal.accounts.service.limits import TooManyAttempts
from portal.clock import utcnow
from portal.models.people import User
from tests import factories
from tests.fixtures import post_form

SIGNUP = {"first_name": "Nina", "last_name": "Novak", "password": "a long enough passphrase",
          "confirm": "a long enough passphrase", "time_zone": "UTC"}

ACCOUNT_MAIL = ("password_reset", "email_verification", "signup_existing_account")


def queued(address: str) -> int:
    return Message.select().where((Message.address_key == address) & Message.event.in_(ACCOUNT_MAIL)).count()


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def page_text(response, address: str) -> str:
    return response.get_data(as_text=True).replace(address, "ADDRESS")


def test_six_reset_requests_send_three_emails_and_always_the_same_page(app, people):
    limit = app.config["ACCOUNT_MAIL_MAX_PER_ADDRESS"]
    pages = set()
    for n in range(6):
        response = post_form(client_from(app, f"192.0.2.{n}"), "/reset-password", {"email": "cora@example.com"})
        assert response.status_code == 200
        pages.add(page_text(response, "cora@example.com"))
    unknown = post_form(client_from(app, "192.0.2.99"), "/reset-password", {"email": "ghost@example.com"})
    pages.add(page_text(unknown, "ghost@example.com"))
    assert len(pages) == 1
    assert queued("cora@example.com") == limit == 3


def test_the_address_limit_covers_every_kind_of_account_mail(app, client):
    assert post_form(client, "/signup", {**SIGNUP, "email": "nina@example.com"}).status_code == 200
    for _ in range(3):
        response = post_form(client, "/verify-email/resend", {"email": "nina@example.com"})
        assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    for _ in range(2):
        assert post_form(client, "/signup", {**SIGNUP, "email": "nina@example.com"}).status_code == 200
    assert queued("nina@example.com") == app.config["ACCOUNT_MAIL_MAX_PER_ADDRESS"]


def test_signing_up_again_with_a_registered_address_sends_at_most_the_limit(app, client, people):
    for _ in range(5):
        response = post_form(client, "/signup", {**SIGNUP, "email": "cora@example.com"})
        assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert queued("cora@example.com") == app.config["ACCOUNT_MAIL_MAX_PER_ADDRESS"]


def test_mail_flows_again_when_the_window_has_passed(app, people):
    now = utcnow()
    for _ in range(5):
        service.request_password_reset("cora@example.com", now=now)
    assert queued("cora@example.com") == 3
    later = now + timedelta(seconds=app.config["ACCOUNT_MAIL_WINDOW_SECONDS"] + 1)
    service.request_password_reset("cora@example.com", now=later)
    assert queued("cora@example.com") == 4


def test_too_many_requests_from_one_client_get_429_and_send_nothing(app, people):
    app.config["ACCOUNT_MAIL_MAX_PER_CLIENT"] = 4
    busy = client_from(app, "203.0.113.8")
    for address in ("ghost1@example.com", "ghost2@example.com", "ghost3@example.com"):
        assert post_form(busy, "/reset-password", {"email": address}).status_code == 200
    assert post_form(busy, "/verify-email/resend", {"email": "ghost4@example.com"}).status_code == 200
    for url, data in [("/reset-password", {"email": "cora@example.com"}),
                      ("/verify-email/resend", {"email": "cora@example.com"}),
                      ("/signup", {**SIGNUP, "email": "cora@example.com"}),
                      ("/signup", {**SIGNUP, "email": "brand-new@example.com"})]:
        response = post_form(busy, url, data)
        assert response.status_code == 429, url
        assert "Too many requests from your network. Wait" in response.get_data(as_text=True)
        assert 0 < int(response.headers["Retry-After"]) <= app.config["ACCOUNT_MAIL_WINDOW_SECONDS"]
    assert queued("cora@example.com") == 0
    assert User.select().where(User.email == "brand-new@example.com").count() == 0
    # Another client is not affected.
    other = client_from(app, "203.0.113.9")
    assert post_form(other, "/reset-password", {"email": "cora@example.com"}).status_code == 200
    assert queued("cora@example.com") == 1


def test_services_called_without_a_client_are_limited_per_address_only(app, people):
    app.config["ACCOUNT_MAIL_MAX_PER_CLIENT"] = 1
    for _ in range(2):
        service.request_password_reset("cora@example.com")
    with pytest.raises(TooManyAttempts):
        for _ in range(2):
            service.request_password_reset("cora@example.com", client_address="192.0.2.1")
    assert queued("cora@example.com") == 3


def test_a_reset_for_a_deactivated_user_counts_for_the_client_but_sends_nothing(app, people):
    people.agent.active = False
    people.agent.save()
    app.config["ACCOUNT_MAIL_MAX_PER_CLIENT"] = 1
    service.request_password_reset(people.agent.email, client_address="192.0.2.1")
    with pytest.raises(TooManyAttempts):
        service.request_password_reset(factories.user().email, client_address="192.0.2.1")
    assert queued(people.agent.email) == 0
