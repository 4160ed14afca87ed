"""Account managers (a customer whose profile staff marked "Manages the account") see who of their
organisation has access and invite colleagues into it."""

from __future__ import annotations

import pytest

from notifier.models import Message
from portal.models.people import Customer, User
from tests import factories
from tests.fixtures import csrf_token_from, post_form, sign_in

PAGE = "/account/colleagues"


@pytest.fixture
def northwind(people):
    account = factories.account(name="Northwind")
    Customer.update(account=account, is_account_manager=True).where(Customer.user == people.customer).execute()
    factories.customer(first_name="Maria", last_name="Garcia", email="maria@example.com", account=account)
    return account


def test_the_manager_sees_who_of_the_organisation_has_access(client, login, people, northwind):
    login(people.customer)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Maria Garcia" in page and "No sign-in" in page
    assert "Cora Customer" in page and "Signs in" in page
    assert "Otto" not in page  # another organisation's customer


def test_the_manager_finds_the_page_in_the_navigation(client, login, people, northwind):
    login(people.customer)
    assert 'href="/account/colleagues"' in client.get("/account").get_data(as_text=True)


def test_an_invited_colleague_joins_the_account_and_signs_in(app, client, login, people, northwind,
                                                              invitation_link):
    login(people.customer)
    response = post_form(client, PAGE, {"display_name": "Tom Twin", "email": "tom@example.com"})
    assert response.status_code == 302
    tom = User.get(User.email == "tom@example.com")
    profile = Customer.get(Customer.user == tom)
    assert (tom.role, profile.account_id, profile.is_account_manager) == ("customer", northwind.id, False)
    assert "Invited, not accepted yet" in client.get(PAGE).get_data(as_text=True)

    browser = app.test_client()
    path = invitation_link("tom@example.com")
    post_form(browser, path, {"new_password": "a long enough sentence", "confirm": "a long enough sentence"})
    sign_in(browser, tom, "a long enough sentence")
    assert browser.get("/cases").status_code == 200


def test_inviting_a_known_contact_gives_that_profile_a_sign_in(client, login, people, northwind):
    maria = Customer.get(Customer.email == "maria@example.com")
    login(people.customer)
    post_form(client, PAGE, {"display_name": "Maria Garcia", "email": "Maria@Example.com"})
    assert Customer.get_by_id(maria.id).user.email == "maria@example.com"
    assert Customer.select().where(Customer.account == northwind).count() == 2


def test_an_address_with_an_account_is_refused_and_nothing_is_sent(client, login, people, northwind):
    login(people.customer)
    before = (User.select().count(), Customer.select().count(), Message.select().count())
    response = post_form(client, PAGE, {"display_name": "Otto", "email": people.other_customer.email})
    assert response.status_code == 400 and "already has an account" in response.get_data(as_text=True)
    assert (User.select().count(), Customer.select().count(), Message.select().count()) == before


@pytest.mark.parametrize("data", [{"display_name": "", "email": "x@example.com"},
                                  {"display_name": "X", "email": "not an address"},
                                  {"display_name": "x" * 200, "email": "x@example.com"}])
def test_bad_values_are_refused_with_a_message(client, login, people, northwind, data):
    login(people.customer)
    count = User.select().count()
    response = post_form(client, PAGE, data)
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    assert User.select().count() == count


@pytest.mark.parametrize("who", ["other_customer", "proxy", "agent", "supervisor", "admin"])
def test_nobody_but_an_account_manager_has_the_page(client, login, people, northwind, who):
    login(people.by_role(who))
    assert client.get(PAGE).status_code == 404
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    count = User.select().count()
    response = client.post(PAGE, data={"csrf_token": token, "display_name": "X", "email": "x@example.com"})
    assert response.status_code == 404 and User.select().count() == count
    assert 'href="/account/colleagues"' not in client.get("/account").get_data(as_text=True)


def test_a_manager_who_is_no_longer_one_loses_the_page(client, login, people, northwind):
    login(people.customer)
    Customer.update(is_account_manager=False).where(Customer.user == people.customer).execute()
    assert client.get(PAGE).status_code == 404


def test_the_colleagues_page_speaks_the_managers_language(client, login, people, northwind):
    User.update(language="de").where(User.id == people.customer.id).execute()
    login(people.customer)
    page = client.get(PAGE).get_data(as_text=True)
    assert "<h1>Kollegen</h1>" in page and "Keine Anmeldung" in page and "(Kontoverantwortlicher)" in page
    assert '<span class="role-badge">Kunde</span>' in page
    refused = post_form(client, PAGE, {"display_name": "", "email": "not an address"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Name: Geben Sie den Namen der Person ein." in html
    invited = post_form(client, PAGE, {"display_name": "Tom Twin", "email": "tom@example.com"})
    assert invited.status_code == 302
    assert "Tom Twin ist eingeladen: Die Einladung geht an tom@example.com." in client.get(PAGE).get_data(as_text=True)


def test_a_name_in_a_translated_message_is_escaped(client, login, people, northwind):
    login(people.customer)
    post_form(client, PAGE, {"display_name": "<b>Tom</b>", "email": "tom@example.com"})
    page = client.get(PAGE).get_data(as_text=True)
    assert "&lt;b&gt;Tom&lt;/b&gt; is invited" in page and "<b>Tom</b>" not in page
