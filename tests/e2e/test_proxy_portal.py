"""A proxy files a case on behalf of a customer in the browser: account and contact, then the template
and its form, which asks once which of the account's products or assets the case is about; the case page
says on whose behalf it was filed and names the product once."""

import re

from playwright.sync_api import expect

from portal.models.assets import Asset
from tests import factories as base_factories
from tests.case_config import factories


def label(text: str):
    return re.compile(rf"^{re.escape(text)}")


def test_proxy_files_for_a_customer_by_picking_account_contact_and_asset(page, live_server, people, login_as):
    product = factories.select_field(people.admin, key="product", label="Product",
                                     options={"Caseport Cloud": "cloud", "Hardware kit": "hardware"})
    factories.template(people.admin, name="Technical issue", fields=[product], asks_asset=False)
    factories.template(people.admin, name="Printer problem", description="Printing, scanning, paper jams.")
    harbour = base_factories.account(name="Harbour Hotels", account_number="HH-100")
    base_factories.account(name="Inland Inns", account_number="II-200")
    base_factories.customer(first_name="Hana", last_name="Harbour", account=harbour)
    Asset.create(account=harbour, name="Lobby printer", identifier="PR-1")

    login_as(people.proxy)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Open a case").click()
    page.get_by_label("Account name or number").fill("harb")
    page.get_by_role("button", name="Search accounts").click()
    expect(page.get_by_role("link", name="Inland Inns")).to_have_count(0)
    page.get_by_role("link", name="Harbour Hotels").click()
    page.get_by_label(label("Hana Harbour")).check()
    expect(page.get_by_label("Lobby printer (PR-1)")).to_have_count(0)  # the contact step asks only for the customer
    page.get_by_role("button", name="Continue").click()

    # A template with its own Product field asks for the product once: no asset choice besides it.
    page.get_by_role("link", name="Technical issue").click()
    expect(page.get_by_label(label("Product"))).to_have_count(1)
    expect(page.get_by_label("Product or asset")).to_have_count(0)
    page.go_back()

    page.get_by_role("link", name="Printer problem").click()
    who = page.get_by_role("region", name="Who the case is for")
    expect(who).to_contain_text("Hana Harbour")
    page.get_by_label("Product or asset").select_option(label="Lobby printer (PR-1)")
    page.get_by_label(label("Title")).fill("Lobby printer jams")
    page.get_by_label(label("Summary")).fill("Every third page jams in tray 2, guests are waiting.")
    page.get_by_role("button", name="Open the case").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lobby printer jams")
    expect(page.get_by_text(re.compile(r"Case \d{8} is open for Hana Harbour"))).to_be_visible()
    expect(page.get_by_text(re.compile("on behalf of Hana Harbour"))).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Lobby printer (PR-1)")).to_have_count(1)

    # the proxy follows it from their dashboard
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    expect(page.get_by_role("row", name=re.compile("Lobby printer jams"))).to_be_visible()
