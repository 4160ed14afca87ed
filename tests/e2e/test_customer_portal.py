"""A customer files a case with a file in the browser, finds it on the dashboard, comments, and accepts
the resolution an agent proposes."""

import re

from playwright.sync_api import expect

from tests.case_config import factories
from tests.cases.filing_setup import PNG_BYTES


def label(text: str):
    return re.compile(rf"^{re.escape(text)}")


def test_customer_files_a_case_with_a_file_comments_and_accepts_the_resolution(page, live_server, people, login_as,
                                                                               tmp_path):
    factories.template(people.admin, name="Broken device", description="Something stopped working.")
    screenshot = tmp_path / "error screen.png"
    screenshot.write_bytes(PNG_BYTES)

    login_as(people.customer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Open a case").click()
    page.get_by_role("link", name="Broken device").click()
    page.get_by_label(label("Title")).fill("Tablet shows an error")
    page.get_by_label(label("Summary")).fill("Since the update the tablet shows error 42 at start.")
    page.get_by_label("Files", exact=True).set_input_files(str(screenshot))
    page.get_by_role("button", name="Open the case").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tablet shows an error")
    expect(page.get_by_text(re.compile(r"Your case \d{8} is open"))).to_be_visible()
    expect(page.get_by_role("link", name="error screen.png")).to_be_visible()
    case_url = page.url

    # the dashboard lists it; a comment goes into the activity feed
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    page.get_by_role("row", name=re.compile("Tablet shows an error")).get_by_role("link").first.click()
    page.get_by_label(label("Your comment")).fill("It also happens after a restart.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("It also happens after a restart.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # an admin proposes a resolution
    login_as(people.admin)
    page.goto(case_url)
    page.get_by_label(label("Resolution")).fill("Reinstalled the firmware; error 42 is gone.")
    page.get_by_role("button", name="Propose resolution").click()
    expect(page.get_by_role("region", name="Proposed resolution")).to_contain_text("error 42 is gone")
    page.get_by_role("button", name="Sign out").click()

    # the customer accepts it and the case closes
    login_as(people.customer)
    page.goto(case_url)
    page.get_by_role("button", name="Accept the resolution").click()
    expect(page.get_by_role("heading", name="This case is closed")).to_be_visible()


def test_a_refused_file_is_explained_next_to_the_field_and_the_text_is_kept(page, live_server, people, login_as,
                                                                            tmp_path):
    factories.template(people.admin, name="Broken device")
    program = tmp_path / "holiday.png"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)

    login_as(people.customer)
    page.goto(f"{live_server}/cases/new")
    page.get_by_role("link", name="Broken device").click()
    page.get_by_label(label("Title")).fill("Tablet shows an error")
    page.get_by_label(label("Summary")).fill("Error 42 at start.")
    page.get_by_label("Files", exact=True).set_input_files(str(program))
    page.get_by_role("button", name="Open the case").click()

    expect(page.locator("#files-error")).to_contain_text("holiday.png can't be attached")
    expect(page.locator("#files-error")).to_contain_text("Please choose your files again")
    expect(page.get_by_label(label("Title"))).to_have_value("Tablet shows an error")
    expect(page.get_by_label(label("Summary"))).to_have_value("Error 42 at start.")


def test_the_resolution_answer_stacks_on_a_phone(page, live_server, people, login_as):
    from portal.cases.service import lifecycle
    from tests import factories as base_factories

    case = base_factories.case(people.customer, assignee=people.agent)
    lifecycle.propose_resolution(people.agent, case, "We replaced the power supply.")
    page.set_viewport_size({"width": 320, "height": 640})
    login_as(people.customer)
    page.goto(f"{live_server}/cases/{case.reference}")
    accept = page.get_by_role("button", name="Accept the resolution").bounding_box()
    reject = page.get_by_role("button", name="Reject the resolution").bounding_box()
    assert reject["y"] > accept["y"] + accept["height"], "accept and reject sit side by side at 320 px"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the case page scrolls sideways by {overflow}px at 320 px"
