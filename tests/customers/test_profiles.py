"""Creating and editing customer profiles: only a first name required, field messages, duplicate warnings."""

import pytest

from portal.customers import service
from portal.customers.service import CustomerData, PossibleDuplicate, create_customer, update_customer
from portal.errors import NotFound, ValidationFailed
from portal.models.people import Customer
from tests import factories
from tests.fixtures import post_form


def test_only_a_first_name_is_required(people):
    customer = create_customer(people.agent, CustomerData(first_name="  John  "))
    assert customer.first_name == "John"
    assert customer.email is None and customer.phone is None and customer.account is None
    assert customer.customer_number.startswith("C") and len(customer.customer_number) == 8


def test_contact_details_are_normalised(app, people):
    account = factories.account(account_number="ACC-20001")
    customer = create_customer(people.agent, CustomerData(first_name="Ann", email=" Ann@Example.COM ",
                                                          phone="(415) 555-0123", account_number="acc-20001"))
    assert customer.email == "ann@example.com"
    assert customer.phone == "+14155550123"
    assert customer.account == account


@pytest.mark.parametrize("data, field", [
    (CustomerData(first_name=""), "first_name"),
    (CustomerData(first_name="x" * 101), "first_name"),
    (CustomerData(first_name="Ann", email="not an email"), "email"),
    (CustomerData(first_name="Ann", phone="12"), "phone"),
    (CustomerData(first_name="Ann", phone="+1 415 555"), "phone"),
    (CustomerData(first_name="Ann", account_number="ACC-404"), "account_number"),
    (CustomerData(first_name="Ann", is_account_manager=True), "is_account_manager"),
])
def test_bad_values_are_refused_field_by_field_and_nothing_is_created(people, data, field):
    before = Customer.select().count()
    with pytest.raises(ValidationFailed) as caught:
        create_customer(people.agent, data)
    assert field in caught.value.fields
    assert Customer.select().count() == before


@pytest.mark.parametrize("data", [
    CustomerData(first_name="Maria", email="MARIA@example.com"),
    CustomerData(first_name="Mary", phone="415 555 0101"),
])
def test_an_email_or_phone_of_another_profile_gets_a_warning(people, data):
    existing = factories.customer(first_name="Maria", email="maria@example.com", phone="+14155550101")
    before = Customer.select().count()
    with pytest.raises(PossibleDuplicate) as caught:
        create_customer(people.agent, data)
    assert caught.value.matches == [existing]
    assert Customer.select().count() == before


def test_create_anyway_creates_the_second_profile(people):
    factories.customer(first_name="Grace", phone="+14155550199")
    created = create_customer(people.agent, CustomerData(first_name="Henry", phone="+14155550199"),
                              confirm_duplicate=True)
    assert created.phone == "+14155550199"
    assert Customer.select().where(Customer.phone == "+14155550199").count() == 2


def test_editing_warns_only_about_a_changed_detail(people):
    factories.customer(first_name="Grace", phone="+14155550199", email="grace@example.com")
    henry = factories.customer(first_name="Henry", phone="+14155550199", email="henry@example.com")
    # Renaming Henry keeps the shared phone he already had: no warning.
    update_customer(people.agent, henry.uuid, CustomerData(first_name="Harry", phone="+14155550199",
                                                           email="henry@example.com"))
    with pytest.raises(PossibleDuplicate):
        update_customer(people.agent, henry.uuid, CustomerData(first_name="Harry", phone="+14155550199",
                                                               email="grace@example.com"))
    saved = update_customer(people.agent, henry.uuid,
                            CustomerData(first_name="Harry", phone="+14155550199", email="grace@example.com"),
                            confirm_duplicate=True)
    assert saved.email == "grace@example.com"


def test_editing_with_a_bad_phone_changes_nothing(people):
    henry = factories.customer(first_name="Henry", phone="+14155550199")
    with pytest.raises(ValidationFailed):
        update_customer(people.agent, henry.uuid, CustomerData(first_name="Harold", phone="nope"))
    assert Customer.get_by_id(henry.id).first_name == "Henry"


@pytest.mark.parametrize("role", ["customer", "proxy"])
def test_customers_and_proxies_cannot_create_or_edit(people, role):
    profile = factories.customer(first_name="Zed")
    with pytest.raises(NotFound):
        create_customer(people.by_role(role), CustomerData(first_name="Eve"))
    with pytest.raises(NotFound):
        update_customer(people.by_role(role), profile.uuid, CustomerData(first_name="Eve"))


def test_editing_an_unknown_profile_is_not_found(people):
    with pytest.raises(NotFound):
        update_customer(people.agent, "00000000-0000-0000-0000-000000000000", CustomerData(first_name="Eve"))


# --- through the pages -------------------------------------------------------------------------------


def test_staff_create_a_profile_and_land_on_it(client, login, people):
    login(people.supervisor)
    response = post_form(client, "/customers/new", {"first_name": "John", "phone": "415.555.0177"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "John" in page and "+1 415-555-0177" in page and "Profile created" in page


def test_a_bad_email_is_shown_next_to_the_field(client, login, people):
    login(people.agent)
    response = post_form(client, "/customers/new", {"first_name": "John", "email": "john@@example"})
    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert not Customer.select().where(Customer.first_name == "John").exists()


def test_missing_first_name_is_shown_next_to_the_field(client, login, people):
    login(people.agent)
    response = post_form(client, "/customers/new", {"first_name": "", "last_name": "Doe"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="first_name-error"' in page and "Enter the customer&#39;s first name." in page


def test_the_duplicate_warning_lists_the_other_profile_and_create_anyway_works(client, login, people):
    grace = factories.customer(first_name="Grace", last_name="Miller", phone="+14155550199")
    on_line = Customer.select().where(Customer.phone == "+14155550199")
    login(people.agent)
    warned = post_form(client, "/customers/new", {"first_name": "Henry", "phone": "(415) 555-0199"})
    page = warned.get_data(as_text=True)
    assert warned.status_code == 409
    assert "This may be someone who already has a profile" in page
    assert grace.customer_number in page
    assert 'name="confirm_duplicate"' in page
    assert on_line.count() == 1
    created = post_form(client, "/customers/new", {"first_name": "Henry", "phone": "(415) 555-0199",
                                                   "confirm_duplicate": "y"})
    assert created.status_code == 302
    assert on_line.count() == 2


def test_editing_a_profile_through_the_page(client, login, people):
    factories.account(name="Bluebird", account_number="ACC-10077")
    profile = factories.customer(first_name="Priya", email="priya@example.com")
    login(people.admin)
    form = client.get(f"/customers/{profile.uuid}/edit").get_data(as_text=True)
    assert 'value="priya@example.com"' in form
    response = post_form(client, f"/customers/{profile.uuid}/edit",
                         {"first_name": "Priya", "last_name": "Natarajan", "email": "priya@example.com",
                          "account_number": "ACC-10077", "is_account_manager": "y"})
    assert response.status_code == 302
    saved = Customer.get_by_id(profile.id)
    assert saved.last_name == "Natarajan" and saved.account.account_number == "ACC-10077"
    assert saved.is_account_manager


def test_overlong_values_get_messages_not_errors(client, login, people):
    login(people.agent)
    before = Customer.select().count()
    response = post_form(client, "/customers/new", {"first_name": "x" * 5000, "email": "y" * 5000,
                                                    "phone": "1" * 5000, "account_number": "z" * 5000})
    assert response.status_code == 400
    assert Customer.select().count() == before


def test_the_profile_page_shows_facts_and_the_sign_in_user(client, login, people):
    # The customer fixture user got a profile when created (verified email joins it).
    profile = Customer.get(Customer.user == people.customer)
    login(people.agent)
    page = client.get(f"/customers/{profile.uuid}").get_data(as_text=True)
    assert profile.customer_number in page
    assert "Yes, as cora@example.com" in page
    assert "has no cases yet" in page


def test_service_module_keeps_its_original_functions():
    assert callable(service.create_customer_profile) and callable(service.attach_verified_user)
