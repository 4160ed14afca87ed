"""Signing in with a passkey and no password: discoverable credentials with user verification, a
single-use challenge, the signature counter, deactivated users, throttling like passwords."""

from __future__ import annotations

from portal.models.passkeys import Passkey
from portal.models.people import User
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.helpers import post_assertion, register, sign_in_options, sign_in_with


def _registered(client, login, user, **kwargs) -> SoftAuthenticator:
    login(user)
    authenticator, response = register(client, SoftAuthenticator(**kwargs))
    assert response.status_code == 302 and Passkey.select().count() == 1
    client.post("/logout", data={"csrf_token": _token(client)})
    return authenticator


def _token(client) -> str:
    from tests.fixtures import csrf_token_from

    return csrf_token_from(client.get("/account").get_data(as_text=True))


def _is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_the_sign_in_options_let_the_person_pick_any_passkey_with_user_verification(client):
    options = sign_in_options(client)
    assert options["rpId"] == "localhost"
    assert options["userVerification"] == "required"
    assert options["allowCredentials"] == []


def test_a_passkey_signs_in_without_a_password(client, login, people):
    authenticator = _registered(client, login, people.customer)
    assert not _is_signed_in(client)
    response = sign_in_with(client, authenticator)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _is_signed_in(client)
    passkey = Passkey.get()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert User.get_by_id(people.customer.id).last_login_at is not None


def test_the_sign_in_goes_on_to_a_safe_next_page_only(client, login, people):
    authenticator = _registered(client, login, people.customer)
    response = post_assertion(client, authenticator.sign(sign_in_options(client)), next_url="//evil.example/")
    assert response.headers["Location"] == "/"


def test_a_replayed_assertion_is_refused(client, login, people):
    authenticator = _registered(client, login, people.customer, counts=False)  # counter 0, like many passkeys
    credential = authenticator.sign(sign_in_options(client))
    with client.session_transaction() as session:
        kept = dict(session)
    assert post_assertion(client, credential).status_code == 302
    with client.session_transaction() as session:
        session.clear()
        session.update(kept)  # the cookie from before, holding the challenge
    response = post_assertion(client, credential)
    assert response.status_code == 401
    assert "That passkey request has expired or was already used." in response.get_data(as_text=True)
    assert not _is_signed_in(client)


def test_an_assertion_for_a_challenge_this_browser_was_not_given_is_refused(app, client, login, people):
    authenticator = _registered(client, login, people.customer)
    other = app.test_client()
    credential = authenticator.sign(sign_in_options(other))  # answered in another browser's ceremony
    sign_in_options(client)
    assert post_assertion(client, credential).status_code == 401
    assert not _is_signed_in(client)


def test_a_signature_counter_that_goes_back_is_refused(client, login, people):
    authenticator = _registered(client, login, people.customer, counter=5)
    assert sign_in_with(client, authenticator).status_code == 302  # 6
    client.post("/logout", data={"csrf_token": _token(client)})
    response = sign_in_with(client, authenticator, counter=6)  # a copy of the key, one step behind
    assert response.status_code == 401
    assert "it may have been copied" in response.get_data(as_text=True)
    assert not _is_signed_in(client)
    assert Passkey.get().sign_count == 6


def test_a_counter_stuck_at_zero_is_fine_when_it_was_always_zero(client, login, people):
    authenticator = _registered(client, login, people.customer, counts=False)
    for _ in range(2):
        assert sign_in_with(client, authenticator).status_code == 302
        client.post("/logout", data={"csrf_token": _token(client)})


def test_a_counter_that_drops_to_zero_is_refused(client, login, people):
    authenticator = _registered(client, login, people.customer, counter=3)
    assert sign_in_with(client, authenticator, counter=0).status_code == 401


def test_an_assertion_from_another_origin_or_relying_party_is_refused(client, login, people):
    authenticator = _registered(client, login, people.customer)
    assert sign_in_with(client, authenticator, origin="http://evil.example").status_code == 401
    assert sign_in_with(client, authenticator, rp_id="evil.example").status_code == 401
    assert not _is_signed_in(client)


def test_an_assertion_without_user_verification_is_refused(client, login, people):
    authenticator = _registered(client, login, people.customer)
    assert sign_in_with(client, authenticator, verified=False).status_code == 401


def test_an_assertion_naming_another_user_is_refused(client, login, people):
    authenticator = _registered(client, login, people.customer)
    import uuid

    other = uuid.UUID(people.admin.uuid).bytes
    assert sign_in_with(client, authenticator, user_handle=other).status_code == 401


def test_an_unknown_passkey_is_refused(client):
    response = sign_in_with(client, SoftAuthenticator())
    assert response.status_code == 401
    assert "The passkey could not be checked." in response.get_data(as_text=True)


def test_a_deactivated_user_is_refused(client, login, people):
    authenticator = _registered(client, login, people.agent)
    User.update(active=False).where(User.id == people.agent.id).execute()
    response = sign_in_with(client, authenticator)
    assert response.status_code == 403
    assert "This account has been deactivated." in response.get_data(as_text=True)
    assert not _is_signed_in(client)


def test_failed_passkey_sign_ins_are_throttled_with_password_ones(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    stranger = SoftAuthenticator()
    for _ in range(3):
        assert sign_in_with(client, stranger).status_code == 401
    response = sign_in_with(client, stranger)
    assert response.status_code == 429 and "Retry-After" in response.headers
    # The same budget as passwords from this address.
    from tests.fixtures import post_form

    assert post_form(client, "/login", {"email": "x@example.com", "password": "y"}).status_code == 429


def test_a_successful_passkey_sign_in_costs_no_attempt(app, client, login, people):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 2
    authenticator = _registered(client, login, people.customer)
    for _ in range(3):
        assert sign_in_with(client, authenticator).status_code == 302
        client.post("/logout", data={"csrf_token": _token(client)})


def test_garbage_is_refused_without_an_error(client):
    for credential in ["", "{", "null", '{"id": "x", "response": []}',
                       '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"clientDataJSON": "!"}}']:
        sign_in_options(client)
        assert post_assertion(client, credential).status_code in (400, 401)


def test_without_javascript_the_sign_in_page_shows_the_password_form_and_a_hidden_passkey_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'data-passkey-section hidden' in page
    assert 'name="password"' in page
    assert '<script src="/static/js/passkeys.js" defer></script>' in page
