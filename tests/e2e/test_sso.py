"""Single sign-on in Chromium: the button on the sign-in page, the provider's own page (a real
oidc-provider-mock on 127.0.0.1), back signed in as a new customer; then signing out here and, as
offered, at the provider too. The pages on the way pass axe."""

from __future__ import annotations

import authlib.deprecate  # noqa: F401 - its "always" warning filter installed at collection (tests/sso/conftest.py)
from playwright.sync_api import expect

from portal.models.people import User
from tests.e2e.test_accessibility import violations
from tests.sso.provider import oidc_provider, provider_settings  # noqa: F401 - the provider fixture


def test_a_customer_signs_in_with_the_provider_and_out_of_both(page, app, live_server, oidc_provider):  # noqa: F811
    app.config.update({"OIDC_PROVIDERS": "corp", **provider_settings(oidc_provider)})
    oidc_provider.put_user("browser-1", email="wanda@corp.example", email_verified=True, name="Wanda Web")

    page.goto(f"{live_server}/login")
    button = page.get_by_role("button", name="Sign in with Corp ID")
    expect(button).to_be_visible()
    assert violations(page) == []
    button.click()

    page.wait_for_url(f"{oidc_provider.issuer}/oauth2/authorize?**")
    assert "code_challenge_method=S256" in page.url
    page.locator("input[name=sub]").fill("browser-1")
    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_role("link", name="Your account: Wanda Web")).to_be_visible()
    assert page.url.startswith(live_server)
    user = User.get(User.email == "wanda@corp.example")
    assert (user.role, user.has_password) == ("customer", False)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Signed out")).to_be_visible()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("link", name="Sign out of Corp ID too").click()

    page.wait_for_url(f"{oidc_provider.issuer}/oauth2/end_session?**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{live_server}/login**")
    expect(page.get_by_role("button", name="Sign in with Corp ID")).to_be_visible()
    page.goto(f"{live_server}/account")
    expect(page).to_have_url(f"{live_server}/login?next=%2Faccount")
