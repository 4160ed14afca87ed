"""Users who sign in only with a provider have no password: password sign-in and password reset are
closed to them, and say so only to a browser that has signed in to the account before."""

from __future__ import annotations

import re

from notifier.models import Message
from portal.accounts import service
from portal.accounts.service.tokens import issue_token
from portal.clock import utcnow
from portal.models.people import User
from portal.passwords import verify_password
from tests.fixtures import post_form
from tests.sso.provider import sign_in_with_provider

NO_PASSWORD_HERE = "This account has no password: it signs in with single sign-on."
INCORRECT = "The email address or password is incorrect."


def _same_page(response, address: str) -> str:
    """The page with the address and the CSRF tokens (random per browser) taken out."""
    return re.sub(r'value="[^"]*\.[^"]*\.[^"]*"', "", response.get_data(as_text=True).replace(address, "X"))


def _sso_only_user(app, oidc_provider, client=None, email="una@corp.example"):
    oidc_provider.put_user("p-1", email=email, email_verified=True)
    assert sign_in_with_provider(client or app.test_client(), "p-1").status_code == 302
    return User.get(User.email == email)


def test_no_password_matches_a_user_without_one():
    assert not verify_password("", "")
    assert not verify_password("", "caseport-dummy-password")  # the hash compared when none is stored


def test_a_stranger_trying_a_password_hears_only_the_usual_answer(app, sso_app, oidc_provider):
    _sso_only_user(app, oidc_provider)
    stranger = app.test_client()
    response = post_form(stranger, "/login", {"email": "una@corp.example", "password": "any password at all"})
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert INCORRECT in text and NO_PASSWORD_HERE not in text
    unknown = post_form(app.test_client(), "/login", {"email": "nobody@corp.example", "password": "whatever1234"})
    assert _same_page(unknown, "nobody@corp.example") == _same_page(response, "una@corp.example")


def test_the_owners_browser_is_told_to_use_single_sign_on(app, sso_app, oidc_provider):
    owner = app.test_client()
    _sso_only_user(app, oidc_provider, owner)
    owner.post("/logout", data={"csrf_token": _token(owner)})
    response = post_form(owner, "/login", {"email": "una@corp.example", "password": "guessing a password"})
    assert response.status_code == 401
    assert NO_PASSWORD_HERE in response.get_data(as_text=True)


def _token(client):
    from tests.fixtures import csrf_token_from

    return csrf_token_from(client.get("/account").get_data(as_text=True))


def test_a_reset_request_for_a_user_without_a_password_sends_nothing_and_says_the_same(app, sso_app, oidc_provider):
    _sso_only_user(app, oidc_provider)
    response = post_form(app.test_client(), "/reset-password", {"email": "una@corp.example"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "has no password here, so no link is sent for it" in text
    unknown = post_form(app.test_client(), "/reset-password", {"email": "nobody@corp.example"})
    assert _same_page(unknown, "nobody@corp.example") == _same_page(response, "una@corp.example")
    assert Message.select().where(Message.event == "password_reset").count() == 0


def test_a_reset_link_from_before_the_account_moved_to_single_sign_on_sets_no_password(app, sso_app, oidc_provider):
    user = _sso_only_user(app, oidc_provider)
    token = issue_token(user, "password_reset", 30, now=utcnow())
    response = app.test_client().get(f"/reset-password/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reset-password")
    import pytest

    from portal.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        service.reset_password(token, "a brand new passphrase")
    assert not User.get_by_id(user.id).has_password


def test_a_linked_user_with_a_password_keeps_both_ways_in(app, sso_app, oidc_provider):
    from tests import factories

    user = factories.user(role="customer", email="vera@corp.example")
    oidc_provider.put_user("p-2", email="vera@corp.example", email_verified=True)
    assert sign_in_with_provider(app.test_client(), "p-2").status_code == 302
    from tests.fixtures import sign_in

    sign_in(app.test_client(), user)
    service.request_password_reset("vera@corp.example")
    assert Message.select().where(Message.event == "password_reset").count() == 1


def test_changing_the_password_says_there_is_none(app, sso_app, oidc_provider):
    owner = app.test_client()
    _sso_only_user(app, oidc_provider, owner)
    response = post_form(owner, "/account/password", {"current_password": "x", "new_password": "a new passphrase here",
                                                      "confirm": "a new passphrase here"})
    assert response.status_code == 400
    assert "Your account has no password to change: it signs in with single sign-on." in response.get_data(as_text=True)
    assert not User.get(User.email == "una@corp.example").has_password
