"""Who may use the customer pages: staff yes; customers and proxies get 404; anonymous users sign in first."""

import pytest

from portal.models.assets import Asset
from portal.models.people import Customer
from tests import factories
from tests.fixtures import post_form

STAFF = ["agent", "supervisor", "admin"]
OUTSIDERS = ["customer", "proxy"]

PAGES = [
    "/customers/",
    "/customers/?q=Maria",
    "/customers/new",
    "/customers/{customer}",
    "/customers/{customer}/edit",
    "/customers/accounts/",
    "/customers/accounts/new",
    "/customers/accounts/{account}",
    "/customers/accounts/{account}/edit",
    "/customers/accounts/{account}/assets/new",
    "/customers/assets/{asset}/edit",
]

# (url, valid data): every POST the customer pages accept.
POSTS = [
    ("/customers/new", {"first_name": "Nora", "confirm_duplicate": "y"}),
    ("/customers/{customer}/edit", {"first_name": "Maria", "confirm_duplicate": "y"}),
    ("/customers/accounts/new", {"name": "New Org", "account_number": "ACC-77777"}),
    ("/customers/accounts/{account}/edit", {"name": "Renamed", "account_number": "ACC-10041"}),
    ("/customers/accounts/{account}/assets/new", {"name": "Scanner"}),
    ("/customers/assets/{asset}/edit", {"name": "Printer 2"}),
    ("/customers/assets/{asset}/deactivate", {}),
    ("/customers/assets/{asset}/activate", {}),
]


@pytest.fixture
def ids(app):
    account = factories.account(name="Northwind", account_number="ACC-10041")
    customer = factories.customer(first_name="Maria", account=account)
    asset = Asset.create(account=account, name="Printer", identifier="SN-1")
    return {"customer": customer.uuid, "account": account.uuid, "asset": asset.uuid}


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", STAFF)
def test_staff_open_every_page(client, login, people, ids, role, url):
    login(people.by_role(role))
    assert client.get(url.format(**ids)).status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", OUTSIDERS)
def test_customers_and_proxies_get_not_found(client, login, people, ids, role, url):
    login(people.by_role(role))
    assert client.get(url.format(**ids)).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, ids, url):
    response = client.get(url.format(**ids))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("url, data", POSTS)
@pytest.mark.parametrize("role", STAFF)
def test_staff_may_post(client, login, people, ids, role, url, data):
    login(people.by_role(role))
    response = post_form(client, url.format(**ids), data, page="/account")
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize("url, data", POSTS)
@pytest.mark.parametrize("role", OUTSIDERS)
def test_customers_and_proxies_cannot_post(client, login, people, ids, role, url, data):
    login(people.by_role(role))
    response = post_form(client, url.format(**ids), data, page="/account")
    assert response.status_code == 404
    assert not Customer.select().where(Customer.first_name == "Nora").exists()
    assert Asset.get(Asset.uuid == ids["asset"]).name == "Printer"


@pytest.mark.parametrize("url, data", POSTS)
def test_anonymous_posts_are_sent_to_sign_in(client, ids, url, data):
    response = post_form(client, url.format(**ids), data, page="/login")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("url, data", POSTS)
def test_posts_without_a_csrf_token_are_refused(client, login, people, ids, url, data):
    login(people.agent)
    response = client.post(url.format(**ids), data=data)
    assert response.status_code == 400
    assert not Customer.select().where(Customer.first_name == "Nora").exists()
    assert Asset.get(Asset.uuid == ids["asset"]).name == "Printer"


@pytest.mark.parametrize("url", ["/customers/{bad}", "/customers/{bad}/edit", "/customers/accounts/{bad}",
                                 "/customers/assets/{bad}/edit", "/customers/new?account={bad}"])
def test_unknown_ids_are_not_found(client, login, people, url):
    login(people.agent)
    for bad in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", "x" * 500):
        assert client.get(url.format(bad=bad)).status_code == 404


def test_customers_link_shows_in_the_navigation_for_staff_only(client, login, people):
    login(people.agent)
    assert 'href="/customers/"' in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_no_customers_link_for_customers(client, login, people):
    login(people.customer)
    assert 'href="/customers/"' not in client.get("/", follow_redirects=True).get_data(as_text=True)
