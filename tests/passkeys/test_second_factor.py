"""A passkey as the second factor after the password (portal/mfa's verify page), a passkey sign-in as both
factors, and the rules that tie passkeys to the required second factor."""

from __future__ import annotations

import pytest

from portal.models.mfa import RememberedDevice
from portal.models.passkeys import Passkey
from portal.models.people import User
from tests import factories
from tests.fixtures import csrf_token_from, post_form, sign_in
from tests.mfa.helpers import code, enrol, password_step
from tests.passkeys.authenticator import SoftAuthenticator
from tests.passkeys.helpers import flashes, page_token, register, sign_in_with


def _second_factor_options(client):
    token = page_token(client, "/sign-in/second-factor")
    return client.post("/sign-in/second-factor/passkey/options", data={"csrf_token": token},
                       headers={"X-CSRFToken": token})


def _answer(client, credential: str, remember: bool = False):
    data = {"credential": credential}
    if remember:
        data["remember"] = "y"
    return post_form(client, "/sign-in/second-factor/passkey", data, page="/sign-in/second-factor")


def _sign_out(client):
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})


@pytest.fixture
def agent_with_passkey(client, people):
    sign_in(client, people.agent)
    authenticator, response = register(client)
    assert response.status_code == 302 and Passkey.select().count() == 1
    _sign_out(client)
    return authenticator


def test_a_user_with_a_passkey_is_asked_for_it_after_the_password(client, people, agent_with_passkey):
    response = password_step(client, people.agent, factories.PASSWORD)
    assert response.location.endswith("/sign-in/second-factor")
    page = client.get("/sign-in/second-factor").get_data(as_text=True)
    assert 'data-passkey-form="second-factor"' in page and "Use your passkey" in page
    assert client.get("/account").status_code == 302  # not signed in yet


def test_the_options_name_only_the_pending_users_passkeys(client, people, agent_with_passkey):
    password_step(client, people.agent, factories.PASSWORD)
    options = _second_factor_options(client).get_json()
    assert [item["id"] for item in options["allowCredentials"]] == [Passkey.get().credential_id]
    assert options["allowCredentials"][0]["transports"] == ["internal"]


def test_the_passkey_completes_the_sign_in(client, people, agent_with_passkey):
    password_step(client, people.agent, factories.PASSWORD)
    response = _answer(client, agent_with_passkey.sign(_second_factor_options(client).get_json()), remember=True)
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/account").status_code == 200
    assert RememberedDevice.select().count() == 1


def test_without_a_pending_sign_in_there_are_no_options(client, people, agent_with_passkey):
    token = page_token(client, "/login")
    response = client.post("/sign-in/second-factor/passkey/options", data={"csrf_token": token},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 401


def test_another_users_passkey_is_no_second_factor(client, people, agent_with_passkey):
    sign_in(client, people.supervisor)
    enrol(client)
    _sign_out(client)
    password_step(client, people.supervisor, factories.PASSWORD)
    # The agent's passkey answers the supervisor's challenge: it signs, but is not the supervisor's.
    response = _answer(client, agent_with_passkey.sign(_second_factor_options(client).get_json()))
    assert response.location.endswith("/sign-in/second-factor")
    assert ("error", "The passkey could not be checked. Please try again.") in flashes(client)
    assert client.get("/account").status_code == 302


def test_a_replayed_second_factor_answer_is_refused(client, people, agent_with_passkey):
    password_step(client, people.agent, factories.PASSWORD)
    credential = agent_with_passkey.sign(_second_factor_options(client).get_json())
    with client.session_transaction() as session:
        kept = dict(session)
    assert _answer(client, credential).location == "/"
    _sign_out(client)
    with client.session_transaction() as session:
        session.clear()
        session.update(kept)
    response = _answer(client, credential)
    assert response.location.endswith("/sign-in/second-factor")
    assert client.get("/account").status_code == 302


def test_wrong_passkey_answers_are_throttled_like_codes(app, client, people, agent_with_passkey):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"] = 2
    password_step(client, people.agent, factories.PASSWORD)
    for _ in range(2):
        _answer(client, agent_with_passkey.sign(_second_factor_options(client).get_json(), origin="http://evil.example"))
    _answer(client, agent_with_passkey.sign(_second_factor_options(client).get_json()))
    assert any("Too many wrong codes" in message for _, message in flashes(client))
    assert client.get("/account").status_code == 302


def test_a_passkey_sign_in_is_both_factors(client, people, agent_with_passkey):
    response = sign_in_with(client, agent_with_passkey)
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/account").status_code == 200


def test_a_required_user_may_not_remove_the_passkey_that_is_their_only_factor(app, client, people):
    app.config["MFA_REQUIRED_FOR"] = "staff"
    authenticator = SoftAuthenticator()
    # Signed in with a TOTP factor first (required), then a passkey added and the app turned off.
    response = password_step(client, people.agent, factories.PASSWORD)
    assert response.location.endswith("/sign-in/set-up-second-factor")
    from tests.mfa.helpers import secret_on

    page = client.get("/sign-in/set-up-second-factor").get_data(as_text=True)
    secret = secret_on(page)
    client.post("/sign-in/set-up-second-factor", data={"csrf_token": csrf_token_from(page), "code": code(secret)})
    register(client, authenticator)
    passkey = Passkey.get()
    from portal.models.mfa import TotpFactor

    TotpFactor.delete().execute()  # as if turned off: allowed, since the passkey is another factor
    post_form(client, f"/account/passkeys/{passkey.uuid}/remove", {}, page="/account")
    assert Passkey.select().count() == 1
    assert any("this passkey is your only one" in message for _, message in flashes(client))
    app.config["MFA_REQUIRED_FOR"] = "admin"
    post_form(client, f"/account/passkeys/{passkey.uuid}/remove", {}, page="/account")
    assert Passkey.select().count() == 0


def test_the_authenticator_app_may_be_turned_off_by_a_required_user_who_has_a_passkey(app, client, people):
    from portal.mfa.service import may_turn_off_totp

    app.config["MFA_REQUIRED_FOR"] = "staff"
    Passkey.create(user=people.agent, credential_id="a2V5", public_key="AA", name="Key")
    assert may_turn_off_totp(people.agent, ["passkey", "totp"])
    assert not may_turn_off_totp(people.agent, ["totp"])


def test_an_admin_reset_of_the_second_factor_removes_passkeys(client, people, agent_with_passkey):
    from portal.mfa.service import reset_second_factor

    reset_second_factor(people.admin, people.agent.uuid)
    assert Passkey.select().count() == 0
    assert User.get_by_id(people.agent.id).active


def test_the_admins_page_of_a_person_with_a_passkey_says_so(client, people):
    Passkey.create(user=people.agent, credential_id="a2V5", public_key="AA", name="Key")
    sign_in(client, people.admin)
    page = client.get(f"/admin/users/{people.agent.uuid}").get_data(as_text=True)
    assert "On: passkeys." in page and "Their passkeys are removed too." in page


def test_the_account_page_says_a_passkey_is_the_second_factor(client, people):
    sign_in(client, people.agent)
    assert "On: after your password" not in client.get("/account").get_data(as_text=True)
    register(client)
    assert "On: after your password, signing in asks for one of your passkeys." in \
        client.get("/account").get_data(as_text=True)
