"""The dashboard's filter fields are written out (templates/cases/_filter_fields.html) instead of going
through WTForms' widgets and the shared field() macro: they must give the same markup as that macro,
for every field, with and without an error, in every language."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from portal.cases.forms import DashboardFilterForm

QUERIES = [
    {},
    {"q": "printer <b>\"quoted\"</b>", "category": "open"},
    {"q": "x" * 1001, "category": "bogus", "status": "not-a-status", "template": "also-not"},
    {"status": "s-2", "template": "t-1", "category": "action"},
]


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("language", ["en", "de", "es"])
@pytest.mark.parametrize("args", QUERIES)
def test_the_filter_fields_render_as_the_shared_field_macro(app, language, args):
    with app.test_request_context("/cases"), force_locale(language):
        form = DashboardFilterForm(MultiDict(args))
        form.status.choices = [SelectChoice("", "Any status"), SelectChoice("s-1", "Open <&>"),
                               SelectChoice("s-2", 'Waiting "on" you')]
        form.template.choices = [SelectChoice("", "Any form"), SelectChoice("t-1", "Billing")]
        if args:
            form.validate()
        for name in ("q", "category", "status", "template"):
            macro = "filter_search" if name == "q" else "filter_select"
            shared = render_template_string('{% from "_macros/forms.html" import field %}{{ field(f) }}',
                                            f=form[name])
            written = render_template_string(
                f'{{% from "cases/_filter_fields.html" import {macro} %}}{{{{ {macro}(f) }}}}', f=form[name])
            assert _normalised(written) == _normalised(shared), name
        assert form.errors if args.get("category") == "bogus" else True
