"""Adding a passkey on the account page: the options, the single-use challenge, the checks of origin,
relying party and user verification, and the recent proof of identity it needs."""

from __future__ import annotations

from datetime import timedelta

from portal.models.passkeys import Passkey, PasskeyChallenge
from portal.models.people import UserChange, UserSession
from tests.passkeys.authenticator import SoftAuthenticator, unb64
from tests.passkeys.helpers import add_passkey, flashes, register, registration_options


def test_the_options_ask_for_a_discoverable_verified_passkey_for_this_site_and_user(client, login, people):
    login(people.customer)
    response = registration_options(client)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    options = response.get_json()
    assert options["rp"] == {"id": "localhost", "name": "Caseport"}
    assert options["user"]["name"] == "cora@example.com"
    assert unb64(options["user"]["id"]).hex() == people.customer.uuid.replace("-", "")
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert len(unb64(options["challenge"])) == 32
    assert PasskeyChallenge.select().count() == 1


def test_a_registered_passkey_is_stored_with_its_name_and_transports(client, login, people):
    login(people.customer)
    authenticator, response = register(client, name="  Work   laptop ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#passkeys")
    passkey = Passkey.get()
    assert (passkey.user_id, passkey.name, passkey.sign_count) == (people.customer.id, "Work laptop", 0)
    assert passkey.transports == ["internal"]  # "made-up" is no transport
    assert unb64(passkey.credential_id) == authenticator.credential_id
    assert ("success", "The passkey “Work laptop” is added. You can sign in with it.") in flashes(client)
    page = client.get("/account").get_data(as_text=True)
    assert "Work laptop" in page and "not used yet" in page
    assert UserChange.get(UserChange.user == people.customer).action == "passkey_added"
    assert PasskeyChallenge.select().count() == 0  # used up


def test_the_next_options_exclude_the_passkeys_already_registered(client, login, people):
    login(people.customer)
    authenticator, _ = register(client)
    excluded = registration_options(client, "Phone").get_json()["excludeCredentials"]
    assert [unb64(item["id"]) for item in excluded] == [authenticator.credential_id]


def test_a_challenge_answers_once(client, login, people):
    login(people.customer)
    authenticator = SoftAuthenticator()
    credential = authenticator.register(registration_options(client).get_json())
    with client.session_transaction() as session:
        kept = dict(session)
    assert add_passkey(client, credential).status_code == 302
    Passkey.delete().execute()
    # The very same answer again, with a copy of the cookie that still holds the challenge.
    with client.session_transaction() as session:
        session.update(kept)
    add_passkey(client, credential)
    assert Passkey.select().count() == 0
    assert ("error", "That passkey request has expired or was already used. Please try again.") in flashes(client)


def test_an_expired_challenge_is_refused(client, login, people):
    login(people.customer)
    authenticator = SoftAuthenticator()
    credential = authenticator.register(registration_options(client).get_json())
    for row in PasskeyChallenge.select():
        row.created_at -= timedelta(minutes=6)
        row.save()
    add_passkey(client, credential)
    assert Passkey.select().count() == 0
    assert ("error", "That passkey request has expired or was already used. Please try again.") in flashes(client)


def test_an_answer_made_on_another_origin_is_refused(client, login, people):
    login(people.customer)
    register(client, origin="http://evil.example")
    assert Passkey.select().count() == 0
    assert ("error", "The passkey could not be checked. Please try again.") in flashes(client)


def test_an_answer_for_another_relying_party_is_refused(client, login, people):
    login(people.customer)
    register(client, rp_id="evil.example")
    assert Passkey.select().count() == 0


def test_an_answer_without_user_verification_is_refused(client, login, people):
    login(people.customer)
    register(client, verified=False)
    assert Passkey.select().count() == 0


def test_the_configured_relying_party_and_origin_win_over_the_request(app, client, login, people):
    app.config.update({"WEBAUTHN_RP_ID": "portal.example", "WEBAUTHN_ORIGIN": "https://portal.example"})
    login(people.customer)
    assert registration_options(client).get_json()["rp"]["id"] == "portal.example"
    register(client)  # made for localhost, as the request's host would have it
    assert Passkey.select().count() == 0
    register(client, SoftAuthenticator(origin="https://portal.example", rp_id="portal.example"))
    assert Passkey.select().count() == 1


def test_garbage_instead_of_a_credential_is_refused_without_an_error(client, login, people):
    login(people.customer)
    for credential in ["", "not json", "[]", '{"id": 5}', '{"id": "x", "response": {}}',
                       '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"clientDataJSON": "%%%"}}']:
        registration_options(client)
        response = add_passkey(client, credential)
        assert response.status_code == 302
    assert Passkey.select().count() == 0


def test_a_name_is_required_before_the_authenticator_is_asked(client, login, people):
    login(people.customer)
    response = registration_options(client, name="   ")
    assert response.status_code == 400
    assert response.get_json() == {"error": "Give the passkey a name."}
    assert registration_options(client, name="x" * 61).status_code == 400
    assert PasskeyChallenge.select().count() == 0


def test_the_same_authenticator_cannot_be_registered_twice(client, login, people):
    login(people.customer)
    authenticator, _ = register(client)
    register(client, authenticator, name="Again")
    assert Passkey.select().count() == 1
    assert ("error", "This passkey is registered already.") in flashes(client)


def _age_the_sign_in(minutes: int) -> None:
    for row in UserSession.select():
        row.created_at -= timedelta(minutes=minutes)
        row.save()


def test_adding_a_passkey_needs_a_sign_in_within_ten_minutes(client, login, people):
    login(people.customer)
    _age_the_sign_in(11)
    response = registration_options(client)
    assert response.status_code == 403
    assert response.get_json()["confirm"] == "/account/passkeys/confirm"
    assert PasskeyChallenge.select().count() == 0
    assert "Confirm your password to add a passkey" in client.get("/account").get_data(as_text=True)


def test_an_answer_posted_after_the_ten_minutes_is_refused(client, login, people):
    login(people.customer)
    authenticator = SoftAuthenticator()
    credential = authenticator.register(registration_options(client).get_json())
    _age_the_sign_in(11)
    response = add_passkey(client, credential)
    assert response.headers["Location"].endswith("/account/passkeys/confirm")
    assert Passkey.select().count() == 0


def test_confirming_the_password_allows_adding_a_passkey_again(client, login, people):
    from tests.factories import PASSWORD
    from tests.fixtures import post_form

    login(people.customer)
    _age_the_sign_in(11)
    wrong = post_form(client, "/account/passkeys/confirm", {"password": "wrong password"})
    assert wrong.status_code == 400
    assert "The password is incorrect." in wrong.get_data(as_text=True)
    assert registration_options(client).status_code == 403
    right = post_form(client, "/account/passkeys/confirm", {"password": PASSWORD})
    assert right.status_code == 302
    _, response = register(client)
    assert Passkey.select().count() == 1


def test_confirming_the_password_is_throttled_like_signing_in(app, client, login, people):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"] = 2
    from tests.fixtures import post_form

    login(people.customer)
    for _ in range(2):
        assert post_form(client, "/account/passkeys/confirm", {"password": "wrong"}).status_code == 400
    response = post_form(client, "/account/passkeys/confirm", {"password": "wrong"})
    assert response.status_code == 429 and "Retry-After" in response.headers
