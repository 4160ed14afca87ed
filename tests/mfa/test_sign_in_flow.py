"""Signing in with a second factor, through the test client with real CSRF tokens: the password alone
signs nobody in, a code from the app does, once; recovery codes work once; wrong codes are throttled."""

from __future__ import annotations

import pytest

from portal.models.people import UserChange
from tests import factories
from tests.fixtures import sign_in
from tests.mfa.helpers import code, enrol, next_step_code, password_step, verify, verify_recovery


@pytest.fixture
def enrolled(client, people):
    """The agent with an authenticator app; signed out again. Returns (secret, recovery codes)."""
    sign_in(client, people.agent)
    secret, codes = enrol(client)
    client.post("/logout", data={"csrf_token": _token(client)})
    return secret, codes


def _token(client) -> str:
    from tests.fixtures import csrf_token_from

    return csrf_token_from(client.get("/account").get_data(as_text=True))


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_the_password_alone_does_not_sign_in_a_user_with_a_second_factor(client, people, enrolled):
    response = password_step(client, people.agent, factories.PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/sign-in/second-factor")
    assert not _signed_in(client)
    page = client.get("/sign-in/second-factor").get_data(as_text=True)
    assert "Authenticator app" in page and "recovery code" in page


def test_a_code_from_the_app_signs_in_and_goes_where_the_sign_in_was_going(client, people, enrolled):
    secret, _codes = enrolled
    client.post("/login?next=/account", data={})  # no token: refused, nothing pending
    password_step(client, people.agent, factories.PASSWORD)
    response = verify(client, next_step_code(secret))
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_wrong_code_is_refused_and_signs_nobody_in(client, people, enrolled):
    password_step(client, people.agent, factories.PASSWORD)
    response = verify(client, "000000" if next_step_code(enrolled[0]) != "000000" else "111111")
    assert response.status_code == 401
    assert "That code is not right" in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_a_code_is_accepted_once_a_replay_in_the_same_window_is_refused(client, app, people, enrolled):
    secret, _codes = enrolled
    value = next_step_code(secret)
    password_step(client, people.agent, factories.PASSWORD)
    assert verify(client, value).status_code == 302
    client.post("/logout", data={"csrf_token": _token(client)})
    password_step(client, people.agent, factories.PASSWORD)
    assert verify(client, value).status_code == 401
    assert not _signed_in(client)


def test_the_enrolment_code_itself_cannot_be_replayed_to_sign_in(client, people):
    sign_in(client, people.agent)
    page = client.get("/account/second-factor").get_data(as_text=True)
    from tests.fixtures import csrf_token_from
    from tests.mfa.helpers import secret_on

    secret = secret_on(page)
    value = code(secret)
    assert client.post("/account/second-factor", data={"csrf_token": csrf_token_from(page),
                                                        "code": value}).status_code == 200
    client.post("/logout", data={"csrf_token": _token(client)})
    password_step(client, people.agent, factories.PASSWORD)
    assert verify(client, value).status_code == 401


def test_a_recovery_code_signs_in_once(client, people, enrolled):
    _secret, codes = enrolled
    password_step(client, people.agent, factories.PASSWORD)
    response = verify_recovery(client, codes[0].upper().replace("-", " "))
    assert response.status_code == 302 and _signed_in(client)
    assert UserChange.select().where((UserChange.user == people.agent)
                                     & (UserChange.action == "recovery_code_used")).count() == 1
    client.post("/logout", data={"csrf_token": _token(client)})
    password_step(client, people.agent, factories.PASSWORD)
    assert verify_recovery(client, codes[0]).status_code == 401
    assert verify_recovery(client, codes[1]).status_code == 302


def test_wrong_codes_are_throttled_even_the_right_one_then(client, app, people, enrolled):
    secret, _codes = enrolled
    password_step(client, people.agent, factories.PASSWORD)
    wrong = "000000" if next_step_code(secret) != "000000" else "111111"
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"]):
        assert verify(client, wrong).status_code == 401
    response = verify(client, next_step_code(secret))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_the_pending_step_expires(client, people, enrolled, monkeypatch):
    import time

    from tests.fixtures import csrf_token_from

    secret, _codes = enrolled
    password_step(client, people.agent, factories.PASSWORD)
    token = csrf_token_from(client.get("/sign-in/second-factor").get_data(as_text=True))
    later = time.time() + 6 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post("/sign-in/second-factor/code", data={"csrf_token": token, "code": next_step_code(secret)})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert not _signed_in(client)
