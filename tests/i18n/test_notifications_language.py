"""Notifications go out in the recipient's language: the shipped German and Spanish translation of
each default template (staff edits win), de-AT falling back to de and an unshipped language to the
default, with times in the recipient's language and zone; delivered through a real SMTP server."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from notifier.models import EMAIL, SMS, Template, TemplateVersion
from notifier.rendering import check_parts, render_parts
from notifier.templates import DEFAULT_FILES, active_template, default_parts, language_candidates, save_version
from notifier.templates import versions as template_versions
from portal.accounts.service.password_changes import request_password_reset
from portal.i18n import format_moment
from portal.models.cases import Case
from portal.notify.catalogue import EVENTS
from tests import factories
from tests.case_config import factories as config_factories
from tests.fixtures import post_form, sign_in
from tests.servers import smtp_server  # noqa: F401 - a real SMTP server for delivery

FOLDER = Path(__file__).resolve().parents[2] / "templates" / "notifications"
SHIPPED = ("de", "es")
PART_FILES = sorted({name for files in DEFAULT_FILES.values() for name in files.values()})
EVENT_FOLDERS = sorted(p.name for p in FOLDER.iterdir() if p.is_dir())
FILING = {"title": "Drucker klemmt", "summary": "Jede dritte Seite klemmt in Fach 2."}


@pytest.fixture
def smtp(app, smtp_server):  # noqa: F811
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_SECURITY="none",
                      SMTP_USERNAME="", SMS_BACKEND="none")
    return smtp_server


@pytest.fixture
def received(smtp, deliver):
    """received(address) delivers what is due and returns [(subject, text body, html body)] sent to address."""

    def _received(address: str):
        report = deliver()
        assert report.dead == 0, report.errors
        found = []
        for message in smtp.messages:
            if message["To"].addresses[0].addr_spec == address:
                text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
                html_part = message.get_body(preferencelist=("html",))
                html = html_part.get_content() if html_part is not None else None
                found.append((str(message["Subject"]), text, html))
        return found

    return _received


@pytest.fixture
def form(people):
    team = factories.workgroup(people.agent, people.supervisor, name="Service desk")
    return config_factories.template(people.admin, name="Printer trouble", default_workgroup=team)


def customer(language: str, time_zone: str = "Europe/Berlin"):
    return factories.user(role="customer", email=f"kunde-{language.lower()}@example.com", display_name="Karla Kundin",
                          language=language, time_zone=time_zone)


def file_case(app, user, form) -> Case:
    client = app.test_client()
    sign_in(client, user)
    response = post_form(client, f"/cases/new/{form.uuid}", FILING)
    assert response.status_code == 302, response.get_data(as_text=True)
    return Case.get(Case.title == FILING["title"])


# --- the recipient's language ---------------------------------------------------------------------------


def test_a_german_customer_filing_gets_the_german_receipt_with_a_german_time_in_their_zone(app, form, received):
    karla = customer("de")
    case = file_case(app, karla, form)
    [(subject, text, html)] = received(karla.email)
    assert subject == f"[{case.reference}] Wir haben Ihren Fall erhalten: Drucker klemmt"
    assert text.startswith("Guten Tag Karla Kundin,\n\nvielen Dank: Ihr Fall ist eröffnet")
    opened = format_moment(case.opened_at, ZoneInfo("Europe/Berlin"), "de")
    assert f"Eröffnet: {opened}" in text and f"<td>Eröffnet</td><td>{opened}</td>" in html
    assert ("MEZ" in opened or "MESZ" in opened) and "Fallnummer: " + case.reference in text
    assert "Thank you" not in text and "Opened" not in html


def test_a_spanish_customer_gets_the_spanish_receipt(app, form, received):
    carla = customer("es", "America/Mexico_City")
    case = file_case(app, carla, form)
    [(subject, text, _)] = received(carla.email)
    assert subject == f"[{case.reference}] Hemos recibido su caso: Drucker klemmt"
    assert "Gracias: su caso está abierto" in text
    assert f"Abierto: {format_moment(case.opened_at, ZoneInfo('America/Mexico_City'), 'es')}" in text


def test_a_regional_language_falls_back_to_its_language(app, form, received):
    karla = customer("de-AT", "Europe/Vienna")
    case = file_case(app, karla, form)
    [(subject, text, _)] = received(karla.email)
    assert subject == f"[{case.reference}] Wir haben Ihren Fall erhalten: Drucker klemmt"
    assert f"Eröffnet: {format_moment(case.opened_at, ZoneInfo('Europe/Vienna'), 'de_AT')}" in text


def test_a_language_without_a_shipped_translation_gets_the_default_text(app, form, received):
    assert template_versions("case_created", EMAIL, "fr").count() == 0
    claire = customer("fr", "Europe/Paris")
    case = file_case(app, claire, form)
    [(subject, text, _)] = received(claire.email)
    assert subject == f"[{case.reference}] We have received your case: Drucker klemmt"
    # Caseport has no French: the dates are in the default language, still in her zone.
    assert f"Opened: {format_moment(case.opened_at, ZoneInfo('Europe/Paris'), 'en')}" in text


def test_a_german_text_staff_edited_beats_the_shipped_one(app, form, people, received):
    admin = app.test_client()
    sign_in(admin, people.admin)
    url = "/admin/notifications/templates/case_created/email?language=de"
    edited = {"subject": "[{{ case_reference }}] Danke, {{ recipient_name }}!", "text": "Eigener Text: {{ case_url }}",
              "html": "", "action": "save"}
    response = post_form(admin, url, edited)
    assert response.status_code == 302, response.get_data(as_text=True)
    karla = customer("de")
    case = file_case(app, karla, form)
    [(subject, text, _)] = received(karla.email)
    assert subject == f"[{case.reference}] Danke, Karla Kundin!"
    assert text.startswith("Eigener Text: http://portal.test/cases/")


def test_language_tags_try_the_region_then_the_language_then_the_default():
    assert language_candidates("de-AT") == ["de-AT", "de", ""]
    assert language_candidates("de_at") == ["de-AT", "de", ""]
    assert language_candidates("es") == ["es", ""]
    assert language_candidates("") == language_candidates(None) == [""]


def test_a_regional_override_wins_over_its_language(app):
    save_version("test_message", SMS, {"text": "Servus {{ user_name }}"}, author="staff", language="de-AT")
    assert active_template("test_message", SMS, "de_AT").parts["text"] == "Servus {{ user_name }}"
    assert active_template("test_message", SMS, "de-CH").parts["text"].startswith("Testnachricht")
    assert active_template("test_message", SMS, "").parts["text"].startswith("Test message")


def test_account_mail_goes_out_in_the_users_language(app, received):
    karla = customer("de")
    request_password_reset(karla.email)
    [(subject, text, _)] = received(karla.email)
    assert subject == "Setzen Sie Ihr Caseport-Passwort zurück"
    assert "jemand (hoffentlich Sie) hat angefordert" in text


# --- the shipped translations ------------------------------------------------------------------------


@pytest.mark.parametrize("event", EVENT_FOLDERS)
def test_every_part_of_each_default_template_is_translated_into_every_shipped_language(event):
    default = {name for name in PART_FILES if (FOLDER / event / name).exists()}
    assert default, event
    for language in SHIPPED:
        translated = {name for name in PART_FILES if (FOLDER / event / language / name).exists()}
        assert translated == default, f"{event}/{language}: missing {sorted(default - translated)}, " \
                                      f"extra {sorted(translated - default)}"
        for name in translated:
            text = (FOLDER / event / language / name).read_text(encoding="utf-8")
            assert text.strip() and text != (FOLDER / event / name).read_text(encoding="utf-8"), (event, language, name)


@pytest.mark.parametrize("event", EVENT_FOLDERS)
def test_the_sandbox_accepts_and_renders_every_shipped_translation(event):
    for language in SHIPPED:
        for channel in DEFAULT_FILES:
            parts = default_parts(FOLDER / event / language, channel)
            if parts:
                kept = check_parts(channel, parts, EVENTS[event].variable_names)
                assert render_parts(channel, kept, EVENTS[event].sample_context()), (event, language, channel)


def test_the_translations_are_seeded_into_their_language_slots_and_listed_for_editing(app, people):
    for event in EVENT_FOLDERS:
        for channel in DEFAULT_FILES:
            if default_parts(FOLDER / event, channel):
                for language in SHIPPED:
                    [version] = template_versions(event, channel, language)
                    assert version.author == "defaults"
                    assert version.parts == default_parts(FOLDER / event / language, channel)
    admin = app.test_client()
    sign_in(admin, people.admin)
    page = admin.get("/admin/notifications").get_data(as_text=True)
    assert "/admin/notifications/templates/case_created/email?language=de" in page
    assert "/admin/notifications/templates/case_created/sms?language=es" in page


def test_seeding_again_keeps_a_translation_staff_edited(app):
    from notifier.templates import seed_defaults

    save_version("password_reset", EMAIL, {"subject": "Neu", "text": "{{ reset_url }}"}, author="staff",
                 language="de")
    assert seed_defaults(FOLDER) == []
    assert active_template("password_reset", EMAIL, "de").parts["subject"] == "Neu"
    slots = Template.select().where((Template.event == "password_reset") & (Template.language == "de"))
    assert TemplateVersion.select().where(TemplateVersion.template.in_(slots)).count() == 2


def test_labels_days_and_moments_handed_to_a_message_are_worded_per_recipient(app):
    from datetime import UTC, date, datetime

    from portal.i18n import _l
    from portal.notify.wording import worded_context

    moment = datetime(2026, 11, 30, 12, 50, tzinfo=UTC)
    handed = {"label": _l("Customer service"), "day": date(2030, 3, 12), "at": moment, "count": 3, "on": True}
    assert worded_context(handed, language="de", time_zone="Europe/Berlin") == {
        "label": "Kundenservice", "day": "12. März 2030", "at": "30. Nov. 2026, 13:50 MEZ", "count": 3, "on": True}
    assert worded_context(handed, language="es-MX", time_zone="UTC")["label"] == "Atención al cliente"
    assert worded_context(handed, language="", time_zone="UTC")["label"] == "Customer service"
