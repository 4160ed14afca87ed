"""One's own second factor on the account page: setting up the app (QR code drawn on the server, the
secret in text), recovery codes shown once, new codes, turning it off, remembered browsers."""

from __future__ import annotations

import re

import pytest

from portal.models.mfa import RecoveryCode, RememberedDevice, TotpFactor
from portal.models.people import UserChange
from tests import factories
from tests.fixtures import csrf_token_from, post_form, sign_in
from tests.mfa.helpers import RECOVERY_RE, code, enrol, next_step_code, secret_on


def test_the_set_up_page_shows_a_qr_code_image_and_the_secret_as_text(client, people):
    sign_in(client, people.agent)
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="QR code', page)
    assert len(secret_on(page)) == 32
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]


def test_a_wrong_first_code_sets_nothing_up(client, people):
    sign_in(client, people.agent)
    response = post_form(client, "/account/second-factor", {"code": "12345"})
    assert response.status_code == 400
    assert "That code is not right" in response.get_data(as_text=True)
    assert not TotpFactor.select().exists()


def test_setting_up_shows_ten_recovery_codes_once_and_stores_only_their_hashes(client, people):
    sign_in(client, people.agent)
    _secret, codes = enrol(client)
    assert len(set(codes)) == 10
    stored = [row.code_hash for row in RecoveryCode.select()]
    assert len(stored) == 10 and not set(codes) & set(stored)
    again = client.get("/account/second-factor").get_data(as_text=True)
    assert not RECOVERY_RE.search(again) and "Remembered browsers" in again
    assert UserChange.get(UserChange.action == "second_factor_enabled").user_id == people.agent.id


def test_the_account_page_says_whether_the_second_factor_is_on(client, people):
    sign_in(client, people.agent)
    assert "Off: a code from an authenticator app" in client.get("/account").get_data(as_text=True)
    enrol(client)
    assert "On: signing in asks for a code" in client.get("/account").get_data(as_text=True)


def test_new_recovery_codes_replace_the_old_ones(client, people):
    sign_in(client, people.agent)
    _secret, old = enrol(client)
    response = post_form(client, "/account/second-factor/recovery-codes", {}, page="/account/second-factor")
    new = RECOVERY_RE.findall(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.select().count() == 10


def test_turning_off_with_a_current_code_removes_the_app_codes_and_remembered_browsers(client, people):
    sign_in(client, people.agent)
    secret, _codes = enrol(client)
    RememberedDevice.create(user=people.agent, token_hash="x" * 64, expires_at=factories_far_future())
    response = post_form(client, "/account/second-factor/disable", {"code": next_step_code(secret)},
                         page="/account/second-factor", follow_redirects=True)
    assert "The authenticator app is turned off" in response.get_data(as_text=True)
    assert not TotpFactor.select().exists() and not RecoveryCode.select().exists()
    assert not RememberedDevice.select().exists()


def test_turning_off_with_the_password_works_and_a_wrong_one_is_refused(client, people):
    sign_in(client, people.agent)
    enrol(client)
    wrong = post_form(client, "/account/second-factor/disable", {"password": "not my password"},
                      page="/account/second-factor", follow_redirects=True)
    assert "This is not your password." in wrong.get_data(as_text=True) and TotpFactor.select().exists()
    post_form(client, "/account/second-factor/disable", {"password": factories.PASSWORD},
              page="/account/second-factor")
    assert not TotpFactor.select().exists()


@pytest.mark.parametrize("required, role", [("admin", "admin"), ("staff", "agent"), ("staff", "supervisor")])
def test_a_user_who_must_have_a_factor_cannot_turn_off_their_only_one(client, app, people, required, role):
    user = people.by_role(role)
    sign_in(client, user)
    secret, _codes = enrol(client)
    app.config["MFA_REQUIRED_FOR"] = required
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "Turn off the authenticator app" not in page and "cannot be turned off" in page
    token = csrf_token_from(page)
    response = client.post("/account/second-factor/disable", data={"csrf_token": token, "code": code(secret)},
                           follow_redirects=True)
    assert "it stays on" in response.get_data(as_text=True)
    assert TotpFactor.select().where(TotpFactor.user == user).exists()


def test_an_agent_may_turn_off_their_factor_when_only_admins_must_have_one(client, app, people):
    app.config["MFA_REQUIRED_FOR"] = "admin"
    sign_in(client, people.agent)
    enrol(client)
    post_form(client, "/account/second-factor/disable", {"password": factories.PASSWORD},
              page="/account/second-factor")
    assert not TotpFactor.select().exists()


def test_the_profile_offers_no_password_change_to_a_user_without_a_password(client, people):
    from portal.accounts.routes import browser
    from portal.models.people import NO_PASSWORD

    people.agent.password_hash = NO_PASSWORD
    people.agent.save()
    # Signed in as an identity provider would: a session for the user, no password typed.
    token = browser.sessions.start_session(people.agent)
    with client.session_transaction() as session:
        session[browser.SESSION_KEY] = token
        session["_user_id"] = people.agent.uuid
    page = client.get("/account").get_data(as_text=True)
    assert "Your account" in page and "Change your password" not in page


def test_the_profile_offers_a_password_change_to_a_user_with_a_password(client, people):
    sign_in(client, people.agent)
    assert "Change your password" in client.get("/account").get_data(as_text=True)


def factories_far_future():
    from datetime import timedelta

    from portal.clock import utcnow

    return utcnow() + timedelta(days=10)
