"""Password change (ends other sessions) and reset by an emailed one-time link."""

from datetime import timedelta

import pytest

from portal.accounts import service
from portal.clock import utcnow
from portal.errors import ValidationFailed
from portal.models.people import User
from tests import factories
from tests.fixtures import captured_mail, link_in, post_form, sign_in

NEW = "a brand new passphrase"


def change(client, current=factories.PASSWORD, new=NEW, confirm=NEW):
    return post_form(client, "/account/password",
                     {"current_password": current, "new_password": new, "confirm": confirm})


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(app, people):
    this_device, other_device = app.test_client(), app.test_client()
    sign_in(this_device, people.customer)
    sign_in(other_device, people.customer)
    assert change(this_device).status_code == 302
    assert this_device.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302  # sent to sign in
    assert service.authenticate(people.customer.email, NEW, "127.0.0.1")


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("wrong current password", NEW, NEW, "This is not your current password."),
        (factories.PASSWORD, "short", "short", "Use at least 10 characters."),
        (factories.PASSWORD, NEW, "different", "The two passwords are not the same."),
        (factories.PASSWORD, "", "", "Choose a new password."),
    ],
)
def test_a_bad_password_change_gets_a_message_and_changes_nothing(client, login, people, current, new, confirm,
                                                                  message):
    login(people.customer)
    before = User.get_by_id(people.customer.id).password_hash
    response = change(client, current, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert User.get_by_id(people.customer.id).password_hash == before


def test_password_reset_by_emailed_link_end_to_end(client, app, deliver, people):
    other_device = app.test_client()
    sign_in(other_device, people.customer)
    response = post_form(client, "/reset-password", {"email": "Cora@Example.com"})
    assert "If <strong>Cora@Example.com</strong> belongs to an account" in response.get_data(as_text=True)
    deliver()
    path = link_in(captured_mail("cora@example.com")[-1].text, "/reset-password/")
    response = post_form(client, path, {"new_password": NEW, "confirm": NEW})
    assert response.headers["Location"].endswith("/login")
    assert service.authenticate("cora@example.com", NEW, "127.0.0.1")
    assert other_device.get("/account").status_code == 302
    # single use
    assert client.get(path).headers["Location"].endswith("/reset-password")


def test_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(client, deliver, people):
    known = post_form(client, "/reset-password", {"email": "cora@example.com"}).get_data(as_text=True)
    unknown = post_form(client, "/reset-password", {"email": "ghost@example.com"}).get_data(as_text=True)
    assert known.replace("cora@example.com", "X") == unknown.replace("ghost@example.com", "X")
    assert deliver().claimed == 1


def test_reset_tokens_are_stored_hashed(app, people):
    from portal.models.people import UserToken

    service.request_password_reset("cora@example.com")
    row = UserToken.get()
    from notifier.models import Message

    link = Message.get().context["reset_url"]
    assert row.token_hash not in link and link.rsplit("/", 1)[1] != row.token_hash


def test_an_expired_reset_link_is_refused(app, people):
    service.request_password_reset("cora@example.com")
    from notifier.models import Message

    token = Message.get().context["reset_url"].rsplit("/", 1)[1]
    later = utcnow() + timedelta(minutes=app.config["PASSWORD_RESET_MINUTES"] + 1)
    with pytest.raises(ValidationFailed, match="expired"):
        service.reset_password(token, NEW, now=later)


def test_a_weak_new_password_is_refused_and_the_link_stays_usable(client, deliver, people):
    post_form(client, "/reset-password", {"email": "cora@example.com"})
    deliver()
    path = link_in(captured_mail("cora@example.com")[-1].text, "/reset-password/")
    response = post_form(client, path, {"new_password": "short", "confirm": "short"})
    assert response.status_code == 400 and "Use at least 10 characters." in response.get_data(as_text=True)
    assert post_form(client, path, {"new_password": NEW, "confirm": NEW}).status_code == 302


def test_profile_changes_are_validated(client, login, people):
    login(people.customer)
    bad = post_form(client, "/account", {"display_name": "Cora", "phone": "12", "time_zone": "Europe/Berlin"})
    assert bad.status_code == 400 and "That phone number does not exist" in bad.get_data(as_text=True)
    good = post_form(client, "/account", {"display_name": "Cora C.", "phone": "(415) 555-0134",
                                          "time_zone": "Europe/Berlin"})
    assert good.status_code == 302
    user = User.get_by_id(people.customer.id)
    assert (user.display_name, user.phone, user.time_zone) == ("Cora C.", "+14155550134", "Europe/Berlin")
