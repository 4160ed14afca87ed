"""The customer's cases pages in the customer's language: the dashboard, the new-case form, the case
page with its feed, the messages after commenting and the refusals, dates as people of that language
write them."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from notifier.models import Message
from portal.case_config import service as config_service
from portal.cases.service import conversation, lifecycle
from portal.clock import utcnow
from portal.models.cases import CaseEvent, CaseFieldValue
from portal.models.configuration import CaseStatus
from tests import factories
from tests.case_config import factories as config_factories
from tests.fixtures import csrf_token_from, post_form

# What each language must show (the English, for reference, is the msgid).
WORDS = {
    "de": {
        "dashboard": "Meine Fälle", "open_case": "Fall eröffnen", "status_group": "Statusgruppe",
        "open_group": "Offen", "last_update": "Letzte Änderung", "show_cases": "Fälle anzeigen",
        "more_information": "Weitere Angaben", "files_help": "Optional: Screenshots, Fotos oder Dokumente",
        "activity": "Verlauf", "about": "Über diesen Fall", "opened": "hat den Fall eröffnet",
        "commented": "hat kommentiert", "status_changed": "hat den Status von <em>Open</em> auf <em>Waiting "
                                                          "on you</em> geändert",
        "add_comment": "Kommentar hinzufügen", "comment_added": "Ihr Kommentar wurde hinzugefügt.",
        "empty_comment": "Schreiben Sie einen Kommentar oder hängen Sie eine Datei an.",
        "too_long": "Verwenden Sie höchstens 10000 Zeichen (Sie haben 10001 verwendet).",
        "files_again": "Bitte wählen Sie Ihre Dateien erneut",
        "closed_by": "Dieser Fall wurde bereits am 12. März 2026, 10:02 UTC von Aga Agent geschlossen. Zu einem "
                     "geschlossenen Fall können keine Kommentare hinzugefügt werden.",
        "yes": "Ja", "day": "15. Jan. 2026", "two_hours_ago": "vor 2 Stunden",
        "exact": "12. März 2026, 10:02 UTC",
    },
    "es": {
        "dashboard": "Mis casos", "open_case": "Abrir un caso", "status_group": "Grupo de estados",
        "open_group": "Abierto", "last_update": "Última actualización", "show_cases": "Mostrar casos",
        "more_information": "Más información", "files_help": "Opcional: capturas de pantalla",
        "activity": "Actividad", "about": "Sobre este caso", "opened": "abrió el caso",
        "commented": "comentó", "status_changed": "cambió el estado de <em>Open</em> a <em>Waiting on you</em>",
        "add_comment": "Añadir comentario", "comment_added": "Se ha añadido su comentario.",
        "empty_comment": "Escriba un comentario o adjunte un archivo.",
        "too_long": "Use como máximo 10000 caracteres (ha usado 10001).",
        "files_again": "Vuelva a elegir sus archivos",
        "closed_by": "Aga Agent ya cerró este caso el 12 mar 2026, 10:02 UTC. Un caso cerrado no admite "
                     "comentarios.",
        "yes": "Sí", "day": "15 ene 2026", "two_hours_ago": "hace 2 horas",
        "exact": "12 mar 2026, 10:02 UTC",
    },
}
LANGUAGES = sorted(WORDS)
MARCH_12 = datetime(2026, 3, 12, 10, 2, tzinfo=UTC)


@pytest.fixture(params=LANGUAGES)
def language(request, people, login):
    """The customer, signed in, reads the portal in this language (time zone UTC)."""
    people.customer.language = request.param
    people.customer.save()
    login(people.customer)
    return request.param


@pytest.fixture
def template(people):
    """A customer form with a date and a yes/no field, and a field in "More information"."""
    admin = people.admin
    bought = config_factories.case_field(admin, "date", key="bought_on", label="Date of purchase")
    boxed = config_factories.case_field(admin, "boolean", key="boxed", label="Original box")
    serial = config_factories.case_field(admin, key="serial", label="Serial number")
    template = config_factories.template(admin, name="Replacement request", fields=[bought, boxed, serial])
    placed = template.template_fields.where(template.template_fields.model.field == serial).get()
    config_service.update_template_field(admin, placed, section="more", required=False)
    return template


@pytest.fixture
def case(people, template):
    """The customer's case from that form, opened on 12 March 2026 at 10:02 UTC, with a date and a yes."""
    team = factories.workgroup(people.agent, name="Service desk")
    case = factories.case(people.customer, template=template, workgroup=team, title="Headset crackles")
    CaseEvent.update(created_at=MARCH_12).where(CaseEvent.case == case).execute()
    for field in template.template_fields:
        value = {"date": "2026-01-15", "boolean": "true"}.get(field.field.field_type)
        if value:
            CaseFieldValue.create(case=case, field=field.field, value=value)
    return case


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_dashboard_speaks_the_customers_language(client, language, case):
    words = WORDS[language]
    html = page(client, "/cases")
    for text in ("dashboard", "open_case", "status_group", "open_group", "last_update", "show_cases"):
        assert words[text] in html, text
    assert "Show cases" not in html and "Last update" not in html


def test_the_new_case_form_speaks_the_customers_language(client, language, template):
    words = WORDS[language]
    html = page(client, f"/cases/new/{template.uuid}")
    for text in ("open_case", "more_information", "files_help"):
        assert words[text] in html, text
    assert "Open the case" not in html and "More information" not in html


def test_the_case_page_and_its_feed_speak_the_customers_language(client, language, people, case):
    conversation.add_comment(people.agent, case, "We are on it.", now=utcnow() - timedelta(hours=2))
    waiting = CaseStatus.create(name="Waiting on you", category="waiting")  # admin-typed: stays as typed
    lifecycle.change_status(people.agent, case, waiting.uuid)
    words = WORDS[language]
    html = page(client, f"/cases/{case.reference}")
    for text in ("activity", "about", "opened", "commented", "status_changed", "add_comment"):
        assert words[text] in html, text
    assert f"<strong>Aga Agent</strong> {words['commented']}" in html  # the name a parameter, in bold
    assert "Activity" not in html and "commented" not in html and "About this case" not in html


def test_a_date_field_value_and_feed_times_are_written_as_in_the_language(client, language, people, case):
    conversation.add_comment(people.agent, case, "We are on it.", now=utcnow() - timedelta(hours=2))
    words = WORDS[language]
    html = page(client, f"/cases/{case.reference}")
    assert f'<dd class="case-value">{words["day"]}</dd>' in html
    assert f'<dd class="case-value">{words["yes"]}</dd>' in html
    assert words["two_hours_ago"] in html  # the comment, relative
    assert f'title="{words["exact"]}"' in html  # the case's opening: its exact time on hover
    assert "15 Jan 2026" not in html and "2 hours ago" not in html


def test_the_flash_after_commenting_is_in_the_customers_language(client, language, case):
    response = post_form(client, f"/cases/{case.reference}/comments", {"body": "Any news?"},
                         page=f"/cases/{case.reference}", follow_redirects=True)
    assert WORDS[language]["comment_added"] in response.get_data(as_text=True)


@pytest.mark.parametrize("body, message", [("", "empty_comment"), ("x" * 10_001, "too_long")])
def test_a_refused_comment_says_why_in_the_customers_language(client, language, case, body, message):
    response = post_form(client, f"/cases/{case.reference}/comments", {"body": body},
                         page=f"/cases/{case.reference}")
    assert response.status_code == 400
    assert WORDS[language][message] in response.get_data(as_text=True)


def test_a_comment_on_a_case_closed_meanwhile_says_who_closed_it_when_in_the_language(client, language, people,
                                                                                       case):
    form_page = f"/cases/{case.reference}"
    token_page = page(client, form_page)  # the page read while the case was open
    lifecycle.close_case(people.agent, case, now=MARCH_12)
    response = client.post(f"/cases/{case.reference}/comments",
                           data={"csrf_token": csrf_token_from(token_page), "body": "Hello?"})
    assert response.status_code == 409
    assert WORDS[language]["closed_by"] in response.get_data(as_text=True)


def test_a_refused_case_form_asks_for_the_files_again_in_the_customers_language(client, language, template):
    response = post_form(client, f"/cases/new/{template.uuid}",
                         {"title": "", "summary": "", "files": (io.BytesIO(b"%PDF-1.7\n"), "receipt.pdf")},
                         content_type="multipart/form-data")
    assert response.status_code == 400
    assert WORDS[language]["files_again"] in response.get_data(as_text=True)



def test_the_resolution_reminder_names_the_closing_day_in_the_customers_language_and_zone(app, people, case):
    people.customer.language, people.customer.time_zone = "de", "Pacific/Auckland"
    people.customer.save()
    assert app.config["RESOLUTION_AUTOCLOSE_DAYS"] == 7
    proposed = datetime(2026, 3, 12, 20, 0, tzinfo=UTC)  # closes 19 March 20:00 UTC: the 20th in Auckland
    lifecycle.propose_resolution(people.agent, case, "A new headset is on its way.", now=proposed)
    assert lifecycle.remind_unanswered_resolutions(now=proposed + timedelta(days=4)) == 1
    reminder = Message.get(Message.event == "case_resolution_reminder")
    assert reminder.context["closes_on"] == "20. März 2026"


def test_a_case_closed_for_want_of_an_answer_says_so_in_the_readers_language(client, language, people, case):
    proposed = utcnow() - timedelta(days=30)
    lifecycle.propose_resolution(people.agent, case, "A new headset is on its way.", now=proposed)
    assert lifecycle.close_unanswered_resolutions() == 1
    expected = {"de": "Automatisch geschlossen: Auf die vorgeschlagene Lösung kam keine Antwort.",
                "es": "Cerrado automáticamente: la solución propuesta no recibió respuesta."}[language]
    assert expected in page(client, f"/cases/{case.reference}")
