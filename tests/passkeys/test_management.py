"""Renaming and removing passkeys: only one's own, and never the last way in."""

from __future__ import annotations

from portal.models.passkeys import Passkey
from portal.models.people import NO_PASSWORD, User, UserChange
from portal.models.sso import SsoIdentity
from tests.fixtures import post_form
from tests.passkeys.helpers import flashes, register


def _with_passkey(client, login, user, name="Work laptop") -> Passkey:
    if client.get("/account").status_code != 200:
        login(user)
    register(client, name=name)
    return Passkey.get(Passkey.name == name)


def test_the_owner_renames_a_passkey(client, login, people):
    passkey = _with_passkey(client, login, people.customer)
    response = post_form(client, f"/account/passkeys/{passkey.uuid}/rename", {"name": " Old  phone "}, page="/account")
    assert response.status_code == 302
    assert Passkey.get_by_id(passkey.id).name == "Old phone"
    assert ("success", "The passkey is now called “Old phone”.") in flashes(client)


def test_a_passkey_needs_a_name(client, login, people):
    passkey = _with_passkey(client, login, people.customer)
    post_form(client, f"/account/passkeys/{passkey.uuid}/rename", {"name": "   "}, page="/account")
    assert Passkey.get_by_id(passkey.id).name == "Work laptop"
    assert ("error", "Give the passkey a name.") in flashes(client)


def test_someone_elses_passkey_cannot_be_renamed_or_removed(app, client, login, people):
    passkey = _with_passkey(client, login, people.customer)
    intruder = app.test_client()
    from tests.fixtures import sign_in

    sign_in(intruder, people.admin)
    assert post_form(intruder, f"/account/passkeys/{passkey.uuid}/rename", {"name": "Mine"},
                     page="/account").status_code == 404
    assert post_form(intruder, f"/account/passkeys/{passkey.uuid}/remove", {}, page="/account").status_code == 404
    assert post_form(intruder, "/account/passkeys/not-a-uuid/remove", {}, page="/account").status_code == 404
    assert Passkey.get_by_id(passkey.id).name == "Work laptop"


def test_the_owner_removes_a_passkey_when_a_password_remains(client, login, people):
    passkey = _with_passkey(client, login, people.customer)
    response = post_form(client, f"/account/passkeys/{passkey.uuid}/remove", {}, page="/account")
    assert response.status_code == 302
    assert Passkey.select().count() == 0
    assert [c.action for c in UserChange.select().order_by(UserChange.id)] == ["passkey_added", "passkey_removed"]


def test_the_last_passkey_of_a_user_without_password_or_provider_cannot_be_removed(client, login, people):
    first = _with_passkey(client, login, people.customer)
    second = _with_passkey(client, login, people.customer, name="Phone")
    User.update(password_hash=NO_PASSWORD).where(User.id == people.customer.id).execute()
    assert post_form(client, f"/account/passkeys/{first.uuid}/remove", {}, page="/account").status_code == 302
    post_form(client, f"/account/passkeys/{second.uuid}/remove", {}, page="/account")
    assert [p.name for p in Passkey.select()] == ["Phone"]
    assert ("error", "This is your only way to sign in: add another passkey or set a password first.") \
        in flashes(client)


def test_the_last_passkey_may_go_when_an_identity_provider_signs_the_user_in(client, login, people):
    passkey = _with_passkey(client, login, people.customer)
    User.update(password_hash=NO_PASSWORD).where(User.id == people.customer.id).execute()
    SsoIdentity.create(user=people.customer, issuer="https://id.example", subject="1", provider="corp")
    post_form(client, f"/account/passkeys/{passkey.uuid}/remove", {}, page="/account")
    assert Passkey.select().count() == 0


def test_a_service_call_for_another_users_passkey_is_not_found(app, people):
    import pytest

    from portal.errors import NotFound
    from portal.passkeys import service

    passkey = Passkey.create(user=people.customer, credential_id="abc", public_key="x", name="Key")
    with pytest.raises(NotFound):
        service.remove_passkey(people.admin, passkey.uuid)
    with pytest.raises(NotFound):
        service.rename_passkey(people.admin, passkey.uuid, "Mine")
