"""An admin invites an agent in the browser; the invitation goes through a real SMTP server; the
agent chooses a password from the link and signs in. The invite form works by keyboard."""

import re

from playwright.sync_api import expect

from tests.fixtures import link_in
from tests.servers import smtp_server  # noqa: F401 - the invitation goes through a real SMTP server

PASSWORD = "a long enough sentence"


def test_invite_set_a_password_and_sign_in(app, page, live_server, people, login_as, deliver, smtp_server):  # noqa: F811
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      SMTP_USERNAME="")
    login_as(people.admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Invite staff").click()
    page.get_by_label("Name").focus()
    page.keyboard.type("Nina New")
    page.keyboard.press("Tab")
    page.keyboard.type("nina@example.com")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Role")).to_be_focused()
    page.get_by_label("Role").select_option("supervisor")
    page.get_by_label("Role").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send the invitation")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Nina New"))).to_be_visible()
    expect(page.get_by_text("Invitation pending").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    deliver()
    (mail,) = [m for m in smtp_server.messages if "nina@example.com" in m["To"]]
    page.goto(live_server + link_in(mail.get_body(("plain",)).get_content(), "/invitation/"))
    expect(page.get_by_role("heading", name="Welcome, Nina New")).to_be_visible()
    page.get_by_label(re.compile("^New password")).fill(PASSWORD)
    page.get_by_label("Repeat the new password").fill(PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("Your password is set")).to_be_visible()

    page.get_by_label("Email address").fill("nina@example.com")
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("link", name="Your account: Nina New")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace")).to_be_visible()
