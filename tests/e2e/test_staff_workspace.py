"""An agent finds a customer by phone, opens a case for them from the profile, takes it, replies and
proposes a resolution; the customer signs in and accepts it."""

import re

from playwright.sync_api import expect

from portal.models.people import Customer
from tests import factories
from tests.case_config import factories as config_factories


def label(text: str):
    return re.compile(rf"^{re.escape(text)}")


def test_an_agent_handles_a_phone_call_from_profile_to_accepted_resolution(page, live_server, people, login_as):
    desk = factories.workgroup(people.agent, people.supervisor, name="Service desk")
    config_factories.template(people.admin, name="Broken device", description="Something stopped working.",
                              default_workgroup=desk)
    profile = Customer.get(Customer.user == people.customer)
    profile.phone = "+14155550142"
    profile.save()

    # the customer calls: the agent finds them by the number they call from, in another format
    login_as(people.agent)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_label("Find a customer").fill("(415) 555-0142")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=profile.full_name).click()

    # a case for them, straight from the profile
    page.get_by_role("link", name=re.compile("New case for")).click()
    page.get_by_role("link", name="Broken device").click()
    page.get_by_label(label("Title")).fill("Label printer prints blank pages")
    page.get_by_label(label("Summary")).fill("Since this morning every label comes out blank.")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Label printer prints blank pages")
    case_url = page.url

    # the agent takes it, replies and proposes a resolution
    page.get_by_role("button", name="Take this case").click()
    expect(page.get_by_text("You now handle this case.")).to_be_visible()
    expect(page.get_by_role("region", name="Assignment")).to_contain_text(people.agent.display_name)
    page.get_by_label(label("Your reply or note")).fill("Please try a new label roll; the old one may be heat-damaged.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("the old one may be heat-damaged")).to_be_visible()
    page.get_by_label(label("Resolution")).fill("A new label roll fixed it.")
    page.get_by_role("button", name="Propose resolution").click()
    expect(page.get_by_role("region", name="Proposed resolution")).to_contain_text("A new label roll fixed it.")

    # it is on the agent's own list
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace").click()
    expect(page.get_by_role("region", name=re.compile("My cases"))).to_contain_text("Label printer prints blank pages")
    page.get_by_role("button", name="Sign out").click()

    # the customer accepts
    login_as(people.customer)
    page.goto(case_url)
    expect(page.get_by_text("the old one may be heat-damaged")).to_be_visible()
    page.get_by_role("button", name="Accept the resolution").click()
    expect(page.get_by_role("heading", name="This case is closed")).to_be_visible()


def test_staff_and_admin_pages_fit_a_320_px_screen(page, live_server, people, login_as):
    from tests import factories as base_factories

    desk = base_factories.workgroup(people.agent, people.supervisor, name="Service desk")
    base_factories.case(people.customer, workgroup=desk, assignee=people.agent, title="Printer jams")
    page.set_viewport_size({"width": 320, "height": 640})
    wide = {}
    visits = (
        (people.supervisor, ("/staff/", "/staff/supervisor", f"/staff/supervisor?workgroup={desk.uuid}")),
        (people.admin, ("/admin/notifications/", "/admin/notifications/templates/case_created/email",
                        "/admin/notifications/rules")),
    )
    for user, paths in visits:
        page.context.clear_cookies()
        login_as(user)
        for path in paths:
            page.goto(f"{live_server}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                wide[path] = overflow
    assert wide == {}, f"pages that scroll sideways at 320 px (by px): {wide}"


def test_the_reply_box_counts_characters_and_shows_an_internal_note_unmistakably(page, live_server, people, login_as):
    from portal.cases.rules import MAX_COMMENT
    from tests import factories as base_factories

    case = base_factories.case(people.customer, assignee=people.agent)
    login_as(people.agent)
    page.goto(f"{live_server}/cases/{case.reference}")
    form = page.locator("form.comment-form")
    assert form.evaluate("f => getComputedStyle(f).borderTopStyle") != "dashed"
    expect(page.get_by_text("Internal note: only staff will see this.")).to_be_hidden()
    page.get_by_label("Internal note: staff only").check()
    assert form.evaluate("f => getComputedStyle(f).borderTopStyle") == "dashed"
    expect(page.get_by_text("Internal note: only staff will see this.")).to_be_visible()
    box = page.get_by_label(re.compile("^Your reply or note"))
    box.fill("x" * 10)
    expect(page.locator("#body-count")).to_have_text(f"{MAX_COMMENT - 10:,} characters left.")
    box.fill("x" * (MAX_COMMENT + 1))
    expect(page.locator("#body-count")).to_have_text(f"1 character too many (the limit is {MAX_COMMENT:,}).")
    assert len(box.input_value()) == MAX_COMMENT + 1  # nothing cut


def test_the_message_after_a_reply_shows_where_the_reply_was(page, live_server, people, login_as):
    from tests import factories as base_factories

    case = base_factories.case(people.customer, assignee=people.agent)
    login_as(people.agent)
    page.goto(f"{live_server}/cases/{case.reference}")
    page.get_by_label(re.compile("^Your reply or note")).fill("We ordered the part.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your comment is added.")).to_be_visible()
    assert page.locator("#feed-end").evaluate("e => e.previousElementSibling.className") == "flashes"
    assert page.get_by_text("Your comment is added.").is_visible() and page.evaluate("window.scrollY") > 0
