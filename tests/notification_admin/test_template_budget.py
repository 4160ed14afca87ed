"""The editor refuses templates that break the render budget or switch escaping off, at save and in
preview, with the reason next to the field, quickly, and keeps serving other requests meanwhile."""

from __future__ import annotations

import html
import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from notifier import templates as notifier_templates
from notifier.rendering import render_parts
from notifier.settings import Settings
from portal.config import ConfigError, load_config
from portal.notify.catalogue import EVENTS
from tests import factories
from tests.fixtures import csrf_token_from, post_form
from tests.notification_admin.helpers import EDIT_URL, email_parts, version_count
from tests.notifier.hostile_templates import FORBIDDEN, HOSTILE, RUNTIME, cases

SAFETY_SECONDS = 3.0  # a safety bound for a refused request, not a benchmark
SLOW = "{% set s = case_title ~ ' a' * 40000 %}{% for i in s %}{{ s|wordcount }}{% endfor %}"


def submit(client, text, action):
    return post_form(client, EDIT_URL, {**email_parts(text=text), "action": action})


def text_field_error(page: str) -> str:
    match = re.search(r'id="text-error">(.*?)</p>', page, re.DOTALL)
    assert match, "no error next to the Text field"
    return html.unescape(match.group(1))


@pytest.mark.parametrize("action", ["save", "preview"])
@pytest.mark.parametrize(("source", "reason"), cases(HOSTILE))
def test_hostile_templates_are_refused_quickly_with_the_reason_next_to_the_field(
        client, login, people, action, source, reason):
    login(people.admin)
    before = version_count()
    started = time.monotonic()
    response = submit(client, source, action)
    assert time.monotonic() - started < SAFETY_SECONDS
    assert response.status_code == 400
    assert reason in text_field_error(response.get_data(as_text=True))
    assert version_count() == before


@pytest.mark.parametrize("action", ["save", "preview"])
@pytest.mark.parametrize(("source", "reason"), cases(FORBIDDEN + RUNTIME))
def test_forbidden_filters_autoescape_and_template_mistakes_are_refused_not_a_500(
        client, login, people, action, source, reason):
    login(people.admin)
    before = version_count()
    response = submit(client, source, action)
    assert response.status_code == 400
    assert reason in text_field_error(response.get_data(as_text=True))
    assert version_count() == before


def test_the_html_part_cannot_switch_escaping_off(client, login, people):
    login(people.admin)
    for html_source in ("{% autoescape false %}{{ case_title }}{% endautoescape %}", "{{ case_title|safe }}"):
        response = post_form(client, EDIT_URL, {**email_parts(html=html_source), "action": "save"})
        assert response.status_code == 400
        assert 'id="html-error"' in response.get_data(as_text=True)


def test_the_editor_uses_the_configured_budget(app, client, login, people):
    login(people.admin)
    loop = "{% for c in case_title %}{{ c }}{% endfor %}"
    assert submit(client, loop, "preview").status_code == 200
    app.config["TEMPLATE_MAX_STEPS"] = 10
    response = submit(client, loop, "save")
    assert response.status_code == 400
    assert "more than 10 steps" in text_field_error(response.get_data(as_text=True))


LONG_TEXT = "A long and detailed account of what happened. " * 200  # about 9,400 characters


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_default_emails_render_under_the_budget_even_with_long_comments(app, event):
    context = EVENTS[event].sample_context()
    context.update({name: LONG_TEXT for name in ("comment", "resolution", "reason") if name in context})
    template = notifier_templates.active_template(event, "email")
    rendered = render_parts("email", template.parts, context)
    assert context.get("comment", rendered["text"])[:40] in rendered["text"]


def test_a_template_with_a_macro_called_in_a_loop_is_saved_and_previewed(client, login, people):
    login(people.admin)
    source = ("{% macro digit(d) %}[{{ d }}]{% endmacro %}"
              "{% for d in case_reference %}{{ digit(d) }}{% if not loop.last %}-{% endif %}{% endfor %}")
    preview = submit(client, source, "preview")
    assert preview.status_code == 200
    assert "[4]-[0]-[2]-[1]-[3]-[3]-[7]-[7]" in preview.get_data(as_text=True)
    assert submit(client, source, "save").status_code == 302
    assert notifier_templates.active_template("case_created", "email").parts["text"] == source


def test_the_budget_is_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TEMPLATE_RENDER_SECONDS", "0.25")
    monkeypatch.setenv("TEMPLATE_MAX_STEPS", "5000")
    limits = Settings.from_mapping(load_config({}, tmp_path)).template_limits
    assert (limits.seconds, limits.steps) == (0.25, 5000)
    monkeypatch.setenv("TEMPLATE_MAX_STEPS", "0")
    with pytest.raises(ConfigError, match="TEMPLATE_MAX_STEPS must be more than 0"):
        load_config({}, tmp_path)


# --- the server keeps answering -------------------------------------------------------------------


class Browser:
    """A cookie-keeping HTTP client for the live server (real requests, real CSRF tokens)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post_form(self, path: str, data: dict) -> tuple[int, str]:
        _, page = self.get(path)
        body = urllib.parse.urlencode({"csrf_token": csrf_token_from(page), **data}).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="budget-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_other_requests_are_served_while_a_hostile_preview_runs_out_of_time(app, people, live_server):
    app.config["TEMPLATE_RENDER_SECONDS"] = 1.0  # a longer window to overlap with
    admin, other = Browser(live_server), Browser(live_server)
    admin.post_form("/login", {"email": people.admin.email, "password": factories.PASSWORD})
    other.post_form("/login", {"email": people.agent.email, "password": factories.PASSWORD})
    assert admin.get("/admin/notifications")[0] == 200 and other.get("/account")[0] == 200
    result = {}

    def preview():
        started = time.monotonic()
        result["status"], result["page"] = admin.post_form(EDIT_URL, {**email_parts(text=SLOW), "action": "preview"})
        result["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=preview)
    worker.start()
    answered_meanwhile = []
    while worker.is_alive():
        started = time.monotonic()
        status, _ = other.get("/account")
        if worker.is_alive():
            answered_meanwhile.append((status, time.monotonic() - started))
    worker.join()
    assert result["status"] == 400
    assert "takes longer than 1 seconds" in text_field_error(result["page"])
    assert 1.0 <= result["seconds"] < 1.0 + SAFETY_SECONDS
    assert answered_meanwhile and all(status == 200 for status, _ in answered_meanwhile)
    assert min(seconds for _, seconds in answered_meanwhile) < 1.0
