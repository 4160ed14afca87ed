"""An admin edits a notification template in the browser: previews, sees a refusal with its
reason, saves, restores the earlier version and sends a test to themselves."""

import re

from playwright.sync_api import expect

from notifier.models import CapturedMessage
from notifier.templates import active_template


def label(text: str):
    return re.compile(rf"^{re.escape(text)}")


def test_admin_edits_previews_saves_restores_and_sends_a_test(page, live_server, people, login_as, deliver):
    original = active_template("case_created", "email").parts
    login_as(people.admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="Edit Case created email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case created: Email")

    # the catalogue is beside the fields; clicking a variable inserts it at the cursor. The script is
    # deferred: the heading can show before it runs, and it marks each variable as a button when it has.
    variable = page.locator("code.variable-code", has_text="{{ case_reference }}")
    expect(variable).to_have_attribute("role", "button")
    subject = page.get_by_label(label("Subject"))
    subject.fill("Case ")
    subject.press("End")
    variable.click()
    expect(subject).to_have_value("Case {{ case_reference }}")

    # preview with the sample data, nothing saved yet
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-subject")).to_have_text("Case 40213377")

    # a sandbox escape is refused with the reason next to the field
    page.get_by_label(label("Text")).first.fill("{{ ''.__class__ }}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text("__class__")
    assert active_template("case_created", "email").parts == original

    # a valid text is saved as a new version
    page.get_by_label(label("Text")).first.fill("Hello {{ recipient_name }}, case {{ case_reference }} is open.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile(r"Version \d+ is saved"))).to_be_visible()
    assert active_template("case_created", "email").parts["subject"] == "Case {{ case_reference }}"

    # the versions page shows the change and restores the shipped version
    page.get_by_role("link", name="Versions").click()
    page.get_by_role("link", name=re.compile("Changes in version 2")).click()
    changes = page.get_by_role("list", name="Changes to the subject")
    expect(changes.locator("ins")).to_have_text("Case {{ case_reference }}")
    page.go_back()
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_text("Version 1 is restored as version 3.")).to_be_visible()
    assert active_template("case_created", "email").parts == original

    # send a test to me: through the outbox to the admin's own address
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.get_by_text(re.compile("A test .* is queued to you"))).to_be_visible()
    deliver()
    mail = CapturedMessage.get(CapturedMessage.to_address == people.admin.email)
    assert "40213377" in mail.subject
