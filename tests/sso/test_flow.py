"""The whole sign-in with a real provider: button, the provider's form, callback, a session."""

from __future__ import annotations

from portal.models.people import User
from portal.models.sso import SsoIdentity
from tests.sso.provider import (
    authorize_at_provider,
    callback_path,
    query_of,
    sign_in_with_provider,
    start_sign_in,
)


def test_the_sign_in_page_offers_each_provider_as_a_button(client, sso_app):
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in with Corp ID" in html
    assert 'action="/sso/corp/start"' in html


def test_the_authorization_request_uses_pkce_s256_state_and_nonce(client, sso_app, oidc_provider):
    location = start_sign_in(client).headers["Location"]
    assert location.startswith(f"{oidc_provider.issuer}/oauth2/authorize?")
    query = query_of(location)
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256 digest, not the verifier itself
    assert query["state"] and query["nonce"] and query["state"] != query["nonce"]
    assert query["client_id"] == "caseport"
    assert query["redirect_uri"] == "http://portal.test/sso/corp/callback"
    assert set(query["scope"].split()) == {"openid", "email", "profile"}


def test_starting_a_sign_in_needs_the_csrf_token(client, sso_app):
    assert client.post("/sso/corp/start", data={}).status_code == 400


def test_an_unknown_provider_is_not_found(client, sso_app):
    assert client.get("/sso/nope/callback?state=x&code=y").status_code == 404


def test_a_new_customer_signs_up_by_signing_in(client, sso_app, oidc_provider):
    oidc_provider.put_user("c-1", email="Carla@Corp.example", email_verified=True, name="Carla Corp")
    response = sign_in_with_provider(client, "c-1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = User.get(User.email == "carla@corp.example")
    assert (user.role, user.display_name, user.has_password) == ("customer", "Carla Corp", False)
    assert user.email_verified_at is not None and user.last_login_at is not None
    assert user.customer_profiles.get().email == "carla@corp.example"
    identity = SsoIdentity.get(SsoIdentity.user == user)
    assert (identity.issuer, identity.subject, identity.provider) == (oidc_provider.issuer, "c-1", "corp")
    assert client.get("/").status_code in (200, 302)
    assert client.get("/account").status_code == 200  # signed in: the profile page answers


def test_the_next_sign_in_finds_the_identity_by_subject_even_with_a_new_address(client, sso_app, oidc_provider):
    oidc_provider.put_user("c-2", email="dora@corp.example", email_verified=True)
    sign_in_with_provider(client, "c-2")
    client.post("/logout", data={})  # CSRF refuses it; sign out by a fresh client instead
    other = sso_app.test_client()
    oidc_provider.put_user("c-2", email="dora.new@corp.example", email_verified=True)
    response = sign_in_with_provider(other, "c-2")
    assert response.status_code == 302
    assert User.select().where(User.email.startswith("dora")).count() == 1
    assert other.get("/account").status_code == 200


def test_an_existing_user_is_linked_by_a_verified_allowed_address(client, sso_app, oidc_provider, people):
    agent = people.agent
    agent.email = "aga@corp.example"
    agent.save()
    oidc_provider.put_user("agent-7", email="aga@corp.example", email_verified=True)
    response = sign_in_with_provider(client, "agent-7")
    assert response.status_code == 302
    assert SsoIdentity.get(SsoIdentity.subject == "agent-7").user_id == agent.id
    assert User.get_by_id(agent.id).role == "agent"  # the provider never changes a role
    assert User.get_by_id(agent.id).has_password  # a linked user keeps their password


def test_a_session_from_sso_is_a_server_side_session_like_a_password_sign_in(client, sso_app, oidc_provider):
    from portal.models.people import UserSession

    oidc_provider.put_user("c-3", email="emil@corp.example", email_verified=True)
    sign_in_with_provider(client, "c-3")
    user = User.get(User.email == "emil@corp.example")
    assert UserSession.select().where(UserSession.user == user, UserSession.revoked_at.is_null()).count() == 1


def test_next_url_survives_the_round_trip_but_only_on_this_site(client, sso_app, oidc_provider):
    oidc_provider.put_user("c-4", email="fay@corp.example", email_verified=True)
    location = start_sign_in(client, next_url="/account").headers["Location"]
    response = client.get(callback_path(authorize_at_provider(location, "c-4")))
    assert response.headers["Location"] == "/account"
    other = sso_app.test_client()
    location = start_sign_in(other, next_url="//evil.example/x").headers["Location"]
    response = other.get(callback_path(authorize_at_provider(location, "c-4")))
    assert response.headers["Location"] == "/"


def test_the_sign_in_page_lets_its_forms_lead_to_the_provider_and_no_other_page_does(client, sso_app, oidc_provider):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {oidc_provider.issuer}" in policy
    assert "127.0.0.1" not in client.get("/signup").headers["Content-Security-Policy"]


def test_a_provider_signing_in_on_another_origin_is_reached_by_a_link(client, sso_app, oidc_provider, monkeypatch):
    from portal.sso import providers, service

    document = dict(providers.metadata(service.provider("corp")))
    document["authorization_endpoint"] = "https://login.corp.example/authorize"
    monkeypatch.setattr("portal.sso.service.metadata", lambda provider: document)
    page = client.get("/login")
    from tests.fixtures import csrf_token_from

    response = client.post("/sso/corp/start", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Continue to Corp ID" in html and 'href="https://login.corp.example/authorize?' in html


def test_the_client_authenticates_with_its_secret_at_a_provider_that_checks_it(client, app):
    from tests.sso.provider import provider_settings, start_provider

    provider = start_provider(registration=True)
    try:
        client_id, secret = provider.register_client("http://portal.test/sso/corp/callback")
        provider.put_user("r-1", email="rosa@corp.example", email_verified=True)
        app.config.update({"OIDC_PROVIDERS": "corp", **provider_settings(provider, CLIENT_ID=client_id,
                                                                        CLIENT_SECRET="not-the-secret")})
        assert sign_in_with_provider(client, "r-1").status_code == 400
        app.config["OIDC_CORP_CLIENT_SECRET"] = secret
        assert sign_in_with_provider(app.test_client(), "r-1").status_code == 302
    finally:
        provider.stop()
