"""Filing on behalf of customers: proxies pick account → contact → template → form (which asks for the
product or asset, when its template asks) and become the internal contact; staff file from a customer's
profile; the service refuses every target that does not hold together, whatever the form sends."""

import re
import uuid

import pytest

from portal.cases.service import opening
from portal.errors import NotAllowed, NotFound, ValidationFailed
from portal.models.cases import Case, CaseEvent
from portal.models.people import Customer
from tests import factories as base_factories
from tests.case_config import factories
from tests.cases.filing_setup import GOOD, form_url, world_fixture  # noqa: F401 - the world fixture
from tests.fixtures import post_form, sign_in


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_proxy_walks_from_account_to_contact_template_and_form(client, people, login, world):
    login(people.proxy)
    search = page_of(client, "/cases/new?q=harb")
    assert f'href="/cases/new?account={world.harbour.uuid}"' in search and "Inland Inns" not in search
    contacts = page_of(client, f"/cases/new?account={world.harbour.uuid}")
    assert "Hana Harbour" in contacts and "Ivo Inland" not in contacts
    # The contact step asks only for the customer: the product is asked once, on the form.
    assert "Lobby printer" not in contacts and 'name="asset"' not in contacts and "Product" not in contacts
    chosen = f"account={world.harbour.uuid}&customer={world.hana.uuid}&from=contact"
    templates = page_of(client, f"/cases/new?{chosen}")
    assert "General request" in templates and "Who the case is for" in templates
    url = form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid)
    form = page_of(client, url)
    for text in ("Hana Harbour", "Harbour Hotels", "You (Pia Proxy)", 'enctype="multipart/form-data"',
                 '<option selected value="">None in particular</option>', "Lobby printer (PR-1)"):
        assert text in form
    assert "Old router" not in form and "Inland kiosk" not in form  # inactive, and another account's
    assert form.count("Product or asset") == 1  # asked once, on the form
    response = post_form(client, url, {**GOOD, "asset": world.printer.uuid})
    assert response.status_code == 302
    case = Case.get()
    assert (case.customer_id, case.asset_id, case.created_by_id, case.internal_contact_id) == (
        world.hana.id, world.printer.id, people.proxy.id, people.proxy.id)
    assert CaseEvent.get(CaseEvent.case == case).actor_id == people.proxy.id


def test_proxy_choosing_no_contact_is_asked_to_choose_one(client, people, login, world):
    login(people.proxy)
    response = client.get(f"/cases/new?account={world.harbour.uuid}&customer=&asset=")
    assert response.status_code == 400
    assert re.search(r'id="customer-error">Choose the customer the case is for.<', response.get_data(as_text=True))


def test_continue_with_no_contact_chosen_says_so_instead_of_reloading(client, people, login, world):
    login(people.proxy)
    # What a browser sends from the contact step when no radio button is chosen: no "customer" at all.
    response = client.get(f"/cases/new?account={world.harbour.uuid}&from=contact")
    assert response.status_code == 400
    assert re.search(r'id="customer-error">Choose the customer the case is for.<', response.get_data(as_text=True))
    assert client.get(f"/cases/new?account={world.harbour.uuid}").status_code == 200  # arriving: no error yet


def test_the_form_asks_no_product_when_the_account_has_none(client, people, login, world):
    account = base_factories.account(name="Bare Bistro")
    contact = base_factories.customer(first_name="Bea", account=account)
    login(people.proxy)
    assert "General request" in page_of(client, f"/cases/new?customer={contact.uuid}")
    form = page_of(client, form_url(world.template, customer=contact.uuid))
    assert 'name="asset"' not in form and "Product or asset" not in form


def test_changing_who_it_is_for_returns_to_the_contact_step_with_the_customer_chosen(client, people, login, world):
    login(people.proxy)
    form = page_of(client, form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid))
    link = re.search(r'href="(/cases/new\?[^"]*change=1[^"]*)">Change who it is for', form)
    step = page_of(client, link.group(1).replace("&amp;", "&"))
    assert re.search(rf'value="{world.hana.uuid}" checked', step) and 'name="from" value="contact"' in step


REFUSALS = {
    "contact of another account": (lambda w: {"account": w.harbour.uuid, "customer": w.ivo.uuid},
                                   "Ivo Inland is not a contact of Harbour Hotels"),
    "asset of another account": (lambda w: {"account": w.harbour.uuid, "customer": w.hana.uuid,
                                            "asset": w.inland_asset.uuid},
                                 "Inland kiosk does not belong to Hana Harbour's account"),
    "inactive asset": (lambda w: {"account": w.harbour.uuid, "customer": w.hana.uuid, "asset": w.old_router.uuid},
                       "Old router is no longer in use"),
    "forged customer": (lambda w: {"account": w.harbour.uuid, "customer": uuid.uuid4()},
                        "We could not find that customer"),
    "junk customer": (lambda w: {"customer": "1%27%20OR%201=1"}, "We could not find that customer"),
    "forged asset": (lambda w: {"customer": w.hana.uuid, "asset": uuid.uuid4()},
                     "We could not find that product or asset"),
    "contact without account": (lambda w: {"customer": w.loner.uuid}, "Lone Walker is not a contact of any account"),
}


@pytest.mark.parametrize("case_name", list(REFUSALS))
def test_proxy_post_with_a_target_that_does_not_hold_together_is_refused_and_saves_nothing(
        client, people, login, world, case_name):
    target, message = REFUSALS[case_name]
    login(people.proxy)
    # The form page itself is reached with a good target; the forged one arrives with the POST.
    good_page = form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid)
    chosen = target(world)
    asset = chosen.pop("asset", None)  # the product or asset is chosen on the form itself
    body = {**GOOD, "asset": asset} if asset else GOOD
    response = post_form(client, form_url(world.template, **chosen), body, page=good_page)
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert message in html
    if asset:  # next to the field, which keeps being asked
        assert re.search(rf'id="asset-error">{re.escape(message)}', html) and 'aria-invalid="true"' in html
    assert 'value="Printer jams"' in html  # what they typed is kept
    assert Case.select().count() == 0 and CaseEvent.select().count() == 0


@pytest.mark.parametrize("case_name", list(REFUSALS))
def test_picker_pages_explain_a_target_that_does_not_hold_together(client, people, login, world, case_name):
    target, message = REFUSALS[case_name]
    login(people.proxy)
    query = "&".join(f"{k}={v}" for k, v in target(world).items())
    response = client.get(f"/cases/new?{query}&asset=" if "asset" not in query else f"/cases/new?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


def test_service_rechecks_the_asset_whoever_calls_it(app, people, world):
    with pytest.raises(ValidationFailed) as refused:
        opening.open_case(people.proxy, world.template, GOOD, customer=world.hana, asset=world.inland_asset)
    assert "asset" in refused.value.fields
    with pytest.raises(ValidationFailed):
        opening.open_case(people.agent, world.template, GOOD, customer=world.hana, asset=world.old_router)
    assert Case.select().count() == 0


def test_proxy_sees_the_case_they_filed_and_another_proxy_gets_404(app, client, people, login, world):
    case = opening.open_case(people.proxy, world.template, GOOD, customer=world.hana, asset=world.printer)
    login(people.proxy)
    page = page_of(client, f"/cases/{case.reference}")
    assert "Printer jams" in page
    other_proxy = base_factories.user(role="proxy", email="pat@example.com")
    other_client = app.test_client()
    sign_in(other_client, other_proxy)
    assert other_client.get(f"/cases/{case.reference}").status_code == 404


def test_the_contact_sees_a_case_filed_for_them(app, people, world):
    hana_user = base_factories.user(role="customer", email="hana@example.com")
    Customer.delete().where(Customer.user == hana_user).execute()  # sign-up made a profile; use the account's
    world.hana.user = hana_user
    world.hana.save()
    case = opening.open_case(people.proxy, world.template, GOOD, customer=world.hana)
    client = app.test_client()
    sign_in(client, hana_user)
    assert client.get(f"/cases/{case.reference}").status_code == 200


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_staff_file_for_a_customer_from_the_profile_page(client, people, login, world, role):
    login(people.by_role(role))
    profile = page_of(client, f"/customers/{world.hana.uuid}")
    link = re.search(r'href="(/cases/new\?customer=[^"]+)"[^>]*>New case for Hana', profile)
    assert link, "the profile page offers a new case"
    step = page_of(client, link.group(1).replace("&amp;", "&"))
    assert "Who the case is for" in step and "General request" in step  # nothing else to ask before the form
    url = form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid)
    response = post_form(client, url, {**GOOD, "asset": world.printer.uuid})
    assert response.status_code == 302
    case = Case.get()
    assert (case.customer_id, case.asset_id, case.created_by_id, case.internal_contact_id) == (
        world.hana.id, world.printer.id, people.by_role(role).id, None)


def test_staff_may_file_for_a_customer_without_an_account(client, people, login, world):
    login(people.agent)
    assert "General request" in page_of(client, f"/cases/new?customer={world.loner.uuid}")
    assert post_form(client, form_url(world.template, customer=world.loner.uuid), GOOD).status_code == 302
    assert Case.get().customer_id == world.loner.id


def test_customer_forging_another_customer_in_the_post_is_refused(client, people, login, world):
    login(people.customer)
    other = Customer.get(Customer.user == people.other_customer)
    response = post_form(client, form_url(world.template, customer=other.uuid), GOOD,
                         page=form_url(world.template))
    assert response.status_code == 400
    assert "You can only open cases for yourself." in response.get_data(as_text=True)
    assert Case.select().count() == 0


def test_customer_is_never_shown_the_account_picker(client, people, login, world):
    login(people.customer)
    page = page_of(client, f"/cases/new?account={world.harbour.uuid}&q=harb")
    assert "Harbour Hotels" not in page and "Hana Harbour" not in page
    assert "General request" in page


def test_proxy_opening_a_form_without_choosing_a_customer_is_sent_to_choose_one(client, people, login, world):
    login(people.proxy)
    response = client.get(form_url(world.template))
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/new")


@pytest.mark.parametrize("role, flag", [("proxy", "for_proxies"), ("agent", "for_staff"), ("admin", "for_staff"),
                                        ("customer", "for_customers")])
def test_templates_offered_follow_the_audience_flag_of_the_role(client, people, login, world, role, flag):
    flags = {"for_customers": False, "for_proxies": False, "for_staff": False}
    offered = factories.template(people.admin, name="Offered form", **{**flags, flag: True})
    factories.template(people.admin, name="Hidden form", **{**flags, **{k: True for k in flags if k != flag}})
    login(people.by_role(role))
    query = "" if role == "customer" else f"?customer={world.hana.uuid}&asset="
    page = page_of(client, f"/cases/new{query}")
    assert "Offered form" in page and "Hidden form" not in page
    target = {} if role == "customer" else {"customer": world.hana.uuid}
    assert client.get(form_url(offered, **target)).status_code == 200


def test_service_refuses_a_customer_filing_for_someone_else_when_called_directly(app, people, world):
    """The rules live in the service, so every channel (not only the web form) gets them."""
    with pytest.raises(NotAllowed):
        opening.open_case(people.customer, world.template, GOOD, customer=world.hana)


def test_customer_opens_a_follow_up_case_linked_to_the_earlier_one(client, people, login, world):
    customer = Customer.get(Customer.user == people.customer)
    earlier = opening.open_case(people.customer, world.template, GOOD, customer=customer)
    login(people.customer)
    start = page_of(client, f"/cases/new?follow_up={earlier.reference}")
    assert f"follows up case <a href=\"/cases/{earlier.reference}\">" in start
    assert f"{world.template.uuid}?follow_up={earlier.reference}" in start
    response = post_form(client, f"{form_url(world.template)}?follow_up={earlier.reference}", GOOD)
    assert response.status_code == 302
    assert Case.get(Case.id != earlier.id).follow_up_of_id == earlier.id


def test_a_follow_up_of_a_case_the_user_may_not_see_is_ignored_and_not_revealed(client, people, login, world):
    other = Customer.get(Customer.user == people.other_customer)
    hidden = opening.open_case(people.other_customer, world.template, {**GOOD, "title": "Secret title"},
                               customer=other)
    login(people.customer)
    assert "Secret title" not in page_of(client, f"/cases/new?follow_up={hidden.reference}")
    post_form(client, f"{form_url(world.template)}?follow_up={hidden.reference}", GOOD)
    assert Case.get(Case.id != hidden.id).follow_up_of_id is None


def test_proxy_follow_up_starts_with_the_earlier_cases_customer_and_asset(client, people, login, world):
    earlier = opening.open_case(people.proxy, world.template, GOOD, customer=world.hana, asset=world.printer)
    login(people.proxy)
    page = page_of(client, f"/cases/new?follow_up={earlier.reference}")
    assert "Who the case is for" in page and "Hana Harbour" in page
    link = re.search(rf'href="(/cases/new/{world.template.uuid}\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert f"asset={world.printer.uuid}" in link
    form = page_of(client, link)
    assert f'<option selected value="{world.printer.uuid}">Lobby printer (PR-1)</option>' in form  # pre-selected
    action = re.search(r'action="([^"]+)" enctype', form).group(1).replace("&amp;", "&")
    assert "asset=" not in action  # the choice travels in the form, not the address
    assert post_form(client, action, {**GOOD, "asset": world.printer.uuid}).status_code == 302
    follow_up = Case.get(Case.id != earlier.id)
    assert (follow_up.follow_up_of_id, follow_up.asset_id, follow_up.internal_contact_id) == (
        earlier.id, world.printer.id, people.proxy.id)


def test_service_refuses_a_follow_up_of_a_case_the_actor_may_not_see(app, people, world):
    earlier = opening.open_case(people.agent, world.template, GOOD, customer=world.hana)
    other_proxy = base_factories.user(role="proxy", email="pat@example.com")
    with pytest.raises(NotFound):
        opening.open_case(other_proxy, world.template, GOOD, customer=world.hana, follow_up_of=earlier)


def test_customer_naming_another_accounts_asset_learns_nothing_about_it(client, people, login, world):
    customer = Customer.get(Customer.user == people.customer)
    customer.account = world.harbour
    customer.save()
    login(people.customer)
    response = post_form(client, form_url(world.template, account=world.inland.uuid),
                         {**GOOD, "asset": world.inland_asset.uuid}, page=form_url(world.template))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="asset-error">That product or asset is not one of your account', html.replace("&#39;", "'"))
    assert "Inland" not in html and Case.select().count() == 0


def test_a_huge_account_lists_only_the_first_contacts_and_says_so(client, people, login, world, monkeypatch):
    from portal.cases.routes import filing

    monkeypatch.setattr(filing, "PICKER_LIMIT", 1)
    base_factories.customer(first_name="Zed", last_name="Zulu", account=world.harbour)
    login(people.agent)
    page = page_of(client, f"/cases/new?account={world.harbour.uuid}")
    assert "Hana Harbour" in page and "Zed Zulu" not in page
    assert "only the first contacts are listed" in page
