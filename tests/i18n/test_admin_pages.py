"""The case settings and people admin pages in the admin's language, and the checks of case values in
the language of whoever files the case: headings, labels, buttons, labels of codes (field types,
status categories, template states, roles), flash messages and refusals. What admins typed (names,
labels, their own format messages) stays as typed."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask_babel import force_locale

from portal.case_config import service
from portal.case_config.service.values import validate_case_values
from portal.errors import ValidationFailed
from portal.models.configuration import CaseField, CaseReason, TemplateField
from tests.case_config import factories
from tests.fixtures import post_form


def speaks(user, language: str):
    user.language = language
    user.save()
    return user


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def error_next_to(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    assert match, f"no error next to {field_id}"
    return unescape(match.group(1))


@pytest.fixture
def german_admin(people, login):
    login(speaks(people.admin, "de"))
    return people.admin


@pytest.fixture
def settings(people):
    kind = factories.select_field(people.admin, {"Hardware": "hardware"}, key="kind", label="Kind")
    serial = factories.case_field(people.admin, key="serial", label="Serial")
    template = factories.template(people.admin, name="Technical issue", fields=[kind, serial],
                                  default_priority="high", for_staff=False)
    service.add_condition(people.admin, template, target=serial, action="show", source=kind, value="hardware")
    service.save_reason(people.admin, None, name="Billing")
    return {"template": template, "kind": kind, "serial": serial}


# --- an admin whose language is German -----------------------------------------------------------------


def test_the_fields_page_is_german_with_the_field_types_translated(client, german_admin, settings):
    page = text_of(client.get("/admin/fields"))
    assert "<h1>Fallfelder</h1>" in page
    assert "Neues Feld" in page and "Wer es sieht" in page
    assert "Auswahl (eine Option)" in page  # the type of "Kind", a label defined in code
    assert "Kind" in page and "Serial" in page  # what the admin typed stays as typed
    assert "Case fields" not in page and "Single-select" not in page


def test_the_new_field_form_is_german_down_to_its_choices(client, german_admin):
    page = text_of(client.get("/admin/fields/new"))
    assert "Bezeichnung" in page and "Hilfetext für Kunden" in page and "Feld anlegen" in page
    assert ">Webadresse (URL)</option>" in page and ">Nur intern (Mitarbeitende)</option>" in page


def test_the_templates_page_is_german_with_state_audience_and_priority_translated(client, german_admin, settings):
    page = text_of(client.get("/admin/templates"))
    assert "<h1>Fallvorlagen</h1>" in page and "Neue Vorlage" in page
    assert "Veröffentlicht" in page and "Kunden, Vertretungen" in page and "Hoch" in page
    assert "Technical issue" in page


def test_the_template_page_is_german_with_its_conditions_and_hints(client, german_admin, people, settings):
    service.add_condition(people.admin, settings["template"], target=settings["serial"], action="require",
                          source=settings["kind"], value="hardware")
    page = text_of(client.get(f"/admin/templates/{settings['template'].uuid}"))
    assert "Vorlage stilllegen" in page and "Wird jetzt angeboten für: Kunden, Vertretungen." in page
    assert "„Serial“ anzeigen, wenn „Kind“ <code>hardware</code> ist" in page
    assert "Nur nötig, wenn „Kind“ „Hardware“ ist. Pflichtfeld, wenn „Kind“ „Hardware“ ist." in page


def test_the_statuses_page_is_german_with_the_categories_translated(client, german_admin):
    page = text_of(client.get("/admin/statuses"))
    assert "<h1>Status</h1>" in page and "Status hinzufügen" in page
    assert ">Gelöst</span>" in page and ">fest</span>" in page
    assert ">Wartend (auf den Kunden oder jemand anderen)</option>" in page


def test_the_reasons_page_is_german(client, german_admin, settings):
    page = text_of(client.get("/admin/reasons"))
    assert "<h1>Fallgründe</h1>" in page and "Grund hinzufügen" in page and "Billing" in page


def test_the_users_pages_are_german_with_the_roles_translated(client, german_admin, people):
    page = text_of(client.get("/admin/users"))
    assert "<h1>Personen</h1>" in page and "Mitarbeitende einladen" in page and "Filter zurücksetzen" in page
    assert ">Vertretung</td>" in page and ">Einladung ausstehend</option>" in page
    detail = text_of(client.get(f"/admin/users/{people.agent.uuid}"))
    assert "Rolle ändern" in detail and "Letzte Anmeldung" in detail and "<dd>Agent</dd>" in detail
    assert "Es gibt keine aktiven Arbeitsgruppen." in detail


def test_a_refused_field_is_explained_in_german_next_to_each_field(client, german_admin):
    response = post_form(client, "/admin/fields/new", {"label": "", "field_type": "text", "key": "",
                                                       "visibility": "customer", "number_kind": "integer",
                                                       "pattern": "([0-9]", "pattern_message": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_next_to(page, "label") == "Geben Sie eine Bezeichnung ein."
    assert error_next_to(page, "pattern").startswith("Dies ist kein gültiges Muster (")
    assert error_next_to(page, "pattern_message") == ("Beschreiben Sie das Format, zum Beispiel "
                                                      "„8 Ziffern, etwa 12345678“.")


def test_saving_a_reason_flashes_in_german(client, german_admin):
    response = post_form(client, "/admin/reasons", {"name": "Lieferung", "active": "y"}, follow_redirects=True)
    assert "Grund „Lieferung“ wurde hinzugefügt." in text_of(response)
    assert CaseReason.get().name == "Lieferung"


def test_a_refused_removal_is_flashed_in_german(client, german_admin, settings):
    template, kind = settings["template"], settings["kind"]
    response = post_form(client, f"/admin/templates/{template.uuid}/fields/{kind.uuid}/remove", {},
                         page=f"/admin/templates/{template.uuid}")
    assert response.status_code == 400
    assert "Entfernen Sie zuerst die Bedingungen, die dieses Feld verwenden." in text_of(response)


def test_a_template_problem_is_german_and_the_labels_in_it_stay_text(client, german_admin, people):
    kind = factories.select_field(people.admin, {"Hardware": "hardware"}, key="kind", label="<b>Kind</b>")
    serial = factories.case_field(people.admin, key="serial", label="Serial")
    template = factories.template(people.admin, fields=[kind, serial])
    service.add_condition(people.admin, template, target=serial, action="show", source=kind, value="hardware")
    placed = TemplateField.get(TemplateField.field == serial)
    response = post_form(client, f"/admin/templates/{template.uuid}/fields/{serial.uuid}",
                         {"p-serial-section": "top", "p-serial-required": "y"},
                         page=f"/admin/templates/{template.uuid}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ist ein Pflichtfeld, aber ausgeblendet, solange „&lt;b&gt;Kind&lt;/b&gt;“ nicht hardware ist" in page
    assert "<b>Kind</b>" not in page
    assert not TemplateField.get_by_id(placed.id).required


def test_an_english_admin_still_reads_english(client, people, login, settings):
    login(people.admin)
    page = text_of(client.get("/admin/fields"))
    assert "<h1>Case fields</h1>" in page and "Single-select" in page


# --- a customer whose language is Spanish files a case ----------------------------------------------------


@pytest.fixture
def order_form(people):
    product = factories.select_field(people.admin, {"Wireless headset": "headset", "Dock": "dock"}, key="product",
                                     label="Product")
    quantity = factories.case_field(people.admin, "number", key="quantity", label="Quantity", min_value="1")
    serial = factories.case_field(people.admin, key="serial", label="Serial number", pattern=r"[A-Z]{2}\d{6}",
                                  pattern_message="Two capitals and six digits, like HS123456.")
    template = factories.template(people.admin, name="Order problem", fields=[(product, True), quantity, serial])
    service.add_condition(people.admin, template, target=serial, action="require", source=product,
                          value="headset")
    return template


def test_a_spanish_customer_reads_the_case_form_in_spanish(client, people, login, order_form):
    login(speaks(people.customer, "es"))
    page = text_of(client.get(f"/cases/new/{order_form.uuid}"))
    assert "Título" in page and "Resumen" in page and ">Elija una opción</option>" in page
    assert "Obligatorio si «Product» es «Wireless headset»." in page


def test_a_spanish_customer_gets_the_case_value_errors_in_spanish(client, people, login, order_form):
    login(speaks(people.customer, "es"))
    response = post_form(client, f"/cases/new/{order_form.uuid}",
                         {"title": "", "summary": "Falta una pieza.", "cf_product": "", "cf_quantity": "dos"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_next_to(page, "title") == "Introduzca un título."
    assert error_next_to(page, "cf_product") == "Elija una opción."
    assert error_next_to(page, "cf_quantity") == "Introduzca un número entero, por ejemplo 42."


def test_a_spanish_customer_gets_limits_and_conditions_in_spanish_and_the_admins_own_words_as_typed(
        client, people, login, order_form):
    login(speaks(people.customer, "es"))
    response = post_form(client, f"/cases/new/{order_form.uuid}",
                         {"title": "Pedido", "summary": "Falta una pieza.", "cf_product": "headset",
                          "cf_quantity": "0"})
    page = response.get_data(as_text=True)
    assert error_next_to(page, "cf_quantity") == "Introduzca un número igual o mayor que 1."
    assert error_next_to(page, "cf_serial") == "Este dato es obligatorio."
    response = post_form(client, f"/cases/new/{order_form.uuid}",
                         {"title": "Pedido", "summary": "Falta una pieza.", "cf_product": "headset",
                          "cf_quantity": "2", "cf_serial": "hs12"})
    assert error_next_to(response.get_data(as_text=True), "cf_serial") == "Two capitals and six digits, like HS123456."


def test_the_validators_messages_are_put_into_words_when_shown_in_the_readers_language(app, people, order_form):
    with pytest.raises(ValidationFailed) as refused:
        validate_case_values(order_form, {"title": "x", "summary": "y", "cf_product": "dock", "cf_quantity": "x"},
                             "customer")
    message = refused.value.fields["cf_quantity"]
    for language, expected in (("de", "Geben Sie eine ganze Zahl ein, zum Beispiel 42."),
                               ("es", "Introduzca un número entero, por ejemplo 42."),
                               ("en", "Enter a whole number, like 42.")):
        with app.test_request_context("/"), force_locale(language):
            assert str(message) == expected


def test_an_unknown_field_type_label_and_key_stay_as_they_are(app, people):
    field = factories.case_field(people.admin, key="note", label="Note")
    with app.test_request_context("/"), force_locale("de"):
        assert str(CaseField.get_by_id(field.id).type_label) == "Text"
        field.field_type = "mystery"
        assert field.type_label == "mystery"
