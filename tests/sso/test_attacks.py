"""Attacks on the flow through the portal's own callback: forged state, answers in another browser,
replayed callbacks, a provider that denies. None of them signs anyone in."""

from __future__ import annotations

from portal.models.people import User, UserSession
from portal.models.sso import SsoIdentity
from tests.sso.provider import authorize_at_provider, callback_path, query_of, start_sign_in

REFUSED = "Signing in with your organisation did not work. Please start again."


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _callback(client, oidc_provider, sub="c-1"):
    oidc_provider.put_user(sub, email=f"{sub}@corp.example", email_verified=True)
    return callback_path(authorize_at_provider(start_sign_in(client).headers["Location"], sub))


def test_a_forged_state_signs_nobody_in(client, sso_app, oidc_provider):
    path = _callback(client, oidc_provider)
    forged = path.replace(f"state={query_of(path)['state']}", "state=forged-state-value")
    response = client.get(forged)
    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert User.select().where(User.email == "c-1@corp.example").count() == 0


def test_an_answer_meant_for_another_browser_is_refused(client, sso_app, oidc_provider):
    """Login CSRF: an attacker's own callback URL opened in the victim's browser."""
    path = _callback(client, oidc_provider)
    victim = sso_app.test_client()
    victim.get("/login")
    response = victim.get(path)
    assert response.status_code == 400
    assert not _signed_in(victim)


def test_an_answer_for_a_sign_in_the_browser_started_later_is_refused(client, sso_app, oidc_provider):
    first = _callback(client, oidc_provider)
    start_sign_in(client)  # a second click: the browser now waits for the second answer only
    assert client.get(first).status_code == 400


def test_a_replayed_callback_is_refused_in_the_same_browser(client, sso_app, oidc_provider):
    path = _callback(client, oidc_provider)
    assert client.get(path).status_code == 302
    assert client.get(path).status_code == 400
    assert UserSession.select().count() == 1


def test_a_replayed_callback_with_a_copy_of_the_cookie_is_refused(client, sso_app, oidc_provider):
    """The state is single use on the server: a copy of the cookie taken before the callback (which
    still holds the state) cannot use the same code and state a second time."""
    path = _callback(client, oidc_provider)
    cookie = client.get_cookie("caseport_session")
    thief = sso_app.test_client()
    thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert client.get(path).status_code == 302
    response = thief.get(path)
    assert response.status_code == 400
    assert REFUSED in response.get_data(as_text=True)
    assert not _signed_in(thief)
    assert UserSession.select().count() == 1


def test_a_stale_answer_is_refused(client, sso_app, oidc_provider):
    from datetime import timedelta

    from portal.clock import utcnow
    from portal.models.sso import SsoLogin

    path = _callback(client, oidc_provider)
    SsoLogin.update(created_at=utcnow() - timedelta(minutes=11)).execute()
    assert client.get(path).status_code == 400


def test_a_code_the_provider_did_not_issue_is_refused(client, sso_app, oidc_provider):
    path = _callback(client, oidc_provider)
    tampered = path.replace(f"code={query_of(path)['code']}", "code=made-up-code")
    response = client.get(tampered)
    assert response.status_code == 400
    assert not _signed_in(client)


def test_a_denied_sign_in_says_the_provider_did_not_sign_you_in(client, sso_app, oidc_provider):
    import requests

    location = start_sign_in(client).headers["Location"]
    # oidc-provider-mock's "Deny" answers without the state; a provider's error answer carries it.
    denied = requests.post(location, data={"action": "deny"}, allow_redirects=False, timeout=10)
    assert query_of(denied.headers["Location"])["error"] == "access_denied"
    response = client.get(f"/sso/corp/callback?error=access_denied&state={query_of(location)['state']}")
    assert response.status_code == 400
    assert "Corp ID did not sign you in." in response.get_data(as_text=True)
    assert SsoIdentity.select().count() == 0
    assert client.get(callback_path(denied.headers["Location"])).status_code == 400


def test_a_provider_that_cannot_be_reached_is_said_so(client, sso_app, oidc_provider):
    oidc_provider.stop()
    from portal.sso.providers import forget_metadata

    forget_metadata()
    page = client.get("/login")
    from tests.fixtures import csrf_token_from

    response = client.post("/sso/corp/start", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 503
    assert "Corp ID cannot be reached just now." in response.get_data(as_text=True)


def test_a_used_state_is_refused_before_the_provider_is_asked(client, sso_app, oidc_provider):
    """Single use on the portal's side, not only the provider's: even with a code the provider would
    still take, a state already used signs nobody in."""
    from portal.clock import utcnow
    from portal.models.sso import SsoLogin

    path = _callback(client, oidc_provider)  # the code in it is fresh
    SsoLogin.update(used_at=utcnow()).execute()
    assert client.get(path).status_code == 400
    assert not _signed_in(client)
