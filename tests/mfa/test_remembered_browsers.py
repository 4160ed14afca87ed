"""Remembered browsers: a signed cookie with a random token stored hashed; it skips the second factor
until it expires or is revoked (one, all, a password change, turning the factor off, an admin's reset);
a forged or copied-for-another-user cookie skips nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.clock import utcnow
from portal.mfa.pending import DEVICE_COOKIE
from portal.models.mfa import RememberedDevice
from tests import factories
from tests.fixtures import csrf_token_from, post_form, sign_in
from tests.mfa.helpers import enrol, next_step_code, password_step, verify


def _sign_out(client):
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})


@pytest.fixture
def remembered(client, people):
    """The agent enrolled and signed in once with "remember this browser"; signed out again."""
    sign_in(client, people.agent)
    secret, _codes = enrol(client)
    _sign_out(client)
    password_step(client, people.agent, factories.PASSWORD)
    response = verify(client, next_step_code(secret), remember=True)
    assert response.status_code == 302
    _sign_out(client)
    return secret


def _password_alone_signs_in(client, user) -> bool:
    response = password_step(client, user, factories.PASSWORD)
    return response.status_code == 302 and not response.location.endswith("/sign-in/second-factor")


def test_a_remembered_browser_signs_in_with_the_password_alone(client, people, remembered):
    device = RememberedDevice.get()
    assert device.user_id == people.agent.id and len(device.token_hash) == 64
    assert timedelta(days=29) < device.expires_at - utcnow() <= timedelta(days=30)
    assert _password_alone_signs_in(client, people.agent)
    assert client.get("/account").status_code == 200


def test_the_cookie_holds_no_token_in_the_clear_it_is_signed(client, people, remembered):
    cookie = client.get_cookie(DEVICE_COOKIE)
    assert cookie is not None and cookie.http_only
    assert RememberedDevice.get().token_hash not in cookie.value


def test_a_forged_cookie_is_ignored(client, people, remembered):
    cookie = client.get_cookie(DEVICE_COOKIE)
    client.set_cookie(DEVICE_COOKIE, cookie.value[:-4] + ("AAAA" if not cookie.value.endswith("AAAA") else "BBBB"))
    assert not _password_alone_signs_in(client, people.agent)


def test_an_expired_remembered_browser_asks_for_the_code_again(client, people, remembered):
    RememberedDevice.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    assert not _password_alone_signs_in(client, people.agent)


def test_a_cookie_signed_longer_ago_than_the_setting_is_ignored_whatever_its_row_says(client, people, remembered,
                                                                                     monkeypatch):
    from itsdangerous import TimestampSigner

    RememberedDevice.update(expires_at=utcnow() + timedelta(days=365)).execute()
    signed_at = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at(self) + 31 * 86400)
    assert not _password_alone_signs_in(client, people.agent)


def test_the_account_page_lists_and_forgets_one_browser(client, people, remembered):
    sign_in_again(client, people.agent)
    page = client.get("/account/second-factor").get_data(as_text=True)
    device = RememberedDevice.get()
    assert "Remembered browsers" in page and f"/account/remembered-browsers/{device.uuid}/forget" in page
    post_form(client, f"/account/remembered-browsers/{device.uuid}/forget", {}, page="/account/second-factor")
    assert not RememberedDevice.select().exists()
    _sign_out(client)
    assert not _password_alone_signs_in(client, people.agent)


def test_forgetting_every_browser(client, people, remembered):
    sign_in_again(client, people.agent)
    post_form(client, "/account/remembered-browsers/forget-all", {}, page="/account/second-factor")
    assert not RememberedDevice.select().exists()


def test_someone_elses_browser_cannot_be_forgotten_by_its_uuid(client, people, remembered):
    device = RememberedDevice.get()
    client.delete_cookie(DEVICE_COOKIE)
    sign_in(client, people.supervisor)
    post_form(client, f"/account/remembered-browsers/{device.uuid}/forget", {}, page="/account/second-factor")
    assert RememberedDevice.select().count() == 1


def test_changing_the_password_forgets_every_browser(client, people, remembered):
    sign_in_again(client, people.agent)
    response = post_form(client, "/account/password", {"current_password": factories.PASSWORD,
                                                       "new_password": "another long sentence",
                                                       "confirm": "another long sentence"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not RememberedDevice.select().exists()


def test_an_admin_reset_forgets_every_browser(client, people, remembered):
    from portal.mfa import service

    service.reset_second_factor(people.admin, people.agent.uuid)
    assert not RememberedDevice.select().exists()


def test_the_cookie_of_one_user_does_not_skip_the_factor_for_another(client, people, remembered):
    other = people.supervisor
    sign_in(client, other)
    enrol(client)
    _sign_out(client)
    assert not _password_alone_signs_in(client, other)


def sign_in_again(client, user):
    assert _password_alone_signs_in(client, user)
