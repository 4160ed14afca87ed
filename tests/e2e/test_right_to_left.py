"""The layout holds in a right-to-left language: an extra language tag without a catalogue (Arabic,
EXTRA_LANGUAGES) turns the pages around; at 320 px nothing scrolls sideways, and the header starts at
the right edge."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories

WIDTH = 320


@pytest.fixture
def arabic(app, page):
    app.config["EXTRA_LANGUAGES"] = ("ar",)
    page.set_extra_http_headers({"Accept-Language": "ar"})
    page.set_viewport_size({"width": WIDTH, "height": 640})
    return page


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def assert_laid_out_right_to_left(page, path: str) -> None:
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl", path
    assert overflow(page) <= 0, f"{path} scrolls sideways by {overflow(page)}px at {WIDTH} px, right to left"
    brand = box(page, ".brand")
    # The brand starts the header: at the right edge (inside the page's padding), not the left.
    assert brand["x"] + brand["width"] >= WIDTH - 32, f"{path}: the brand ends at {brand['x'] + brand['width']}px"
    assert brand["x"] > WIDTH / 3, f"{path}: the brand starts at {brand['x']}px, on the left"


def test_the_login_page_holds_right_to_left_at_320_px(arabic, live_server):
    arabic.goto(f"{live_server}/login")
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    expect(arabic.locator("html")).to_have_attribute("lang", "ar")
    assert_laid_out_right_to_left(arabic, "/login")
    # The skip link appears at the start of the line, which is the right in Arabic.
    arabic.keyboard.press("Tab")
    skip = arabic.locator(".skip-link")
    expect(skip).to_be_focused()
    shown = skip.bounding_box()
    assert shown["x"] + shown["width"] >= WIDTH - 16, f"the skip link ends at {shown['x'] + shown['width']}px"


def test_signed_in_pages_hold_right_to_left_at_320_px(arabic, live_server, login_as):
    user = factories.user(role="customer", email="rana@example.com", display_name="Rana", language="ar")
    login_as(user)
    for path in ("/account", "/account/password", "/"):
        arabic.goto(f"{live_server}{path}")
        assert_laid_out_right_to_left(arabic, path)
        # The session block (the user's name, sign out) comes after the brand: to its left, or below it.
        session, brand = box(arabic, ".session"), box(arabic, ".brand")
        assert session["y"] >= brand["y"] + brand["height"] - 1 or session["x"] + session["width"] <= brand["x"] + 1
