"""portal/templating.py and the layout's helpers: what every request is spared gives the same results.

- The pages' templates share the app's Jinja globals: every page sees every global, also one added
  after the page was first loaded, and nothing can load a page with globals of its own that would
  then leak into every other page.
- Flask's ensure_sync remembers the plain callables only (an async one is still wrapped), bounded.
- Pages get the remembering csrf_token (Flask-WTF's context processor would hand them its own).
- The request's locale name follows the locale (force_locale) like the catalogue does.
"""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale
from markupsafe import escape

from portal import templating
from portal.fragments import RememberExtension
from portal.languages import current_locale_name
from portal.models.people import User
from tests import factories
from tests.fixtures import sign_in


def test_a_page_template_reads_the_apps_globals_themselves(app):
    template = app.jinja_env.get_template("base.html")
    assert template.globals is app.jinja_env.globals  # no ChainMap to copy at every render
    string = app.jinja_env.from_string("{{ late_global }}")
    app.jinja_env.globals["late_global"] = "added after loading"
    try:
        assert string.render() == "added after loading"
    finally:
        del app.jinja_env.globals["late_global"]


def test_a_template_with_globals_of_its_own_is_refused_and_leaks_nothing(app):
    app.jinja_env.get_template("base.html")  # cached
    before = dict(app.jinja_env.globals)
    for load in (lambda g: app.jinja_env.get_template("base.html", globals=g),
                 lambda g: app.jinja_env.select_template(["base.html"], globals=g),
                 lambda g: app.jinja_env.get_or_select_template("base.html", globals=g)):
        with pytest.raises(TypeError):
            load({"portal_name": "Leaked"})
    assert app.jinja_env.globals == before
    own = app.jinja_env.from_string("{{ portal_name }}", globals={"portal_name": "Own"})
    assert own.render() == "Own" and app.jinja_env.globals == before


def test_plain_callables_are_remembered_and_handed_back(app):
    def hook():
        return None

    assert app.ensure_sync(hook) is hook
    assert hook in app.extensions["caseport_sync_functions"]
    assert app.ensure_sync(hook) is hook


def test_async_callables_are_still_wrapped_and_not_remembered(app):
    async def hook():
        return "ran"

    for _ in range(2):  # Flask's own answer each time: a wrapper, or its refusal without the async extra
        try:
            assert app.ensure_sync(hook) is not hook
        except RuntimeError as refusal:
            assert "async" in str(refusal)
        assert hook not in app.extensions["caseport_sync_functions"]


def test_unhashable_callables_are_checked_each_time(app):
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return None

    view = Unhashable()
    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view


def test_the_remembered_callables_are_bounded(app, monkeypatch):
    monkeypatch.setattr(templating, "SYNC_FUNCTIONS_KEPT", 3)
    kept = app.extensions["caseport_sync_functions"]
    functions = [lambda: None for _ in range(10)]  # noqa: B023 -- distinct objects are the point
    for function in functions:
        assert app.ensure_sync(function) is function
        assert len(kept) <= 3


def test_pages_get_the_remembering_csrf_token(app):
    with app.test_request_context("/"):
        context: dict = {}
        app.update_template_context(context)
        assert context["csrf_token"] is app.jinja_env.globals["csrf_token"]
        assert render_template_string("{{ csrf_token() }}") == app.jinja_env.globals["csrf_token"]()


def test_the_locale_name_follows_the_locale(app):
    for language in ("es", "de"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            app.preprocess_request()  # starts the request's state afresh, as every request does
            assert current_locale_name() == language
            with force_locale("en"):
                assert current_locale_name() == "en"
            assert current_locale_name() == language


def test_a_kept_part_is_looked_up_without_rendering_its_body(app):
    rendered = []

    def body(n):
        rendered.append(n)
        return f"part {n}"

    extension = app.jinja_env.extensions["portal.fragments.RememberExtension"]
    through_the_call_block = []

    def remembered(place, values, caller):
        through_the_call_block.append(values)
        return RememberExtension._remembered(extension, place, values, caller)

    source = ("{% remember n %}{{ body(n) }}{% endremember %}|{% remember n %}{{ nothing(n) }}{% endremember %}"
              "{% remember 'constant' %}{{ body(0) }}{% endremember %}")

    def nothing(n):
        rendered.append(-n)
        return ""

    # compiled once, outside any request, as the app's templates are (Jinja must not fold a lookup
    # whose values are all constants into its compile-time answer); both are "None" templates, so
    # the first three tags of each are the same parts
    twice, once = app.jinja_env.from_string(source * 2), app.jinja_env.from_string(source)
    with app.test_request_context("/"):
        app.extensions.pop("caseport_fragments", None)
        extension._remembered = remembered
        try:
            assert twice.render(n=1, body=body, nothing=nothing) == "part 1|part 0part 1|part 0"
            assert twice.render(n=1, body=body, nothing=nothing) == "part 1|part 0part 1|part 0"
            assert once.render(n=2, body=body, nothing=nothing) == "part 2|part 0"
            assert once.render(n=1, body=body, nothing=nothing) == "part 1|part 0"
        finally:
            del extension._remembered
    # each part's body once (two tags on one line are two parts), an empty one too
    assert rendered == [1, -1, 0, 1, -1, 0, 2, -2]
    assert through_the_call_block == [(1,), (1,), ("constant",)] * 2 + [(2,), (2,)]


def test_kept_parts_in_loops_macros_and_empty_ones_show_what_rendering_shows(app):
    """Several tags on one line naming the same values are separate parts."""
    source = ("{% macro cell(v) %}{% remember v %}<td>{{ v }}</td>{% endremember %}{% endmacro %}"
              "{% for v in values %}{% remember v, loop.first %}[{{ v }}]{% endremember %}{{ cell(v) }}"
              "{% remember v %}{% endremember %}{% endfor %}"
              "{% remember values|length %}{{ values|length }}{% endremember %}")
    with app.test_request_context("/"):
        app.extensions.pop("caseport_fragments", None)
        app.jinja_env.remember_fragments = False
        try:
            expected = [render_template_string(source, values=values) for values in ([1, 2, 1], [3], [2, 1])]
        finally:
            app.jinja_env.remember_fragments = True
        for _ in range(2):
            assert [render_template_string(source, values=values)
                    for values in ([1, 2, 1], [3], [2, 1])] == expected


def _masked(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*? value=")[^"]+"', r'\1"', html)


def _page(app, client, path: str, *, remembered: bool) -> str:
    app.jinja_env.remember_fragments = remembered
    try:
        response = client.get(path)
        assert response.status_code == 200, path
        return _masked(response.get_data(as_text=True))
    finally:
        app.jinja_env.remember_fragments = True


def test_the_layouts_kept_parts_follow_the_portal_name_the_viewer_and_the_language(app, people):
    """base.html keeps all of the layout but the title, the navigation's entries, the CSRF token and
    the flashes: each page for each portal name, viewer (signed out, two with one name but different
    roles) and language is the page rendered with nothing kept, in an order that reuses parts."""
    User.update(display_name="Same <name>").where(User.id.in_([people.customer.id, people.agent.id])).execute()
    clients = {"visitor": app.test_client()}
    for user in (people.customer, people.agent):
        clients[user.role] = app.test_client()
        sign_in(clients[user.role], user, factories.PASSWORD)
    pages = [("visitor", "/login"), ("customer", "/cases"), ("agent", "/staff/"), ("customer", "/account")]
    saved = app.config["PORTAL_NAME"]
    try:
        for portal in ("Caseport", "Help <desk> & co"):
            app.config["PORTAL_NAME"] = portal
            for language in ("en", "de"):
                User.update(language=language).where(User.role != "admin").execute()
                for who, path in [*pages, *reversed(pages)]:
                    kept = _page(app, clients[who], path, remembered=True)
                    assert kept == _page(app, clients[who], path, remembered=False), (portal, language, who, path)
                    assert escape(portal) in kept
    finally:
        app.config["PORTAL_NAME"] = saved
