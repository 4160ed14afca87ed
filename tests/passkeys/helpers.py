"""Driving the passkey endpoints through the test client the way static/js/passkeys.js does: the options
with the page's CSRF token in the X-CSRFToken header, then the page's form with the authenticator's answer."""

from __future__ import annotations

from tests.fixtures import csrf_token_from
from tests.passkeys.authenticator import SoftAuthenticator


def page_token(client, page: str) -> str:
    return csrf_token_from(client.get(page).get_data(as_text=True))


def registration_options(client, name: str = "Work laptop"):
    token = page_token(client, "/account")
    return client.post("/account/passkeys/options", data={"csrf_token": token, "name": name},
                       headers={"X-CSRFToken": token})


def add_passkey(client, credential: str, name: str = "Work laptop"):
    token = page_token(client, "/account")
    return client.post("/account/passkeys", data={"csrf_token": token, "name": name, "credential": credential})


def register(client, authenticator: SoftAuthenticator | None = None, name: str = "Work laptop", **lies):
    """Register a passkey for the signed-in client; returns (authenticator, response of the form)."""
    authenticator = authenticator or SoftAuthenticator()
    options = registration_options(client, name)
    assert options.status_code == 200, options.get_data(as_text=True)
    return authenticator, add_passkey(client, authenticator.register(options.get_json(), **lies), name)


def sign_in_options(client) -> dict:
    token = page_token(client, "/login")
    response = client.post("/login/passkey/options", data={"csrf_token": token}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def post_assertion(client, credential: str, next_url: str | None = None):
    token = page_token(client, "/login")
    url = "/login/passkey" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": token, "credential": credential})


def sign_in_with(client, authenticator: SoftAuthenticator, **lies):
    return post_assertion(client, authenticator.sign(sign_in_options(client), **lies))


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return [(category, str(message)) for category, message in session.get("_flashes", [])]


def signed_in_as(client) -> str | None:
    """The display name the account page greets, or None when the client is signed out."""
    response = client.get("/account")
    return None if response.status_code != 200 else response.get_data(as_text=True)
