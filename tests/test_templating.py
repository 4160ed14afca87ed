"""The pages' templates share the app's Jinja globals (portal/templating.py): every page sees every
global, also one added after the page was first loaded, and nothing can load a page with globals of
its own that would then leak into every other page."""

from __future__ import annotations

import pytest


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
