"""Keyboard only: a customer files a case, comments and accepts a resolution without touching the
mouse, and focus goes where a keyboard user needs it (the new case's heading area, the error summary)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories
from tests.case_config import factories as config_factories

MAX_TABS = 80


def tab_to(page, target) -> None:
    """Press Tab until target has the focus (as a keyboard user would), failing when it never does:
    that would mean it cannot be reached from the keyboard."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} is not reachable with Tab within {MAX_TABS} presses")


def label(text: str):
    return re.compile(rf"^{re.escape(text)}")


def test_a_customer_files_comments_and_accepts_with_the_keyboard_only(page, live_server, people, login_as):
    from portal.cases.service import lifecycle
    from portal.models.cases import Case

    config_factories.template(people.admin, name="Broken device", description="Something stopped working.")
    login_as(people.customer)

    # filing: the menu entry, the template, the two fields, the button
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Open a case"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Broken device"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label(label("Title")))
    page.keyboard.type("Tablet shows an error")
    tab_to(page, page.get_by_label(label("Summary")))
    page.keyboard.type("Error 42 at start.")
    tab_to(page, page.get_by_role("button", name="Open the case"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tablet shows an error")

    # commenting
    tab_to(page, page.get_by_label(label("Your comment")))
    page.keyboard.type("It also happens after a restart.")
    tab_to(page, page.get_by_role("button", name="Add comment"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("It also happens after a restart.")).to_be_visible()

    # accepting the resolution an agent proposed
    case = Case.get(Case.title == "Tablet shows an error")
    lifecycle.propose_resolution(people.admin, case, "Reinstalled the firmware.")
    page.reload()
    tab_to(page, page.get_by_role("button", name="Accept the resolution"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="This case is closed")).to_be_visible()


def test_a_refused_comment_puts_the_focus_on_its_error_and_keeps_the_text(page, live_server, people, login_as):
    case = factories.case(people.customer, title="Printer jams")
    login_as(people.customer)
    page.goto(f"{live_server}/cases/{case.reference}")
    tab_to(page, page.get_by_role("button", name="Add comment"))
    page.keyboard.press("Enter")  # nothing typed: refused
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # from the summary, the next stop is the link to the field in error, and it leads there
    page.keyboard.press("Tab")
    link = summary.get_by_role("link")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label(label("Your comment"))).to_be_focused()
