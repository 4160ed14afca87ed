"""In the demo the product is asked once: the templates with a Product field of their own do not also ask
for one of the account's assets, their demo cases have none, and the demo proxy's filing shows one
product question on each form."""

import re

from portal.demo import DEMO_PASSWORD, load_demo_data
from portal.models.cases import Case
from portal.models.configuration import CaseTemplate
from portal.models.people import Account, Customer, User
from tests.fixtures import post_form, sign_in


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_templates_with_their_own_product_field_do_not_ask_for_an_asset(app):
    load_demo_data()
    asks = {t.name: t.asks_asset for t in CaseTemplate.select()}
    assert asks == {"Technical issue": False, "Replacement request": False, "Billing question": True,
                    "Account change": True, "General inquiry": True}
    own_product = Case.select().join(CaseTemplate).where(CaseTemplate.asks_asset == False)  # noqa: E712
    assert own_product.count() == 3 and not own_product.where(Case.asset.is_null(False)).exists()


def test_the_demo_proxy_is_asked_for_the_product_once(app, client):
    load_demo_data()
    sign_in(client, User.get(User.email == "pat.proxy@caseport.example.com"), DEMO_PASSWORD)
    northwind = Account.get(Account.account_number == "ACC-10041")
    maria = Customer.get(Customer.email == "maria.garcia@northwind.example.com")
    contacts = page_of(client, f"/cases/new?account={northwind.uuid}")
    assert "Maria Garcia" in contacts and 'name="asset"' not in contacts and "Model X200 printer" not in contacts
    templates = page_of(client, f"/cases/new?account={northwind.uuid}&customer={maria.uuid}&from=contact")
    links = dict((name, href.replace("&amp;", "&")) for href, name in
                 re.findall(r'<a href="(/cases/new/[^"]+)"><strong>([^<]+)</strong>', templates))
    technical = page_of(client, links["Technical issue"])
    assert 'name="cf_product"' in technical and 'name="asset"' not in technical
    assert "Product or asset" not in technical and "Model X200 printer" not in technical
    general = page_of(client, links["General inquiry"])
    assert 'name="asset"' in general and "Model X200 printer (SN-X200-00417)" in general
    response = post_form(client, links["Technical issue"], {
        "title": "Printer driver fails", "summary": "The driver install stops halfway.", "cf_product": "onprem",
        "cf_severity": "minor"})
    assert response.status_code == 302, response.get_data(as_text=True)
    case = page_of(client, response.headers["Location"])
    assert "Caseport On-Premises" in case and "Product or asset" not in case
