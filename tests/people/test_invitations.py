"""Admins invite staff: a mail through a real SMTP server with a single-use link where the invitee
chooses a password, then signs in. Sending it again ends the old link."""

from __future__ import annotations

import pytest

from notifier.models import Message
from portal.models.people import User, UserChange
from tests.fixtures import csrf_token_from, link_in, post_form, sign_in

INVITE = "/admin/users/invite"
NEW_PASSWORD = "a long enough sentence"


def invite(client, email="nina@example.com", role="agent", name="Nina New"):
    return post_form(client, INVITE, {"display_name": name, "email": email, "role": role})


def accept(app, path, password=NEW_PASSWORD):
    browser = app.test_client()
    return browser, post_form(browser, path, {"new_password": password, "confirm": password})


def test_an_invited_agent_sets_a_password_from_the_mail_and_signs_in(app, client, login, people, invitation_link):
    login(people.admin)
    response = invite(client)
    invitee = User.get(User.email == "nina@example.com")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/users/{invitee.uuid}")
    assert (invitee.role, invitee.invitation_pending) == ("agent", True)

    browser, accepted = accept(app, invitation_link("nina@example.com"))

    assert accepted.status_code == 302 and "/login" in accepted.headers["Location"]
    sign_in(browser, invitee, NEW_PASSWORD)
    assert browser.get("/staff/").status_code == 200
    invitee = User.get_by_id(invitee.id)
    assert invitee.invitation_pending is False and invitee.last_login_at is not None
    actions = [c.action for c in UserChange.select().where(UserChange.user == invitee).order_by(UserChange.id)]
    assert actions == ["invited", "invitation_accepted"]


def test_an_invitee_cannot_sign_in_before_accepting(app, client, login, people):
    login(people.admin)
    invite(client)
    stranger = app.test_client()
    response = post_form(stranger, "/login", {"email": "nina@example.com", "password": "!invited"})
    assert response.status_code != 302


def test_the_invitation_link_works_once(app, client, login, people, invitation_link):
    login(people.admin)
    invite(client)
    path = invitation_link("nina@example.com")
    accept(app, path)
    browser = app.test_client()
    again = browser.get(path)
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert "invalid or has expired" in browser.get("/login").get_data(as_text=True)


def test_sending_the_invitation_again_ends_the_old_link(app, client, login, people, invitation_link):
    login(people.admin)
    invite(client)
    invitee = User.get(User.email == "nina@example.com")
    old = invitation_link("nina@example.com")
    page = f"/admin/users/{invitee.uuid}"
    response = post_form(client, f"/admin/users/{invitee.uuid}/invitation", {}, page=page)
    assert response.status_code == 302
    new = invitation_link("nina@example.com")
    assert new != old

    browser = app.test_client()
    assert "/login" in browser.get(old).headers["Location"]
    refused = post_form(browser, old, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page="/login")
    assert "/login" in refused.headers["Location"]
    assert User.get_by_id(invitee.id).invitation_pending
    _, accepted = accept(app, new)
    assert accepted.status_code == 302 and not User.get_by_id(invitee.id).invitation_pending
    assert UserChange.select().where(UserChange.action == "invitation_resent").count() == 1


def test_an_accepted_invitation_is_not_sent_again(client, login, people, invitation_link, app):
    login(people.admin)
    invite(client)
    invitee = User.get(User.email == "nina@example.com")
    accept(app, invitation_link("nina@example.com"))
    before = Message.select().count()
    page = f"/admin/users/{invitee.uuid}"
    post_form(client, f"/admin/users/{invitee.uuid}/invitation", {}, page=page)
    assert "has no pending invitation" in client.get(page).get_data(as_text=True)
    assert Message.select().count() == before


def test_the_password_rules_apply_to_the_invitee(app, client, login, people, invitation_link):
    login(people.admin)
    invite(client)
    _, response = accept(app, invitation_link("nina@example.com"), password="short")
    assert response.status_code == 400 and "at least 10 characters" in response.get_data(as_text=True)
    assert User.get(User.email == "nina@example.com").invitation_pending


def test_an_address_in_use_is_refused_and_nothing_is_sent(client, login, people):
    login(people.admin)
    before = (User.select().count(), Message.select().count(), UserChange.select().count())
    response = invite(client, email=people.agent.email.upper())
    assert response.status_code == 400
    assert "already has an account" in response.get_data(as_text=True)
    assert (User.select().count(), Message.select().count(), UserChange.select().count()) == before


@pytest.mark.parametrize("role", ["customer", "owner", ""])
def test_only_staff_roles_and_proxies_are_invited(client, login, people, role):
    login(people.admin)
    count = User.select().count()
    response = invite(client, role=role)
    assert response.status_code == 400 and "Choose one of" in response.get_data(as_text=True)
    assert User.select().count() == count


@pytest.mark.parametrize("role", ["customer", "proxy", "agent", "supervisor"])
def test_only_admins_invite(client, login, people, role):
    login(people.by_role(role))
    count = User.select().count()
    assert client.get(INVITE).status_code == 404
    token_page = client.get("/account").get_data(as_text=True)
    response = client.post(INVITE, data={"csrf_token": csrf_token_from(token_page), "display_name": "X",
                                         "email": "x@example.com", "role": "agent"})
    assert response.status_code == 404
    assert User.select().count() == count


def test_a_password_reset_ends_the_invitation_link(app, client, login, people, invitation_link, mail):
    login(people.admin)
    invite(client)
    path = invitation_link("nina@example.com")
    post_form(app.test_client(), "/reset-password", {"email": "nina@example.com"})
    reset = link_in(mail("nina@example.com"), "/reset-password/")
    post_form(app.test_client(), reset, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not User.get(User.email == "nina@example.com").invitation_pending
    browser = app.test_client()
    assert "/login" in browser.get(path).headers["Location"]
    refused = post_form(browser, path, {"new_password": "another long sentence", "confirm": "another long sentence"},
                        page="/login")
    assert "/login" in refused.headers["Location"]
    sign_in(app.test_client(), User.get(User.email == "nina@example.com"), NEW_PASSWORD)


def test_the_invitation_page_and_its_refusal_are_in_spanish(app, client, people, invitation_link):
    from portal.people import service
    from portal.people.rules import Invitation

    service.invite_staff(people.admin, Invitation(email="ines@example.com", display_name="Inés", role="agent"))
    path = invitation_link("ines@example.com")
    headers = {"Accept-Language": "es"}
    page = client.get(path, headers=headers).get_data(as_text=True)
    assert "Bienvenido, Inés" in page and "Establecer mi contraseña" in page
    refused = post_form(client, path, {"new_password": "short", "confirm": "short"}, headers=headers)
    assert refused.status_code == 400
    assert "Use al menos 10 caracteres." in refused.get_data(as_text=True)
    wrong = client.get("/invitation/not-a-token", headers=headers)
    assert "Este enlace no es válido o ha caducado. Pida a la persona que le invitó" in client.get(
        wrong.headers["Location"], headers=headers).get_data(as_text=True)
