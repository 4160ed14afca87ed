"""A customer signs in with the browser, by keyboard, at phone width too."""

import re

from playwright.sync_api import expect

from tests import factories


def test_customer_signs_in_and_out_in_the_browser(page, live_server, people):
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login")
    page.get_by_label("Email address").fill("cora@example.com")
    page.get_by_label(re.compile("^Password")).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("link", name="Your account: Cora Customer")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_a_wrong_password_shows_an_error_summary(page, live_server, people):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill("cora@example.com")
    page.get_by_label(re.compile("^Password")).fill("not my password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("The email address or password is incorrect.")


def test_the_skip_link_comes_first_and_the_form_works_by_keyboard(page, live_server, people):
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Email address").focus()
    page.keyboard.type("cora@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Your account: Cora Customer")).to_be_visible()


def test_pages_fit_a_phone_screen(page, live_server, people, login_as):
    page.set_viewport_size({"width": 360, "height": 740})
    login_as(people.customer)
    for path in ("/", "/account", "/account/password"):
        page.goto(f"{live_server}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at phone width"
