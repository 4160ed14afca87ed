"""A NewForm (portal/new_forms.py) stands for a new form on a page until the page needs more of it than
its hidden token and key: what it writes is what the form would write, and once built, the form carries
the key the page already shows. (A double click on a form a NewForm stood for is done once: tests/submissions.)"""

from __future__ import annotations

import re

import pytest
from flask import g

from portal.cases.forms import (
    AcceptResolutionForm,
    CommentForm,
    ProposeResolutionForm,
    ReasonForm,
    StaffCommentForm,
)
from portal.cases.routes.fields import hidden
from portal.new_forms import NewForm
from portal.staff.forms import ConfirmForm, ContactForm, EscalateForm, PriorityForm, TakeForm, UpdateAllForm

FORMS = [
    (CommentForm, {}),
    (StaffCommentForm, {"visibility": "internal"}),
    (AcceptResolutionForm, {}),
    (TakeForm, {"prefix": "take"}),
    (ProposeResolutionForm, {}),
    (ReasonForm, {"prefix": "close"}),
    (ContactForm, {"prefix": "contact"}),
    (EscalateForm, {"prefix": "escalate"}),
    (PriorityForm, {"prefix": "priority", "data": {"priority": "high"}}),
    (UpdateAllForm, {"prefix": "update"}),
    (ConfirmForm, {"prefix": "taskstate"}),
]
_KEY = re.compile(r'value="([0-9a-f-]{36})"')


@pytest.fixture
def request_context(app):
    with app.test_request_context("/"):
        g.pop("csrf_token", None)
        yield


@pytest.mark.parametrize("form_class, kwargs", FORMS)
def test_the_token_and_key_are_written_as_the_form_writes_them(request_context, form_class, kwargs):
    stand_in, form = NewForm(form_class, **kwargs), form_class(**kwargs)
    assert str(hidden(stand_in.csrf_token)) == str(hidden(form.csrf_token)) == str(form.csrf_token)
    assert str(stand_in.csrf_token) == str(form.csrf_token)
    assert stand_in.errors == form.errors == {} and list(stand_in.form_errors) == form.form_errors == []
    if hasattr(form, "submission"):
        shown = str(hidden(stand_in.submission))
        form.submission.data = _KEY.search(shown).group(1)
        assert shown == str(hidden(form.submission)) == str(form.submission)
        assert str(stand_in.submission) == shown  # one key for the page, however often it is asked
    else:
        with pytest.raises(AttributeError):
            stand_in.submission  # noqa: B018 -- as the form has none


def test_each_new_form_has_its_own_key_and_the_built_form_keeps_it(request_context):
    first, second = NewForm(ContactForm, prefix="contact"), NewForm(ContactForm, prefix="contact")
    keys = [_KEY.search(str(form.submission)).group(1) for form in (first, second)]
    assert keys[0] != keys[1]
    assert first.summary.name == "contact-summary"  # anything else builds the form ...
    assert first.submission.data == keys[0]  # ... with the key the page already shows
    assert str(hidden(first.submission)) == (
        f'<input id="contact-submission" name="contact-submission" type="hidden" value="{keys[0]}">')
    assert NewForm(PriorityForm, prefix="priority", data={"priority": "high"}).priority.data == "high"


def test_without_csrf_it_has_no_token_as_the_form_has_none(app):
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context("/"):
        assert not hasattr(ContactForm(prefix="contact"), "csrf_token")
        assert not hasattr(NewForm(ContactForm, prefix="contact"), "csrf_token")
        assert NewForm(ContactForm, prefix="contact").submission.name == "contact-submission"


@pytest.mark.parametrize("form_class, kwargs, name", [
    (TakeForm, {"prefix": "take"}, "seen_assignee"),
    (AcceptResolutionForm, {}, "seen_proposal"),
])
def test_another_hidden_control_is_written_with_the_value_the_page_gives(request_context, form_class, kwargs, name):
    stand_in, form = NewForm(form_class, **kwargs), form_class(**kwargs)
    for value in ("0d7c6f3e-0000-4000-8000-000000000001", "", 'a "quoted" <value> & more'):
        assert str(hidden(getattr(stand_in, name), value=value)) == str(hidden(getattr(form, name), value=value))
        assert str(getattr(stand_in, name)(value=value)) == str(getattr(form, name)(value=value))
    assert stand_in._form is None  # written without building the form
    assert str(getattr(stand_in, name)) == str(getattr(form, name))  # without a value: the form's own field
    assert stand_in._form is not None


def test_a_new_form_with_choices_is_the_form_given_them_and_its_key_names_them(request_context):
    """NewForm(Form, choices=...) builds the form offering those choices (and never reads a request's
    data); its control_key, which keeps its controls' markup, changes with every value they show."""
    from wtforms.fields.choices import SelectChoice

    from portal.cases.routes.fields import control_key, field
    from portal.staff.forms import AssignForm

    ada, bo = SelectChoice("u-ada", "Ada (agent)"), SelectChoice("u-bo", "Bo <lead> (supervisor)")
    stand_in = NewForm(AssignForm, prefix="assign", data={"assignee": "u-bo"}, choices={"assignee": [ada, bo]})
    key = control_key(stand_in)
    form = AssignForm(prefix="assign", formdata=None, data={"assignee": "u-bo"})
    form.assignee.choices = [ada, bo]
    assert str(field(stand_in.assignee)) == str(field(form.assignee))
    written = str(field(form.assignee))
    assert "Bo &lt;lead&gt;" in written and '<option selected value="u-bo">' in written
    assert control_key(stand_in) == key  # the built form keeps answering the same key
    same = NewForm(AssignForm, prefix="assign", data={"assignee": "u-bo"}, choices={"assignee": [ada, bo]})
    assert control_key(same) == key
    others = [
        NewForm(AssignForm, prefix="assign", data={"assignee": "u-ada"}, choices={"assignee": [ada, bo]}),
        NewForm(AssignForm, prefix="assign", data={"assignee": "u-bo"}, choices={"assignee": [bo, ada]}),
        NewForm(AssignForm, prefix="assign", data={"assignee": "u-bo"},
                choices={"assignee": [ada, SelectChoice("u-bo", "Bo (agent)")]}),
        NewForm(AssignForm, prefix="other", data={"assignee": "u-bo"}, choices={"assignee": [ada, bo]}),
        NewForm(ContactForm, prefix="assign", data={"assignee": "u-bo"}, choices={"assignee": [ada, bo]}),
    ]
    assert len({control_key(other) for other in others} | {key}) == len(others) + 1
