"""What a sign-in through an identity provider does about the local second factor: by default nothing
(the provider enforces its own); with MFA_AFTER_SSO the same second step as after a password. A real
OpenID provider on 127.0.0.1 (tests/sso/provider.py)."""

from __future__ import annotations

import pytest

from tests.fixtures import csrf_token_from, sign_in
from tests.mfa.helpers import enrol, next_step_code, verify
from tests.sso.conftest import sso_app  # noqa: F401 - the app with provider "corp"
from tests.sso.provider import oidc_provider, sign_in_with_provider  # noqa: F401 - the provider fixture


@pytest.fixture
def agent_with_app(client, people, oidc_provider):  # noqa: F811
    """The agent (aga@corp.example at the provider) with an authenticator app; signed out again."""
    people.agent.email = "aga@corp.example"
    people.agent.save()
    oidc_provider.put_user("agent-7", email="aga@corp.example", email_verified=True)
    sign_in(client, people.agent)
    secret, _codes = enrol(client)
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})
    return secret


def test_a_provider_sign_in_does_not_ask_for_the_local_factor_by_default(client, sso_app, agent_with_app):  # noqa: F811
    response = sign_in_with_provider(client, "agent-7")
    assert response.status_code == 302 and "second-factor" not in response.location
    assert client.get("/account").status_code == 200


def test_a_provider_sign_in_of_an_admin_without_a_factor_is_not_held_by_default(client, app, sso_app, people,  # noqa: F811
                                                                                oidc_provider):  # noqa: F811
    app.config["MFA_REQUIRED_FOR"] = "admin"
    people.admin.email = "ada@corp.example"
    people.admin.save()
    oidc_provider.put_user("admin-1", email="ada@corp.example", email_verified=True)
    assert sign_in_with_provider(client, "admin-1").status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_with_mfa_after_sso_a_provider_sign_in_asks_for_the_code(client, app, sso_app, agent_with_app):  # noqa: F811
    app.config["MFA_AFTER_SSO"] = True
    response = sign_in_with_provider(client, "agent-7")
    assert response.status_code == 302 and response.location.endswith("/sign-in/second-factor")
    assert client.get("/account").status_code == 302
    assert verify(client, next_step_code(agent_with_app)).status_code == 302
    assert client.get("/account").status_code == 200
    with client.session_transaction() as session:
        assert session.get("sso_login")  # kept through the second step, for the provider's sign-out
