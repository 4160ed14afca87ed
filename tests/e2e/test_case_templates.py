"""An admin builds a template with a select field and a condition in the browser and publishes it;
a customer is offered it, sees the condition at work and gets a message next to a field."""

import re

from playwright.sync_api import expect

from tests.case_config import factories


def label(text: str):
    return re.compile(rf"^{re.escape(text)}")


def test_admin_builds_and_publishes_a_template_that_a_customer_is_offered(page, live_server, people, login_as):
    login_as(people.admin)

    # a single-select field with two options
    page.goto(f"{live_server}/admin/fields/new")
    page.get_by_label(label("Type")).select_option(label="Single-select")
    page.get_by_label(label("Key")).fill("device_kind")
    page.get_by_label(label("Label")).fill("Kind of device")
    page.get_by_role("button", name="Create field").click()
    expect(page.get_by_text("Field Kind of device created.")).to_be_visible()
    for option in ("Laptop", "Phone"):
        page.get_by_label(label("Option label")).fill(option)
        page.get_by_role("button", name="Add option").click()
        expect(page.get_by_text(f"Option {option} added.")).to_be_visible()

    # a text field with a format rule
    page.goto(f"{live_server}/admin/fields/new")
    page.get_by_label(label("Key")).fill("device_serial")
    page.get_by_label(label("Label")).fill("Serial number")
    page.get_by_label(label("Format rule (pattern)")).fill(r"[A-Z]{2}\d{4}")
    page.get_by_label(label("Message when the format does not match")).fill("Two capitals and four digits.")
    page.get_by_role("button", name="Create field").click()
    expect(page.get_by_text("Field Serial number created.")).to_be_visible()

    # the template: both fields, the serial shown only for laptops, then published
    page.goto(f"{live_server}/admin/templates/new")
    page.get_by_label(label("Name")).fill("Device repair")
    page.get_by_label(label("Description")).fill("Something you own needs fixing.")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Template Device repair")
    page.get_by_role("combobox", name=label("Field")).select_option(label="Kind of device (Single-select)")
    page.get_by_label("Required", exact=True).check()
    page.get_by_role("button", name="Add field").click()
    page.get_by_role("combobox", name=label("Field")).select_option(label="Serial number (Text)")
    page.get_by_role("button", name="Add field").click()
    page.get_by_label(label("Do this")).select_option(label="Show")
    page.get_by_label(label("to this field")).select_option(label="Serial number")
    page.get_by_label(label("when this field")).select_option(label="Kind of device")
    page.get_by_label(label("has this value")).fill("Laptop")
    page.get_by_role("button", name="Add condition").click()
    expect(page.get_by_text("Condition added.")).to_be_visible()
    page.get_by_role("button", name="Publish template").click()
    expect(page.get_by_text("Device repair is published")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # the customer is offered it; the serial appears for laptops and is checked by the server
    login_as(people.customer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Open a case").click()
    page.get_by_role("link", name="Device repair").click()
    serial = page.get_by_label(label("Serial number"))
    expect(serial).to_be_hidden()
    page.get_by_label(label("Kind of device")).select_option(label="Laptop")
    expect(serial).to_be_visible()
    expect(page.get_by_text("Only needed if “Kind of device” is “Laptop”.")).to_be_visible()
    page.get_by_label(label("Title")).fill("Laptop hinge broke")
    page.get_by_label(label("Summary")).fill("The left hinge snapped when I opened it.")
    serial.fill("12")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator("#cf_device_serial-error")).to_have_text("Two capitals and four digits.")
    expect(page.get_by_role("alert")).to_contain_text("Serial number: Two capitals and four digits.")
    page.get_by_label(label("Serial number")).fill("AB1234")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laptop hinge broke")
    expect(page.locator("dd.case-value", has_text="Laptop")).to_be_visible()
    expect(page.locator("dd.case-value", has_text="AB1234")).to_be_visible()


def test_a_field_required_by_a_condition_says_so_and_format_rules_show_before_sending(page, live_server, people,
                                                                                    login_as):
    from portal.case_config import service as config_service

    admin = people.admin
    product = factories.select_field(admin, {"Wireless headset": "headset", "Docking station": "dock",
                                             "Other": "other"}, key="product", label="Product")
    serial = factories.case_field(admin, key="serial", label="Serial number", pattern=r"[A-Z]{2}\d{6}",
                                  pattern_message="Two capitals and six digits, like HS123456.")
    receipt = factories.case_field(admin, key="receipt", label="Receipt link")
    template = factories.template(admin, name="Replacement request", fields=[product, serial, receipt])
    config_service.add_condition(admin, template, target=serial, action="require", source=product, value="headset")
    config_service.add_condition(admin, template, target=receipt, action="show", source=product, value="other")

    login_as(people.customer)
    page.goto(f"{live_server}/cases/new/{template.uuid}")
    serial_box = page.get_by_label(re.compile("^Serial number"))
    expect(page.get_by_text("Two capitals and six digits, like HS123456.")).to_be_visible()  # before sending
    expect(serial_box).not_to_have_attribute("aria-required", "true")
    page.get_by_label(re.compile("^Product")).select_option("headset")
    expect(serial_box).to_have_attribute("aria-required", "true")
    expect(page.locator("label[for='cf_serial'] .required")).to_have_text(" *")
    expect(page.locator("#conditions-status")).to_have_text("Serial number is now required.")
    page.get_by_label(re.compile("^Product")).select_option("other")
    expect(serial_box).not_to_have_attribute("aria-required", "true")
    expect(page.get_by_label(re.compile("^Receipt link"))).to_be_visible()
    expect(page.locator("#conditions-status")).to_have_text("Now shown: Receipt link.")


def test_a_refused_form_puts_focus_on_its_error_summary(page, live_server, people, login_as):
    template = factories.template(people.admin, name="General request")
    login_as(people.customer)
    page.goto(f"{live_server}/cases/new/{template.uuid}")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".error-summary")).to_be_focused()
