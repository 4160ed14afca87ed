"""Signing out ends the local session; after a sign-in with a provider that publishes an
end_session_endpoint, the portal offers RP-initiated logout there too."""

from __future__ import annotations

import requests

from portal.models.people import User, UserSession
from tests.fixtures import csrf_token_from, sign_in
from tests.sso.provider import query_of, sign_in_with_provider


def _sign_out(client):
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    return client.post("/logout", data={"csrf_token": token})


def test_signing_out_ends_the_session_and_offers_to_sign_out_at_the_provider(client, sso_app, oidc_provider):
    oidc_provider.put_user("s-1", email="wim@corp.example", email_verified=True)
    sign_in_with_provider(client, "s-1")
    response = _sign_out(client)
    assert response.status_code == 302 and response.headers["Location"] == "/sso/signed-out"
    assert client.get("/account").status_code == 302  # the local session is over
    assert UserSession.select().where(UserSession.revoked_at.is_null()).count() == 0

    page = client.get("/sso/signed-out")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Sign out of Corp ID too" in html
    url = html.split('class="button primary" href="')[1].split('"')[0].replace("&amp;", "&")
    assert url.startswith(f"{oidc_provider.issuer}/oauth2/end_session?")
    query = query_of(url)
    assert query["post_logout_redirect_uri"] == "http://portal.test/login"
    assert query["client_id"] == "caseport"
    assert query["id_token_hint"].count(".") == 2  # the ID token this sign-in got
    assert requests.get(url, timeout=10).status_code == 200  # the provider takes it (its confirm form)

    assert client.get("/sso/signed-out").status_code == 302  # offered once


def test_after_a_password_sign_in_signing_out_goes_straight_to_the_sign_in_page(client, sso_app, people):
    sign_in(client, people.customer)
    response = _sign_out(client)
    assert response.headers["Location"] == "/login"


def test_no_offer_when_the_provider_publishes_no_end_session_endpoint(client, sso_app, oidc_provider, monkeypatch):
    from portal.sso import providers

    oidc_provider.put_user("s-2", email="xia@corp.example", email_verified=True)
    sign_in_with_provider(client, "s-2")
    document = dict(providers.metadata(providers.parse_providers(sso_app.config)[0]))
    document.pop("end_session_endpoint")
    monkeypatch.setattr("portal.sso.service.metadata", lambda provider: document)
    assert _sign_out(client).headers["Location"] == "/login"
    assert User.get(User.email == "xia@corp.example").last_login_at is not None
