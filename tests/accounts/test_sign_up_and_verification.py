"""Self sign-up with email verification, through the real outbox and the dev sink."""

import pytest

from portal.models.people import Customer, User
from tests import factories
from tests.fixtures import captured_mail, link_in, post_form

SIGNUP = {
    "first_name": "Nina",
    "last_name": "Novak",
    "email": "Nina.Novak@example.com",
    "password": "a long enough passphrase",
    "confirm": "a long enough passphrase",
    "time_zone": "Europe/Paris",
}


def sign_up(client, **changes):
    return post_form(client, "/signup", {**SIGNUP, **changes})


def verify_from_mail(client, address):
    mail = captured_mail(address)[-1]
    path = link_in(mail.text, "/verify-email/")
    return post_form(client, path, {})


def test_sign_up_sends_a_verification_link_and_the_link_lets_the_customer_sign_in(client, deliver):
    response = sign_up(client)
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert post_form(client, "/login", {"email": SIGNUP["email"], "password": SIGNUP["password"]}).status_code == 403

    deliver()
    response = verify_from_mail(client, "nina.novak@example.com")
    assert response.status_code == 302
    user = User.get(User.email == "nina.novak@example.com")
    assert user.email_verified_at is not None and user.time_zone == "Europe/Paris"
    assert Customer.get(Customer.user == user).first_name == "Nina"
    assert post_form(client, "/login", {"email": SIGNUP["email"], "password": SIGNUP["password"]}).status_code == 302


def test_verification_joins_the_existing_customer_profile_with_that_email(client, deliver):
    profile = factories.customer(first_name="Nina", email="nina.novak@example.com")
    sign_up(client)
    deliver()
    verify_from_mail(client, "nina.novak@example.com")
    profile = Customer.get_by_id(profile.id)
    assert profile.user.email == "nina.novak@example.com"
    assert Customer.select().where(Customer.email == "nina.novak@example.com").count() == 1


def test_an_unverified_sign_up_is_not_joined_to_the_customer_profile(client, deliver):
    profile = factories.customer(first_name="Nina", email="nina.novak@example.com")
    sign_up(client)
    assert Customer.get_by_id(profile.id).user is None


def test_a_verification_link_works_once(client, deliver):
    sign_up(client)
    deliver()
    mail = captured_mail("nina.novak@example.com")[-1]
    path = link_in(mail.text, "/verify-email/")
    assert post_form(client, path, {}).headers["Location"].endswith("/login")
    again = post_form(client, path, {})
    assert again.headers["Location"].endswith("/verify-email/resend")


def test_a_prefetching_mail_scanner_does_not_verify_the_address(client, deliver):
    sign_up(client)
    deliver()
    path = link_in(captured_mail("nina.novak@example.com")[-1].text, "/verify-email/")
    assert client.get(path).status_code == 200
    assert User.get(User.email == "nina.novak@example.com").email_verified_at is None


def test_signing_up_with_a_registered_email_looks_the_same_and_tells_the_owner(client, deliver, people):
    response = sign_up(client, email="CORA@example.com")
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert User.select().where(User.email == "cora@example.com").count() == 1
    deliver()
    mail = captured_mail("cora@example.com")[-1]
    assert "tried to create a new Caseport account" in mail.text


@pytest.mark.parametrize(
    "changes, field_message",
    [
        ({"first_name": ""}, "Enter your first name."),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"email": ""}, "Enter your email address."),
        ({"password": "short", "confirm": "short"}, "Use at least 10 characters."),
        ({"confirm": "something else entirely"}, "The two passwords are not the same."),
        ({"first_name": "x" * 101}, "Field cannot be longer than 100 characters."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"password": "password123", "confirm": "password123"}, "too easy to guess"),
    ],
)
def test_bad_sign_up_input_gets_a_message_and_creates_nothing(client, changes, field_message):
    response = sign_up(client, **changes)
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert User.select().count() == 0


def test_sign_up_can_be_switched_off(app, client):
    app.config["SIGNUP_ENABLED"] = False
    assert client.get("/signup").status_code == 404
    assert "Create an account" not in client.get("/login").get_data(as_text=True)


def test_resending_verification_for_an_unknown_address_looks_the_same(client, deliver):
    response = post_form(client, "/verify-email/resend", {"email": "ghost@example.com"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert deliver().claimed == 0
