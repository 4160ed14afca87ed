"""An admin, who must have a second factor, sets up an authenticator app in the browser right after the
password, saves the recovery codes, and signs in again with a code; the "app" is pyotp, fed the secret
the page shows as text. The QR code is an image drawn by the server (no script on the page needs it)."""

import re
from datetime import timedelta

import pyotp
from playwright.sync_api import expect

from portal.clock import utcnow
from tests import factories


def _password(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label(re.compile("^Password")).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_an_admin_sets_up_the_app_and_signs_in_with_a_code(app, page, live_server, people):
    app.config["MFA_REQUIRED_FOR"] = "admin"
    _password(page, live_server, people.admin)
    expect(page.get_by_role("heading", name="Set up a second factor")).to_be_visible()
    qr = page.get_by_role("img", name="QR code to set up the authenticator app")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    app_on_phone = pyotp.TOTP(secret)
    page.get_by_label(re.compile("^Code from your authenticator app")).fill(app_on_phone.now())
    page.get_by_role("button", name="Turn on the second factor").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.get_by_role("link", name="Your account: Ada Admin")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    _password(page, live_server, people.admin)
    expect(page.get_by_role("heading", name="Second step of signing in")).to_be_visible()
    # The next step's code: the one typed at enrolment was used (no code works twice).
    page.get_by_label(re.compile("^Code from your authenticator app")).fill(
        app_on_phone.at(utcnow() + timedelta(seconds=30)))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("link", name="Your account: Ada Admin")).to_be_visible()
