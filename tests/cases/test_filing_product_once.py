"""The product is asked once: a template says whether its form asks which of the customer's account's
products or assets the case is about (on by default); one with a product field of its own turns it off,
and then nobody is asked for an asset and the case shows only the template's own field."""

import re

import pytest

from portal.cases.service import opening
from portal.errors import ValidationFailed
from portal.models.cases import Case, CaseEvent
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer
from tests.case_config import factories
from tests.cases.filing_setup import GOOD, form_url, world_fixture  # noqa: F401 - the world fixture
from tests.fixtures import post_form, sign_in


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


@pytest.fixture(name="own_product")
def own_product_fixture(people):
    """A template with a Product field of its own, which therefore does not ask for an asset."""
    product = factories.select_field(people.admin, key="product", label="Product",
                                     options={"Caseport Cloud": "cloud", "Hardware kit": "hardware"})
    return factories.template(people.admin, name="Technical issue", fields=[(product, True)], asks_asset=False)


def test_templates_ask_for_the_asset_unless_told_otherwise(app, people, world, own_product):
    assert world.template.asks_asset is True
    assert CaseTemplate.get_by_id(own_product.id).asks_asset is False


def test_a_template_with_its_own_product_field_never_asks_for_an_asset(client, people, login, world, own_product):
    login(people.proxy)
    # Even an asset in the link (a follow-up's, a bookmark) is ignored without a word.
    url = form_url(own_product, account=world.harbour.uuid, customer=world.hana.uuid, asset=world.printer.uuid)
    form = page_of(client, url)
    assert 'name="asset"' not in form and "Product or asset" not in form and "Lobby printer" not in form
    assert form.count(">Product <") == 1 or form.count(">Product<") == 1  # its own field, once
    action = re.search(r'action="([^"]+)" enctype', form).group(1).replace("&amp;", "&")
    assert "asset=" not in action
    # A hand-made POST naming an asset is not taken either: the form does not ask it.
    response = post_form(client, url, {**GOOD, "cf_product": "hardware", "asset": world.printer.uuid})
    assert response.status_code == 302, response.get_data(as_text=True)
    case = Case.get()
    assert case.asset_id is None
    page = page_of(client, f"/cases/{case.reference}")
    assert "Hardware kit" in page and "Product or asset" not in page and "Lobby printer" not in page


def test_a_template_that_asks_shows_the_choice_and_the_case_names_it_once(client, people, login, world):
    login(people.proxy)
    url = form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid)
    form = page_of(client, url)
    choice = re.search(r'<select[^>]*name="asset"[^>]*>(.*?)</select>', form, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", choice) == ["None in particular", "Lobby printer (PR-1)"]
    assert form.index('name="asset"') < form.index('name="title"')  # at the top of the form
    response = post_form(client, url, {**GOOD, "asset": world.printer.uuid})
    assert response.status_code == 302
    case = Case.get()
    assert case.asset_id == world.printer.id
    page = page_of(client, response.headers["Location"])
    assert re.search(r"<dt>Product or asset</dt><dd>Lobby printer \(PR-1\)</dd>", page)
    assert ">Product<" not in page


def test_choosing_none_in_particular_opens_the_case_without_an_asset(client, people, login, world):
    login(people.proxy)
    url = form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid)
    assert post_form(client, url, {**GOOD, "asset": ""}).status_code == 302
    assert Case.get().asset_id is None


def test_a_customer_of_an_account_with_assets_chooses_their_own(client, people, login, world):
    customer = Customer.get(Customer.user == people.customer)
    customer.account = world.harbour
    customer.save()
    login(people.customer)
    form = page_of(client, form_url(world.template))
    assert "Lobby printer (PR-1)" in form and "Inland kiosk" not in form and "Old router" not in form
    assert "Who the case is for" not in form  # customers file for themselves
    response = post_form(client, form_url(world.template), {**GOOD, "asset": world.printer.uuid})
    assert response.status_code == 302
    case = Case.get()
    assert (case.customer_id, case.asset_id) == (customer.id, world.printer.id)
    assert "Lobby printer (PR-1)" in page_of(client, f"/cases/{case.reference}")


def test_a_customer_without_an_account_is_not_asked(client, people, login, world):
    login(people.customer)
    form = page_of(client, form_url(world.template))
    assert 'name="asset"' not in form and "Product or asset" not in form


def test_another_accounts_asset_is_refused_next_to_the_field_and_nothing_is_created(client, people, login, world):
    login(people.proxy)
    url = form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid)
    response = post_form(client, url, {**GOOD, "title": "", "asset": world.inland_asset.uuid})
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    refusal = "Inland kiosk does not belong to Hana Harbour's account. Choose one of its products or assets, or none."
    assert f'<p class="error" id="asset-error">{refusal}</p>' in html
    assert f'<a href="#asset">Product or asset: {refusal}</a>' in html  # in the summary, linked to the field
    assert re.search(r'<p class="error" id="title-error">', html)  # the other problem in the same answer
    assert 'value="Printer jams"' not in html and "Every third page jams in tray 2." in html  # kept as typed
    assert Case.select().count() == 0 and CaseEvent.select().count() == 0


def test_a_link_with_an_asset_preselects_it_on_a_form_that_asks(client, people, login, world):
    login(people.agent)
    form = page_of(client, form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid,
                                    asset=world.printer.uuid))
    assert f'<option selected value="{world.printer.uuid}">Lobby printer (PR-1)</option>' in form
    # Another account's or a retired asset in the link is not offered, and not mentioned.
    for other in (world.inland_asset, world.old_router):
        form = page_of(client, form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid,
                                        asset=other.uuid))
        assert '<option selected value="">None in particular</option>' in form and other.name not in form


def test_the_service_refuses_an_asset_the_template_does_not_ask_for(app, people, world, own_product):
    with pytest.raises(ValidationFailed) as refused:
        opening.open_case(people.agent, own_product, {**GOOD, "cf_product": "cloud"}, customer=world.hana,
                          asset=world.printer)
    assert "asset" in refused.value.fields
    assert Case.select().count() == 0


def test_the_form_asks_in_the_readers_language(client, people, login, world):
    people.proxy.language = "de"
    people.proxy.save()
    login(people.proxy)
    url = form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid)
    form = page_of(client, url)
    assert '<label for="asset">Produkt oder Gerät</label>' in form
    assert "Optional: eines der für Harbour Hotels registrierten Produkte oder Geräte, falls es" in form
    assert '<option selected value="">Keines im Besonderen</option>' in form
    html = post_form(client, url, {**GOOD, "asset": world.inland_asset.uuid}).get_data(as_text=True)
    assert "Inland kiosk gehört nicht zum Konto von Hana Harbour." in html


def test_the_admin_turns_the_question_off_on_the_template_page(app, client, people, login, world):
    login(people.admin)
    page = page_of(client, f"/admin/templates/{world.template.uuid}")
    assert re.search(r'<input aria-describedby="asks_asset-help" checked id="asks_asset" name="asks_asset" '
                     r'type="checkbox" value="y"> <label for="asks_asset">Ask which product or asset the case is '
                     r'about</label>', page)
    assert "Turn it off when the template has a product field of its own" in page
    response = post_form(client, f"/admin/templates/{world.template.uuid}",
                         {"name": "General request", "for_customers": "y", "for_proxies": "y", "for_staff": "y",
                          "default_priority": "normal"})  # the box unticked
    assert response.status_code == 302
    assert CaseTemplate.get_by_id(world.template.id).asks_asset is False
    proxy = app.test_client()
    sign_in(proxy, people.proxy)
    form = page_of(proxy, form_url(world.template, account=world.harbour.uuid, customer=world.hana.uuid))
    assert 'name="asset"' not in form


def test_the_admin_reads_the_setting_in_their_language(client, people, login, world):
    people.admin.language = "es"
    people.admin.save()
    login(people.admin)
    page = page_of(client, f"/admin/templates/{world.template.uuid}")
    assert '<label for="asks_asset">Preguntar de qué producto o equipo trata el caso</label>' in page
    assert "Desactívelo cuando la plantilla de caso tenga su propio campo de producto" in page


def test_a_follow_up_of_a_case_about_a_retired_asset_starts_without_it(client, people, login, world):
    earlier = opening.open_case(people.proxy, world.template, GOOD, customer=world.hana, asset=world.printer)
    world.printer.active = False
    world.printer.save()
    login(people.proxy)
    page = page_of(client, f"/cases/new?follow_up={earlier.reference}")
    assert "Hana Harbour" in page and "General request" in page and "asset=" not in page
