"""Passkeys in Chromium with a virtual authenticator (CDP WebAuthn domain): add one on the account page,
sign out, sign in with it and no password. WebAuthn needs a secure context and refuses IP addresses, so
the browser goes to http://localhost:PORT (the relying party id is then "localhost")."""

from __future__ import annotations

import base64
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from portal.models.passkeys import Passkey
from tests import factories
from tests.e2e.test_accessibility import violations


@pytest.fixture
def authenticator(page):
    """A platform authenticator with discoverable credentials that verifies its user at once."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True,
    }})
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})
    cdp.send("WebAuthn.disable")


def test_a_customer_adds_a_passkey_and_signs_in_with_it(page, live_server, people, authenticator):
    cdp, authenticator_id = authenticator
    base = live_server.replace("127.0.0.1", "localhost")
    page.goto(f"{base}/login")
    page.locator("#email").fill(people.customer.email)
    page.locator("#password").fill(factories.PASSWORD)
    page.locator("main form:has(#password) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{base}/account")
    page.get_by_label("Name of the passkey").fill("Virtual laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("The passkey “Virtual laptop” is added. You can sign in with it.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove “Virtual laptop”")).to_be_visible()
    assert violations(page) == []
    passkey = Passkey.get()
    assert (passkey.user_id, passkey.transports) == (people.customer.id, ["internal"])
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert [c["isResidentCredential"] for c in credentials] == [True]

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    button = page.get_by_role("button", name="Sign in with a passkey")
    expect(button).to_be_visible()
    assert violations(page) == []
    button.click()
    expect(page.get_by_role("link", name="Your account: Cora Customer")).to_be_visible()
    assert Passkey.get().last_used_at is not None


def test_a_passkey_the_portal_does_not_know_is_refused_and_the_password_form_remains(page, live_server, people,
                                                                                      authenticator):
    cdp, authenticator_id = authenticator
    key = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator_id, "credential": {
        "credentialId": base64.b64encode(b"a stranger's passkey").decode(), "isResidentCredential": True,
        "rpId": "localhost", "privateKey": base64.b64encode(pkcs8).decode(),
        "userHandle": base64.b64encode(uuid.UUID(people.customer.uuid).bytes).decode(), "signCount": 0,
    }})
    base = live_server.replace("127.0.0.1", "localhost")
    page.goto(f"{base}/login")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.get_by_text("The passkey could not be checked. Please try again.")).to_be_visible()
    expect(page.locator("#password")).to_be_visible()
    page.goto(f"{base}/account")
    expect(page).to_have_url(f"{base}/login?next=%2Faccount")


def test_after_the_password_a_passkey_is_the_second_step(page, live_server, people, authenticator):
    base = live_server.replace("127.0.0.1", "localhost")

    def password_step():
        page.goto(f"{base}/login")
        page.locator("#email").fill(people.agent.email)
        page.locator("#password").fill(factories.PASSWORD)
        page.locator("main form:has(#password) button[type=submit]").click()

    password_step()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/account")
    page.get_by_label("Name of the passkey").fill("Desk key")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("The passkey “Desk key” is added. You can sign in with it.")).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()

    password_step()
    page.wait_for_url(f"{base}/sign-in/second-factor")
    expect(page.get_by_role("heading", name="Passkey")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("button", name="Use your passkey").click()
    expect(page.get_by_role("link", name="Your account: Aga Agent")).to_be_visible()
