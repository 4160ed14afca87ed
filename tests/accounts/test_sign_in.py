"""Signing in and out: credentials, throttling, no hint whether an email is registered."""

from datetime import timedelta

import pytest

from portal.accounts import service
from portal.accounts.service import limits
from portal.clock import utcnow
from portal.errors import RateLimited
from portal.models.people import ThrottleSlot
from tests import factories
from tests.fixtures import post_form


def test_customer_signs_in_with_email_in_any_case_and_sees_the_start_page(client, people):
    response = post_form(client, "/login", {"email": "  CORA@Example.com ", "password": factories.PASSWORD})
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Cora Customer" in page and "Sign out" in page


def test_wrong_password_and_unknown_email_get_the_same_answer(client, people):
    wrong = post_form(client, "/login", {"email": "cora@example.com", "password": "not the password"})
    unknown = post_form(client, "/login", {"email": "nobody@example.com", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert str(service.SIGN_IN_FAILED) in wrong.get_data(as_text=True)
    assert str(service.SIGN_IN_FAILED) in unknown.get_data(as_text=True)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "", "password": ""}, "Enter your email address."),
        ({"email": "cora@example.com", "password": ""}, "Enter your password."),
        ({"email": "x" * 300 + "@example.com", "password": "whatever"}, "Field cannot be longer than 254"),
    ],
)
def test_incomplete_sign_in_gets_a_clear_message(client, people, data, message):
    response = post_form(client, "/login", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_sign_in_is_throttled_per_account_and_client_even_for_the_right_password(client, app, people):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"]):
        post_form(client, "/login", {"email": "cora@example.com", "password": "wrong password"})
    response = post_form(client, "/login", {"email": "cora@example.com", "password": factories.PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    assert "Too many failed sign-ins to this account. Wait 15 minutes" in response.get_data(as_text=True)


def test_throttling_an_unknown_email_looks_the_same_as_a_known_one(app, people):
    for email in ("cora@example.com", "ghost@example.com"):
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"]):
            with pytest.raises(service.AuthenticationFailed):
                service.authenticate(email, "wrong password", f"10.0.0.{len(email)}")
        with pytest.raises(RateLimited) as refused:
            service.authenticate(email, "wrong password", f"10.0.0.{len(email)}")
        assert refused.value.message.startswith("Too many failed sign-ins to this account.")


def test_sign_in_is_throttled_per_client_address_across_accounts(app, people):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for n in range(limit):
        with pytest.raises(service.AuthenticationFailed):
            service.authenticate(f"guess{n}@example.com", "wrong password", "203.0.113.9")
    with pytest.raises(RateLimited, match="from your network"):
        service.authenticate("cora@example.com", factories.PASSWORD, "203.0.113.9")
    assert service.authenticate("cora@example.com", factories.PASSWORD, "203.0.113.10") == people.customer


def test_throttling_ends_when_the_window_has_passed(app, people):
    now = utcnow()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"]):
        with pytest.raises(service.AuthenticationFailed):
            service.authenticate("cora@example.com", "wrong password", "198.51.100.1", now=now)
    with pytest.raises(RateLimited):
        service.authenticate("cora@example.com", factories.PASSWORD, "198.51.100.1", now=now)
    later = now + timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_SECONDS"] + 1)
    assert service.authenticate("cora@example.com", factories.PASSWORD, "198.51.100.1", now=later)
    assert limits.prune_throttles(now=later) == 0  # the account-mail window is longer: nothing yet
    after_every_window = now + timedelta(seconds=app.config["ACCOUNT_MAIL_WINDOW_SECONDS"] + 1)
    assert limits.prune_throttles(now=after_every_window) > 0
    assert ThrottleSlot.select().where(ThrottleSlot.used_at <= now).count() == 0


def test_deactivated_user_cannot_sign_in(client, people):
    people.agent.active = False
    people.agent.save()
    response = post_form(client, "/login", {"email": people.agent.email, "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)


def test_sign_out_needs_a_post_with_a_csrf_token(client, login, people):
    login(people.customer)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    response = post_form(client, "/logout", {}, page="/account")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/login")


def test_sign_in_redirects_only_to_local_pages(client, app, people):
    page = "/login?next=https://evil.example.com/"
    response = post_form(client, page, {"email": "cora@example.com", "password": factories.PASSWORD}, page=page)
    assert response.headers["Location"] == "/"
    client = app.test_client()
    page = "/login?next=/account"
    response = post_form(client, page, {"email": "cora@example.com", "password": factories.PASSWORD}, page=page)
    assert response.headers["Location"] == "/account"


def test_a_forged_sign_in_without_csrf_token_is_refused(client, people):
    response = client.post("/login", data={"email": "cora@example.com", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True) or "expired" in response.get_data(as_text=True)
