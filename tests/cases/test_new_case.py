"""Opening a case from a template and seeing it: who is offered what, validation next to fields,
the case page, and who may see it."""

import re

import pytest

from portal.case_config import service as config_service
from portal.cases.service import opening
from portal.models.cases import Case, CaseEvent, CaseFieldValue
from portal.models.configuration import FieldOption
from portal.models.people import Customer
from tests import factories as base_factories
from tests.case_config import factories
from tests.fixtures import post_form, sign_in


@pytest.fixture
def replacement(app, people):
    """Replacement request: product (select, required), order date, receipt link shown only for 'other',
    an internal stock note."""
    admin = people.admin
    product = factories.select_field(admin, {"Wireless headset": "headset", "Docking station": "dock",
                                             "Adapter": "adapter"}, key="product", label="Product")
    bought = factories.case_field(admin, "date", key="bought_on", label="Date of purchase")
    serial = factories.case_field(admin, key="serial", label="Serial number", pattern=r"[A-Z]{2}\d{6}",
                                  pattern_message="Two capitals and six digits, like HS123456.")
    stock = factories.case_field(admin, key="stock_note", label="Stock note", visibility="internal")
    template = factories.template(admin, name="Replacement request", description="Broken or missing items.",
                                  fields=[(product, True), bought, serial, stock])
    placed = template.template_fields.where(template.template_fields.model.field == serial).get()
    config_service.update_template_field(admin, placed, section="more", required=False)
    config_service.add_condition(admin, template, target=serial, action="require", source=product,
                                 value="headset")
    # Routed to a team with the agent and the supervisor, so they see its cases.
    template.default_workgroup = base_factories.workgroup(people.agent, people.supervisor, name="Returns")
    template.save()
    return template


def form_url(template):
    return f"/cases/new/{template.uuid}"


GOOD = {"title": "Headset crackles", "summary": "Since last week the left ear crackles.",
        "cf_product": "headset", "cf_bought_on": "2026-01-15", "cf_serial": "HS123456"}


def test_customer_is_offered_only_published_templates_for_customers(client, people, login, replacement):
    factories.template(people.admin, name="Draft form", publish=False)
    factories.template(people.admin, name="Staff only form", for_customers=False, for_proxies=False)
    login(people.customer)
    page = client.get("/cases/new").get_data(as_text=True)
    assert "Replacement request" in page and "Broken or missing items." in page
    assert "Draft form" not in page and "Staff only form" not in page


def test_template_not_offered_to_the_user_answers_404(client, people, login):
    staff_only = factories.template(people.admin, for_customers=False, for_proxies=False)
    login(people.customer)
    assert client.get(form_url(staff_only)).status_code == 404


def test_customer_form_shows_customer_fields_in_sections_but_not_internal_ones(client, people, login,
                                                                               replacement):
    login(people.customer)
    page = client.get(form_url(replacement)).get_data(as_text=True)
    assert 'name="cf_product"' in page and 'name="cf_serial"' in page
    assert "Stock note" not in page
    assert "More information" in page
    assert "Required if “Product” is “Wireless headset”." in page
    assert '="None"' not in page  # no attribute rendered from a Python None


def test_customer_files_a_case_and_sees_its_page(client, people, login, replacement):
    login(people.customer)
    response = post_form(client, form_url(replacement), GOOD)
    assert response.status_code == 302
    case = Case.get()
    assert response.headers["Location"].endswith(f"/cases/{case.reference}")
    assert re.fullmatch(r"[1-9]\d{7}", case.reference)
    assert (case.status.name, case.priority, case.customer.user_id) == ("Open", "normal", people.customer.id)
    assert CaseEvent.get(CaseEvent.case == case).kind == "created"
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    for text in (case.reference, "Headset crackles", "Open", "We have your case", "Replacement request",
                 "Wireless headset", "Jan 15, 2026", "HS123456", "Since last week"):
        assert text in page


def test_invalid_values_get_messages_next_to_the_fields_and_no_case(client, people, login, replacement):
    login(people.customer)
    response = post_form(client, form_url(replacement), {**GOOD, "title": "", "cf_bought_on": "2026-02-30",
                                                         "cf_serial": "123"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="title-error">Enter a title.<', html)
    assert re.search(r'id="cf_bought_on-error">That date does not exist', html)
    assert re.search(r'id="cf_serial-error">Two capitals and six digits', html)
    assert Case.select().count() == 0


def test_require_condition_is_enforced_on_the_web_form(client, people, login, replacement):
    login(people.customer)
    response = post_form(client, form_url(replacement), {**GOOD, "cf_serial": ""})
    assert response.status_code == 400
    assert re.search(r'id="cf_serial-error">This is required.<', response.get_data(as_text=True))


def test_internal_field_sent_by_a_customer_is_ignored(client, people, login, replacement):
    login(people.customer)
    post_form(client, form_url(replacement), {**GOOD, "cf_stock_note": "free upgrade please"})
    assert {v.field.key for v in CaseFieldValue.select()} == {"product", "bought_on", "serial"}


def test_other_customer_gets_404_for_the_case(client, people, login, replacement):
    case = opening.open_case(people.customer, replacement, GOOD, customer=Customer.get(Customer.user ==
                                                                                         people.customer))
    login(people.other_customer)
    assert client.get(f"/cases/{case.reference}").status_code == 404


@pytest.mark.parametrize("role, status", [("agent", 200), ("supervisor", 200), ("admin", 200), ("proxy", 404)])
def test_case_page_visibility_by_role(client, people, login, replacement, role, status):
    case = opening.open_case(people.customer, replacement, GOOD, customer=Customer.get(Customer.user ==
                                                                                         people.customer))
    login(people.by_role(role))
    assert client.get(f"/cases/{case.reference}").status_code == status


def test_staff_see_internal_values_on_the_case_page(app, client, people, login, replacement):
    customer = Customer.get(Customer.user == people.customer)
    case = opening.open_case(people.agent, replacement, {**GOOD, "cf_stock_note": "Ship from Leeds"},
                             customer=customer)
    login(people.agent)
    assert "Ship from Leeds" in client.get(f"/cases/{case.reference}").get_data(as_text=True)
    customer_client = app.test_client()
    sign_in(customer_client, people.customer)
    assert "Ship from Leeds" not in customer_client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_proxy_files_for_a_contact_of_an_account_and_is_its_internal_contact(client, people, login, replacement):
    account = base_factories.account(name="Harbour Hotels")
    contact = base_factories.customer(first_name="Hana", last_name="Harbour", account=account)
    login(people.proxy)
    assert "Harbour Hotels" in client.get("/cases/new").get_data(as_text=True)
    assert "Replacement request" in client.get(f"/cases/new?customer={contact.uuid}&asset=").get_data(as_text=True)
    response = post_form(client, f"{form_url(replacement)}?account={account.uuid}&customer={contact.uuid}", GOOD)
    assert response.status_code == 302
    case = Case.get()
    assert (case.customer_id, case.created_by_id, case.internal_contact_id) == (contact.id, people.proxy.id,
                                                                               people.proxy.id)


def test_customer_without_a_profile_gets_a_clear_message(client, people, login, replacement):
    unlinked = base_factories.user(role="customer", verified=False)
    unlinked.email_verified_at = people.customer.email_verified_at
    unlinked.save()
    login(unlinked)
    response = post_form(client, form_url(replacement), GOOD)
    assert response.status_code == 400
    assert "not linked to a customer profile" in response.get_data(as_text=True)


def test_customer_cannot_file_for_another_customer(app, people, replacement):
    other = Customer.get(Customer.user == people.other_customer)
    with pytest.raises(opening.NotAllowed):
        opening.open_case(people.customer, replacement, GOOD, customer=other)


def test_retiring_a_template_keeps_old_cases_and_their_values_visible(client, people, login, replacement):
    customer = Customer.get(Customer.user == people.customer)
    case = opening.open_case(people.customer, replacement, GOOD, customer=customer)
    config_service.retire_template(people.admin, replacement)
    placed = replacement.template_fields.where(
        replacement.template_fields.model.field == CaseFieldValue.get(CaseFieldValue.value == "HS123456").field
    ).get()
    config_service.remove_condition(people.admin, replacement.conditions.get())
    config_service.remove_template_field(people.admin, placed)
    headset = FieldOption.get(FieldOption.value == "headset")
    config_service.save_option(people.admin, headset.field, headset, label="Wireless headset", active=False)
    login(people.customer)
    assert "Replacement request" not in client.get("/cases/new").get_data(as_text=True)
    page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Replacement request" in page
    assert "Wireless headset" in page  # an inactive option still shows its label
    assert "HS123456" in page  # a field taken off the template still shows its value


def test_references_are_unique_even_when_the_random_draw_repeats(app, people, replacement, monkeypatch):
    customer = Customer.get(Customer.user == people.customer)
    draws = iter(["12345678", "12345678", "87654321"])
    monkeypatch.setattr(opening, "new_reference", lambda: next(draws))
    first = opening.open_case(people.customer, replacement, GOOD, customer=customer)
    second = opening.open_case(people.customer, replacement, GOOD, customer=customer)
    assert (first.reference, second.reference) == ("12345678", "87654321")
