"""Stored XSS: hostile text in titles, summaries, field values, comments, file names, account and
contact names renders inert (escaped) on every page that shows it: the case page, the dashboard, the
customer profile and the filing pages."""

import pytest

from portal.cases.service import conversation, opening
from portal.errors import ValidationFailed
from portal.models.assets import Asset
from portal.models.cases import Case
from portal.models.people import Customer
from tests import factories as base_factories
from tests.case_config import factories
from tests.cases.filing_setup import PNG_BYTES, form_url, upload
from tests.fixtures import post_form, sign_in

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
HOSTILE = f"{SCRIPT} {IMAGE} {JS_URL}"
# What must never reach a page unescaped.
LIVE_MARKUP = ("<script>alert(1)", "<img src=x", 'href="javascript:', "href='javascript:", 'src="javascript:')


def assert_inert(html: str) -> None:
    for marker in LIVE_MARKUP:
        assert marker not in html, f"{marker!r} reached the page unescaped"


@pytest.fixture
def hostile(app, client, people, login):
    """A case filed by the proxy through the web form, every free-text place holding HOSTILE, and a comment."""
    room = factories.case_field(people.admin, key="room", label="Room")
    template = factories.template(people.admin, name="General request", fields=[room])
    account = base_factories.account(name=f"Acme {IMAGE}", account_number="AC-1")
    contact = base_factories.customer(first_name=SCRIPT, last_name=IMAGE, account=account)
    asset = Asset.create(account=account, name=f"Kiosk {SCRIPT}", identifier=JS_URL)
    login(people.proxy)
    target = {"account": account.uuid, "customer": contact.uuid, "asset": asset.uuid}
    response = post_form(client, form_url(template, **target),
                         {"title": f"{SCRIPT}{IMAGE}", "summary": HOSTILE, "cf_room": HOSTILE,
                          "files": [upload(PNG_BYTES, f"{SCRIPT}{IMAGE}.png")]},
                         content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    case = Case.get()
    conversation.add_comment(people.proxy, case, HOSTILE)
    return case, contact, target, template


def test_case_page_shows_hostile_text_escaped_to_the_customer_side_and_to_staff(app, client, people, hostile):
    case, *_ = hostile
    html = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert_inert(html)
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # title, summary, value, comment
    staff = app.test_client()
    sign_in(staff, people.admin)
    assert_inert(staff.get(f"/cases/{case.reference}").get_data(as_text=True))


def test_file_names_are_made_safe_before_they_are_stored(hostile):
    case, *_ = hostile
    name = case.attachments.get().original_name
    assert "<" not in name and ">" not in name and '"' not in name


def test_dashboard_shows_hostile_titles_escaped(app, client, people, hostile):
    html = client.get("/cases").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)
    assert_inert(client.get("/cases?q=alert").get_data(as_text=True))


def test_customer_profile_page_shows_hostile_names_and_titles_escaped(app, people, hostile):
    _, contact, *_ = hostile
    staff = app.test_client()
    sign_in(staff, people.admin)
    html = staff.get(f"/customers/{contact.uuid}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)


def test_filing_pages_show_hostile_account_contact_and_asset_names_escaped(client, hostile):
    _, _, target, template = hostile
    account, customer, asset = target["account"], target["customer"], target["asset"]
    for url in ("/cases/new?q=acme", f"/cases/new?account={account}",
                f"/cases/new?account={account}&customer={customer}&asset={asset}",
                form_url(template, **target)):
        html = client.get(url).get_data(as_text=True)
        assert "alert(1)" in html, url
        assert_inert(html)


def test_a_javascript_url_is_refused_by_a_web_address_field(app, people):
    link = factories.case_field(people.admin, "url", key="link", label="Link")
    template = factories.template(people.admin, fields=[link])
    customer = Customer.get(Customer.user == people.customer)
    with pytest.raises(ValidationFailed) as refused:
        opening.open_case(people.customer, template, {"title": "t", "summary": "s", "cf_link": JS_URL},
                          customer=customer)
    assert "cf_link" in refused.value.fields
