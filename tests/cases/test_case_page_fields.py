"""The case page renders its controls with portal.cases.routes.fields (Python) instead of the shared
field() and form_errors() macros of templates/_macros/forms.html: both must give the same markup for
every control of the case page's forms (customer and staff, the details form of every demo case
type), fresh, filled in and refused, in every language."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from portal.case_config.forms import build_case_form
from portal.cases import forms as case_forms
from portal.cases.routes import fields
from portal.demo.case_config import load_case_settings
from portal.models.configuration import CaseTemplate
from portal.staff import forms as staff_forms

ODD = 'x <b>"odd"</b> & \'quoted\''
SENT = {  # what a refused sending could hold: too long, not a choice, markup in it
    "body": "y" * 20_001, "visibility": "nonsense", "rating": "7", "comment": ODD * 400, "reason": ODD * 800,
    "resolution": "", "status": "not-a-status", "assignee": "who?", "workgroup": ODD, "priority": "whenever",
    "link_q": "", "channel": "pigeon", "direction": "sideways", "summary": "", "contacted_at": "yesterday",
    "title": "", "due_date": "31.02.", "customer_visible": "y",
}


def _normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def _macro(control, **options) -> str:
    return render_template_string('{% from "_macros/forms.html" import field %}{{ field(f, **options) }}',
                                  f=control, options=options)


def _forms(formdata):
    """Every form of the case page (cases/detail.html and staff/_case_actions.html), with the choices
    the page gives them."""
    made = [
        case_forms.CommentForm(formdata), case_forms.StaffCommentForm(formdata),
        case_forms.AcceptResolutionForm(formdata), case_forms.RejectResolutionForm(formdata),
        case_forms.ReasonForm(formdata, prefix="close"), case_forms.ProposeResolutionForm(formdata),
        case_forms.StatusForm(formdata), staff_forms.AssignForm(formdata), staff_forms.MoveForm(formdata),
        staff_forms.PriorityForm(formdata), staff_forms.EscalateForm(formdata), staff_forms.DeescalateForm(formdata),
        staff_forms.CustomerFindForm(formdata), staff_forms.UpdateAllForm(formdata), staff_forms.ContactForm(formdata),
        staff_forms.TaskForm(formdata), staff_forms.CustomerPickForm(formdata),
    ]
    # an odd value too: a refused MoveForm comes back with it chosen (SENT["workgroup"])
    choices = [SelectChoice("", "Choose <one>"), SelectChoice("a-1", ODD), SelectChoice("b-2", "Plain"),
               SelectChoice(ODD, "Odd value"), SelectChoice(Markup('m"1'), Markup("<i>markup</i>"))]
    for form in made:
        for name in ("status", "assignee", "workgroup"):
            if name in form and hasattr(form[name], "choices"):  # the page gives them (None before)
                form[name].choices = choices
    for template in CaseTemplate.select().order_by(CaseTemplate.id):
        made.append(build_case_form(template, "staff", base=FlaskForm)(formdata))
    return made


@pytest.mark.parametrize("language", ["en", "de", "es"])
@pytest.mark.parametrize("sent", [False, True], ids=["fresh", "refused"])
def test_the_case_page_controls_render_as_the_shared_macros(app, people, language, sent):
    load_case_settings()  # the demo's case types: a field of every type
    compared = 0
    with app.test_request_context("/cases/12345678", method="POST" if sent else "GET",
                                  data=SENT if sent else None), force_locale(language):
        for form in _forms(MultiDict(SENT) if sent else None):
            if sent:
                form.validate()
                form.form_errors.append(ODD)
            shared = render_template_string('{% from "_macros/forms.html" import form_errors %}'
                                            '{{ form_errors(f) }}', f=form)
            assert _normalised(fields.form_errors(form)) == _normalised(shared), type(form).__name__
            for control in form:
                if control.type in ("CSRFTokenField", "HiddenField"):
                    continue
                for options in ({}, {"required": True}, {"required": False, "hint": ODD}):
                    assert _normalised(fields.field(control, **options)) == _normalised(_macro(control, **options)), (
                        type(form).__name__, control.name, options)
                    compared += 1
    assert CaseTemplate.select().count() == 5, "the demo case types"
    assert compared > 150  # every control of every form above, three ways


@pytest.mark.parametrize("sent", [False, True], ids=["fresh", "refused"])
def test_the_case_page_hidden_controls_render_as_wtforms_renders_them(app, people, sent):
    """fields.hidden() writes a CSRF token, a submission id and the seen stamps (with the value the
    page gives them) byte for byte as the controls' own widgets do."""
    compared = 0
    with app.test_request_context("/cases/12345678", method="POST" if sent else "GET",
                                  data=SENT if sent else None):
        for form in _forms(MultiDict({**SENT, "submission": ODD, "seen_assignee": ODD}) if sent else None):
            for control in form:
                if control.type not in ("CSRFTokenField", "HiddenField"):
                    continue
                assert str(fields.hidden(control)) == str(control()), (type(form).__name__, control.name)
                for value in ("", ODD, Markup("<b>stamp</b>"), Markup('<b class="x">stamp</b>'),
                              "2026-12-01T12:00:00+00:00"):
                    assert str(fields.hidden(control, value=value)) == str(control(value=value)), (
                        type(form).__name__, control.name, value)
                compared += 1
    assert compared >= 20  # every form's token, the submission ids, the seen stamps


@pytest.mark.parametrize("value", ['a "quoted" value', Markup('<b class="x">markup</b>'), "a&b<c>", 5, "plain"])
def test_attributes_are_written_as_wtforms_writes_them(value):
    from wtforms.widgets.core import html_params

    attributes = {"value": value, "data_limit": 7, "required": True, "disabled": False, "class_": "wide"}
    assert fields._attributes(attributes) == html_params(**attributes)
