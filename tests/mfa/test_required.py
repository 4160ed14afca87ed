"""Who must have a second factor (MFA_REQUIRED_FOR): after the password they are sent to set one up and
get nothing else until they have; and what admins do about others' second factors and SSO identities."""

from __future__ import annotations

import pytest

from portal.config import ConfigError, load_config
from portal.models.mfa import RecoveryCode, TotpFactor
from portal.models.people import NO_PASSWORD, UserChange
from portal.models.sso import SsoIdentity
from tests import factories
from tests.fixtures import csrf_token_from, post_form, sign_in
from tests.mfa.helpers import RECOVERY_RE, code, enrol, next_step_code, password_step, secret_on, verify


@pytest.fixture
def admins_required(app):
    app.config["MFA_REQUIRED_FOR"] = "admin"


def test_an_admin_without_a_factor_must_set_one_up_after_the_password(client, people, admins_required):
    response = password_step(client, people.admin, factories.PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/sign-in/set-up-second-factor")
    assert client.get("/admin/users").status_code in (302, 404)  # not signed in: nothing else
    assert client.get("/account").status_code == 302
    page = client.get("/sign-in/set-up-second-factor").get_data(as_text=True)
    assert "Your role needs a second factor" in page
    response = client.post("/sign-in/set-up-second-factor",
                           data={"csrf_token": csrf_token_from(page), "code": code(secret_on(page))})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert len(RECOVERY_RE.findall(body)) == 10 and "I have saved them: continue" in body
    assert client.get("/admin/users").status_code == 200


def test_the_enrolment_page_refuses_a_wrong_code_and_keeps_the_sign_in_pending(client, people, admins_required):
    password_step(client, people.admin, factories.PASSWORD)
    response = post_form(client, "/sign-in/set-up-second-factor", {"code": "000001"})
    assert response.status_code == 400 and "That code is not right" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert not TotpFactor.select().exists()


def test_the_enrolment_page_is_not_the_verify_page(client, people, admins_required):
    """A pending verification is no licence to enrol a new app (that would skip the existing factor)."""
    sign_in_with_factor = people.admin
    password_step(client, sign_in_with_factor, factories.PASSWORD)
    post_form(client, "/sign-in/set-up-second-factor", {"code": "000001"})
    assert client.get("/sign-in/second-factor").status_code == 302


def test_an_agent_signs_in_with_the_password_alone_unless_staff_must_have_a_factor(client, app, people,
                                                                                  admins_required):
    response = password_step(client, people.agent, factories.PASSWORD)
    assert response.status_code == 302 and "second-factor" not in response.location
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})
    app.config["MFA_REQUIRED_FOR"] = "staff"
    response = password_step(client, people.agent, factories.PASSWORD)
    assert response.location.endswith("/sign-in/set-up-second-factor")


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_customers_and_proxies_never_must(client, app, people, role):
    app.config["MFA_REQUIRED_FOR"] = "staff"
    response = password_step(client, people.by_role(role), factories.PASSWORD)
    assert "second-factor" not in response.location


def test_an_admin_with_a_factor_is_asked_for_a_code(client, app, people):
    sign_in(client, people.admin)  # MFA_REQUIRED_FOR=nobody (tests' default): set one up freely
    secret, _codes = enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})
    app.config["MFA_REQUIRED_FOR"] = "admin"
    assert password_step(client, people.admin, factories.PASSWORD).location.endswith("/sign-in/second-factor")
    assert verify(client, next_step_code(secret)).status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_production_refuses_a_portal_where_nobody_needs_a_factor(tmp_path):
    with pytest.raises(ConfigError, match="MFA_REQUIRED_FOR=nobody"):
        load_config({"CASEPORT_ENV": "production", "SECRET_KEY": "k" * 40, "MFA_REQUIRED_FOR": "nobody"}, tmp_path)
    with pytest.raises(ConfigError, match="must be one of"):
        load_config({"MFA_REQUIRED_FOR": "everyone"}, tmp_path)
    assert load_config({}, tmp_path)["MFA_REQUIRED_FOR"] == "admin"


# --- admins and other people's second factors -------------------------------------------------------


@pytest.fixture
def agent_enrolled(client, people):
    sign_in(client, people.agent)
    enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})


def test_an_admin_resets_someones_second_factor_and_it_is_audited(client, people, agent_enrolled):
    sign_in(client, people.admin)
    page = client.get(f"/admin/users/{people.agent.uuid}").get_data(as_text=True)
    assert "On: an authenticator app." in page and "Reset the second factor" in page
    response = post_form(client, f"/admin/users/{people.agent.uuid}/second-factor/reset", {},
                         page=f"/admin/users/{people.agent.uuid}", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "second factor is reset" in body and "Second factor reset" in body
    assert not TotpFactor.select().exists() and not RecoveryCode.select().exists()
    change = UserChange.get(UserChange.action == "second_factor_reset")
    assert change.actor_id == people.admin.id and change.user_id == people.agent.id


@pytest.mark.parametrize("role", ["proxy", "supervisor"])
def test_only_admins_may_reset_a_second_factor(client, people, agent_enrolled, role):
    sign_in(client, people.by_role(role))
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    response = client.post(f"/admin/users/{people.agent.uuid}/second-factor/reset", data={"csrf_token": token})
    assert response.status_code == 404
    assert TotpFactor.select().exists()


def test_the_user_page_shows_linked_sso_identities_and_unlinks_one(client, people):
    SsoIdentity.create(user=people.agent, issuer="https://idp.example.com", subject="agent-1", provider="corp")
    sign_in(client, people.admin)
    page = client.get(f"/admin/users/{people.agent.uuid}").get_data(as_text=True)
    assert "https://idp.example.com" in page and "agent-1" in page
    response = post_form(client, f"/admin/users/{people.agent.uuid}/sso-identities/unlink",
                         {"issuer": "https://idp.example.com", "subject": "agent-1"},
                         page=f"/admin/users/{people.agent.uuid}", follow_redirects=True)
    assert "identity is unlinked" in response.get_data(as_text=True)
    assert not SsoIdentity.select().exists()
    assert UserChange.get(UserChange.action == "sso_identity_unlinked").old_value["subject"] == "agent-1"


def test_unlinking_the_last_way_to_sign_in_is_refused(client, people):
    people.agent.password_hash = NO_PASSWORD
    people.agent.save()
    SsoIdentity.create(user=people.agent, issuer="https://idp.example.com", subject="agent-1", provider="corp")
    sign_in(client, people.admin)
    response = post_form(client, f"/admin/users/{people.agent.uuid}/sso-identities/unlink",
                         {"issuer": "https://idp.example.com", "subject": "agent-1"},
                         page=f"/admin/users/{people.agent.uuid}", follow_redirects=True)
    assert "no way to sign in" in response.get_data(as_text=True)
    assert SsoIdentity.select().count() == 1
    assert not UserChange.select().where(UserChange.action == "sso_identity_unlinked").exists()


def test_unlinking_someone_elses_identity_through_another_users_page_finds_nothing(client, people):
    SsoIdentity.create(user=people.agent, issuer="https://idp.example.com", subject="agent-1", provider="corp")
    sign_in(client, people.admin)
    response = post_form(client, f"/admin/users/{people.supervisor.uuid}/sso-identities/unlink",
                         {"issuer": "https://idp.example.com", "subject": "agent-1"},
                         page=f"/admin/users/{people.supervisor.uuid}")
    assert response.status_code == 404
    assert SsoIdentity.select().count() == 1


def test_a_signed_in_admin_without_a_factor_gets_nothing_but_the_set_up_page(client, app, people):
    sign_in(client, people.admin)  # MFA_REQUIRED_FOR=nobody while signing in
    app.config["MFA_REQUIRED_FOR"] = "admin"  # then required, e.g. promoted or their factor reset
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.location.endswith("/account/second-factor")
    page = client.get("/account/second-factor", follow_redirects=True).get_data(as_text=True)
    assert "set one up to continue" in page
    enrol(client)
    assert client.get("/admin/users").status_code == 200


def test_a_signed_in_agent_is_not_held_when_only_admins_must(client, app, people):
    sign_in(client, people.agent)
    app.config["MFA_REQUIRED_FOR"] = "admin"
    assert client.get("/account").status_code == 200
