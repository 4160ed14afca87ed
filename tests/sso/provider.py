"""A real OpenID provider (oidc-provider-mock) on 127.0.0.1 for the single sign-on tests, and the steps
of the authorization code flow a browser would take, done with the Flask test client and requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from portal.sso.providers import forget_metadata
from tests.fixtures import csrf_token_from


@dataclass
class MockProvider:
    """oidc-provider-mock served in a thread; the person signing in is whatever `sub` is posted."""

    issuer: str
    server: object
    thread: threading.Thread

    def put_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        """(client id, secret) of a newly registered client (OAuth 2.0 Dynamic Client Registration)."""
        response = requests.post(f"{self.issuer}/oauth2/clients", json={"redirect_uris": [redirect_uri]}, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()["client_id"], response.json()["client_secret"]

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def start_provider(token_max_age: timedelta = timedelta(hours=1), *, registration: bool = False) -> MockProvider:
    """registration=True: only registered clients, with their secret and redirect URIs, are served."""
    # Imported here, inside a test: its import warns of authlib APIs it still uses (filtered in pyproject).
    import oidc_provider_mock

    app = oidc_provider_mock.app(require_nonce=True, access_token_max_age=token_max_age,
                                 require_client_registration=registration)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    forget_metadata()
    return MockProvider(issuer=f"http://127.0.0.1:{server.server_port}", server=server, thread=thread)


@pytest.fixture
def oidc_provider():
    """A real OpenID provider on 127.0.0.1 for this test; stopped when it ends."""
    provider = start_provider()
    yield provider
    provider.stop()
    forget_metadata()


def provider_settings(provider: MockProvider, key: str = "corp", **extra: str) -> dict:
    """The OIDC_* settings of one provider (more keys by keyword: ROLES="agent,admin" ...)."""
    prefix = f"OIDC_{key.upper()}_"
    settings = {f"{prefix}ISSUER": provider.issuer, f"{prefix}CLIENT_ID": "caseport",
                f"{prefix}CLIENT_SECRET": "caseport-secret", f"{prefix}NAME": "Corp ID",
                f"{prefix}EMAIL_DOMAINS": "corp.example"}
    settings.update({prefix + name: value for name, value in extra.items()})
    return settings


def start_sign_in(client, key: str = "corp", next_url: str | None = None):
    """Press "Sign in with ..." on the sign-in page: the response redirecting to the provider."""
    page = client.get("/login" + (f"?next={next_url}" if next_url else ""))
    assert page.status_code == 200
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True))}
    if next_url:
        data["next"] = next_url
    response = client.post(f"/sso/{key}/start", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def authorize_at_provider(authorize_url: str, sub: str) -> str:
    """Sign in at the provider as `sub` (its form): the callback URL it redirects the browser to."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def callback_path(callback_url: str) -> str:
    parts = urlsplit(callback_url)
    return f"{parts.path}?{parts.query}"


def sign_in_with_provider(client, sub: str, key: str = "corp"):
    """The whole flow: button, provider's form, callback. Returns the callback's response."""
    authorize_url = start_sign_in(client, key).headers["Location"]
    return client.get(callback_path(authorize_at_provider(authorize_url, sub)))


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def fetch_id_token(provider: MockProvider, sub: str, *, client_id: str = "caseport", nonce: str = "n-1") -> dict:
    """A token response from the provider for `sub`, got without the portal: for feeding ID tokens
    (genuine, for another client, from another provider) to the check directly."""
    redirect_uri = "http://portal.test/sso/corp/callback"
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
              "scope": "openid email profile", "state": "s-1", "nonce": nonce}
    response = requests.post(f"{provider.issuer}/oauth2/authorize", params=params, data={"sub": sub},
                             allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    code = query_of(response.headers["Location"])["code"]
    token = requests.post(f"{provider.issuer}/oauth2/token", auth=(client_id, "any-secret"), timeout=10,
                          data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
    assert token.status_code == 200, token.text
    return token.json()
