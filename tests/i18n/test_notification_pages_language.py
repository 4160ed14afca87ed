"""The notification pages in the reader's language: the template list and editor (with a refused save's
reason), the rules, the preferences page with its flash, and the outbox, for users whose language is
German or Spanish."""

from __future__ import annotations

import pytest

from tests import factories
from tests.fixtures import post_form, sign_in

EDIT_URL = "/admin/notifications/templates/case_created/email"
SMS_URL = "/admin/notifications/templates/case_created/sms"


@pytest.fixture
def admin_de(app):
    user = factories.user(role="admin", email="ada.de@example.com", display_name="Ada Admin", language="de")
    client = app.test_client()
    sign_in(client, user)
    return client


@pytest.fixture
def admin_es(app):
    user = factories.user(role="admin", email="ada.es@example.com", display_name="Ada Admin", language="es")
    client = app.test_client()
    sign_in(client, user)
    return client


def test_the_template_list_is_in_german_with_the_shipped_translations_as_overrides(admin_de):
    page = admin_de.get("/admin/notifications").get_data(as_text=True)
    assert "<h1>Benachrichtigungen</h1>" in page and "Wer was erfährt" in page
    assert "Ereignisse und ihre Nachrichtenvorlagen" in page and "Abweichende Fassungen" in page
    assert "<strong>Fall eröffnet</strong>" in page and "Passwort zurücksetzen" in page
    # The shipped translations are overrides named in their own language.
    assert "E-Mail · Deutsch" in page and "SMS · Español" in page
    assert "Case created" not in page and "Overrides" not in page


def test_the_editor_is_in_german(admin_de):
    page = admin_de.get(EDIT_URL + "?language=de").get_data(as_text=True)
    assert "<h1>Fall eröffnet: E-Mail</h1>" in page
    assert "Veröffentlichte Version" in page and "Diese Fassung öffnen" in page
    assert ">Betreff" in page and "Vorschau mit Fall" in page and ">Speichern</button>" in page
    assert "Die 8-stellige Fallnummer." in page and "Test an mich senden" in page
    # The German default text is what the slot holds.
    assert "Wir haben Ihren Fall erhalten" in page


def test_a_refused_save_gives_its_reason_in_german(admin_de):
    response = post_form(admin_de, EDIT_URL, {"subject": "{{ password }}", "text": "x", "html": "", "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Betreff: subject: unbekannte Variable(n) password; verfügbar: case_reference" in page


def test_a_refused_save_quotes_the_template_escaped(admin_de):
    # The reason quotes what the admin typed: a translated (lazy) message shows it as text, not markup.
    typed = '{{ case_title["_<img src=x onerror=alert(1)>"] }}'
    response = post_form(admin_de, EDIT_URL, {"subject": typed, "text": "x", "html": "", "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Betreff: subject, Zeile 1: „_&lt;img src=x onerror=alert(1)&gt;“ ist nicht erlaubt" in page
    assert "<img src=x" not in page


def test_the_sms_preview_counts_segments_in_german(admin_de):
    response = post_form(admin_de, SMS_URL, {"text": "Fall {{ case_reference }}", "action": "preview"})
    page = response.get_data(as_text=True)
    assert "Zeichen, <strong>1 Segment</strong>" in page and "(mit Beispieldaten; nicht gespeichert)" in page


def test_the_rules_page_refuses_a_channel_without_a_template_in_german(admin_de):
    page = admin_de.get("/admin/notifications/rules").get_data(as_text=True)
    assert "<h1>Wer was erfährt</h1>" in page and "Regeln speichern" in page
    response = post_form(admin_de, "/admin/notifications/rules", {"case_opened_for_team.workgroup.sms": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Es gibt ein Problem" in page and "Es wurde nichts gespeichert." in page
    assert "„Neuer Fall für das Team“ hat noch keine SMS-Vorlage." in page


def test_the_preferences_page_and_its_flash_are_in_german(app):
    karla = factories.user(role="customer", email="karla@example.com", display_name="Karla Kundin", language="de")
    client = app.test_client()
    sign_in(client, karla)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "<h1>Benachrichtigungseinstellungen</h1>" in page and "Neuigkeiten, die Sie betreffen" in page
    assert "Fall eröffnet" in page and "Einstellungen speichern" in page
    response = post_form(client, "/account/notifications", {"case_created.email": "1"}, follow_redirects=True)
    assert "Ihre Benachrichtigungseinstellungen sind gespeichert." in response.get_data(as_text=True)


def test_the_outbox_is_in_german(app, admin_de, deliver):
    response = post_form(admin_de, EDIT_URL + "/test", {}, page=EDIT_URL, follow_redirects=True)
    assert "Ein Test (eine E-Mail an ada.de@example.com) mit den Beispieldaten ist für Sie eingereiht" in \
        response.get_data(as_text=True)
    deliver()
    page = admin_de.get("/notifications/outbox").get_data(as_text=True)
    assert "<h1>Postausgang</h1>" in page and "Jede E-Mail und SMS, und ob sie angekommen ist." in page
    assert "Gesendet" in page and "Filter zurücksetzen" in page and "Letzter Fehler" in page
    detail_url = page.split('href="/notifications/outbox/', 1)[1].split('"', 1)[0]
    detail = admin_de.get(f"/notifications/outbox/{detail_url}").get_data(as_text=True)
    assert "Zustellung" in detail and "Versuche" in detail and "Gesendet <span class=\"muted\">(sent)</span>" in detail


def test_the_pages_are_in_spanish_too(admin_es):
    page = admin_es.get("/admin/notifications").get_data(as_text=True)
    assert "<h1>Notificaciones</h1>" in page and "<strong>Caso creado</strong>" in page
    response = post_form(admin_es, EDIT_URL, {"subject": "{{ password }}", "text": "x", "html": "", "action": "save"})
    assert "Asunto: subject: variable(s) desconocida(s) password" in response.get_data(as_text=True)
    assert "<h1>Bandeja de salida</h1>" in admin_es.get("/notifications/outbox").get_data(as_text=True)
