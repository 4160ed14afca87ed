"""Which language a page speaks: the browser's Accept-Language for visitors (with regional fallback and
q-values), the signed-in user's chosen language above it, the account page's language select, the
language a sign-up records, right-to-left tags, dates in the viewer's language and zone, and the
error pages and JSON errors in the reader's language."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime, format_skeleton
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from portal.clock import utcnow
from portal.models.people import User
from tests import factories
from tests.fixtures import post_form

SIGNUP = {"first_name": "Nina", "last_name": "Novak", "email": "nina@example.com",
          "password": "a long enough passphrase", "confirm": "a long enough passphrase", "time_zone": "UTC"}


def html_lang(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
    assert match, page[:300]
    return match.group(1), match.group(2)


def page_of(client, path: str, language: str | None = None, **kwargs) -> str:
    headers = {"Accept-Language": language} if language else {}
    return client.get(path, headers=headers, **kwargs).get_data(as_text=True)


# --- visitors: Accept-Language ----------------------------------------------------------------------


@pytest.mark.parametrize(("header", "lang", "heading", "button"), [
    ("de", "de", "Anmelden", "Passwort vergessen?"),
    ("es", "es", "Iniciar sesión", "¿Ha olvidado su contraseña?"),
    ("de-AT,de;q=0.9", "de-AT", "Anmelden", "Passwort vergessen?"),
    ("fr", "en", "Sign in", "Forgotten your password?"),
    ("fr;q=1, es;q=0.9, de;q=0.5", "es", "Iniciar sesión", "¿Ha olvidado su contraseña?"),
    ("de;q=0.2, es;q=0.8", "es", "Iniciar sesión", "¿Ha olvidado su contraseña?"),
])
def test_a_visitor_gets_the_best_shipped_language_of_their_browser(client, header, lang, heading, button):
    page = page_of(client, "/login", header)
    assert html_lang(page) == (lang, "ltr")
    assert f'<h1 id="page-title">{heading}</h1>' in page
    assert button in page


def test_labels_and_help_of_the_sign_up_form_are_translated(client):
    page = page_of(client, "/signup", "es")
    assert "Crear una cuenta" in page and 'for="first_name">Nombre' in page
    assert "Al menos 10 caracteres. Una frase corta es fácil de recordar y difícil de adivinar." in page
    assert '<span class="visually-hidden"> (obligatorio)</span>' in page


def test_a_refused_form_says_why_in_the_visitors_language(client):
    client.get("/login", headers={"Accept-Language": "de"})
    response = post_form(client, "/login", {"email": "", "password": ""}, headers={"Accept-Language": "de"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Es gibt ein Problem" in page
    assert "E-Mail-Adresse: Geben Sie Ihre E-Mail-Adresse ein." in page


def test_a_wrong_password_is_refused_in_spanish(client, people):
    response = post_form(client, "/login", {"email": people.customer.email, "password": "not the password"},
                         headers={"Accept-Language": "es"})
    assert response.status_code == 401
    assert "La dirección de correo electrónico o la contraseña no son correctas." in response.get_data(as_text=True)


def test_a_flashed_message_is_kept_in_the_language_it_was_said_in(client):
    response = client.get("/account", headers={"Accept-Language": "de"})
    assert response.status_code == 302
    page = page_of(client, response.headers["Location"], "de")
    assert "Bitte melden Sie sich an, um diese Seite zu sehen." in page


def test_the_wait_after_too_many_failed_sign_ins_is_said_in_german(app, client, people):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT"] = 1
    post_form(client, "/login", {"email": people.customer.email, "password": "wrong one"})
    response = post_form(client, "/login", {"email": people.customer.email, "password": "wrong again"},
                         headers={"Accept-Language": "de"})
    assert response.status_code == 429
    assert re.search(r"Zu viele fehlgeschlagene Anmeldungen bei diesem Konto\. Warten Sie \d+ (Minuten|Sekunden)",
                     response.get_data(as_text=True))


# --- signed-in users: their own language --------------------------------------------------------------


def test_a_signed_in_users_language_beats_the_browsers(client, login):
    user = factories.user(role="customer", language="es")
    login(user)
    page = page_of(client, "/account", "de")
    assert html_lang(page) == ("es", "ltr")
    assert "<h1>Su cuenta</h1>" in page and "Cerrar sesión" in page
    assert '<span class="role-badge">Cliente</span>' in page


def test_changing_the_language_on_the_account_page_switches_the_pages(client, login):
    user = factories.user(role="agent", display_name="Aga Agent", time_zone="Europe/Berlin")
    login(user)
    assert html_lang(page_of(client, "/account"))[0] == "en"
    response = post_form(client, "/account", {"display_name": "Aga Agent", "phone": "",
                                              "time_zone": "Europe/Berlin", "language": "de"})
    assert response.status_code == 302
    page = page_of(client, "/account")
    assert html_lang(page)[0] == "de"
    assert "Ihre Angaben sind gespeichert." in page  # the confirmation already in the new language
    assert "<h1>Ihr Konto</h1>" in page and 'for="language">Sprache' in page
    assert User.get_by_id(user.id).language == "de"


def test_an_unknown_language_is_refused_with_a_message_and_nothing_is_saved(client, login):
    user = factories.user(role="customer", display_name="Cora", language="de")
    login(user)
    response = post_form(client, "/account", {"display_name": "Cora Changed", "phone": "", "time_zone": "UTC",
                                              "language": "xx"})
    assert response.status_code == 400
    assert "Wählen Sie eine der Sprachen in der Liste." in response.get_data(as_text=True)
    stored = User.get_by_id(user.id)
    assert (stored.language, stored.display_name) == ("de", "Cora")


def test_sign_up_records_the_language_the_visitor_signed_up_in(app, client):
    app.config["SIGNUP_ENABLED"] = True
    client.get("/signup", headers={"Accept-Language": "es-MX,es;q=0.9"})
    response = post_form(client, "/signup", SIGNUP, headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert response.status_code == 200
    assert "Revise su correo electrónico" in response.get_data(as_text=True)
    assert User.get(User.email == "nina@example.com").language == "es"


def test_an_extra_right_to_left_language_turns_the_pages_around(app, client, login):
    app.config["EXTRA_LANGUAGES"] = ("ar",)
    assert html_lang(page_of(client, "/login", "ar")) == ("ar", "rtl")
    user = factories.user(role="customer", language="ar")
    login(user)
    assert html_lang(page_of(client, "/account")) == ("ar", "rtl")


def test_sign_in_times_on_the_account_page_are_in_german_with_the_zone_named(client, login):
    user = factories.user(role="customer", language="de", time_zone="Europe/Berlin")
    login(user)
    page = page_of(client, "/account")
    now = utcnow()
    zone = ZoneInfo("Europe/Berlin")
    month = format_skeleton("MMM", now, tzinfo=zone, locale="de")  # "Nov.", "Dez." ...
    zone_name = format_datetime(now, "zzz", tzinfo=zone, locale="de")  # "MEZ" or "MESZ"
    signed_in = re.search(r"Angemeldet am <time datetime=\"[^\"]+\">([^<]+)</time>", page)
    assert signed_in, page
    assert month in signed_in.group(1) and signed_in.group(1).endswith(zone_name)
    assert "zuletzt aktiv am" in page


# --- errors --------------------------------------------------------------------------------------------


def test_the_404_page_is_in_german(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "de"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<h1 id=\"error-title\">Seite nicht gefunden</h1>" in page and "Fehler 404" in page
    assert "Zur Startseite" in page


def test_a_csrf_failure_is_explained_in_german(client):
    response = client.post("/login", data={"email": "a@example.com", "password": "x"},
                           headers={"Accept-Language": "de"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bitte versuchen Sie es erneut" in page
    assert "Dieses Formular ist abgelaufen oder wurde nicht von Caseport gesendet." in page


def test_a_json_error_body_carries_the_message_in_the_readers_language(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json", "Accept-Language": "es"})
    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "not_found", "fields": {},
        "message": "No encontramos esa página. Puede que se haya movido o que usted no tenga acceso a ella."}


def test_a_refused_request_answers_json_in_german(client):
    response = client.get("/login?q=%00", headers={"Accept": "application/json", "Accept-Language": "de"})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("Ihre Eingabe enthält unsichtbare Steuerzeichen")


# --- words for scripts -------------------------------------------------------------------------------


class _LongText(FlaskForm):
    body = TextAreaField("Body", validators=[Length(max=2000)])


def test_the_character_counter_gets_its_words_in_every_plural_form_of_the_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        html = render_template_string('{% from "_macros/forms.html" import field %}{{ field(form.body) }}',
                                      form=_LongText(meta={"csrf": False}))
    assert "Bis zu 2.000 Zeichen." in html
    texts = re.search(r"data-texts='([^']+)'", html).group(1)
    assert '"one": {"left": "Noch %(num)s Zeichen."' in texts.replace("\\u0027", "'")
    assert '"other"' in texts and "die Grenze liegt bei 2.000" in texts


def test_scripts_find_their_announcements_on_the_page(client):
    page = page_of(client, "/login", "es")
    assert 'data-now-shown="Ahora se muestra: %(fields)s."' in page
    assert 'data-now-required="%(field)s ahora es obligatorio."' in page

