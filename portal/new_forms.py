"""New forms built only when a page needs them.

A page shows many new, empty forms (a staff case page up to a dozen: log a contact, add a task, take,
escalate ...). Building one with WTForms binds each field and runs its processing: 0.1-0.3 ms a form
(ContactForm 0.28 ms on a staff case page, profiled, issue 12). Yet most of a new form's markup is the
same on every page in a language and is kept ({% remember %} through templates/cases/detail.html's
kept()); what a page writes of it itself is its hidden CSRF token, its submission key (forms sent
once: portal.submissions) and that it has no messages.

NewForm(FormClass, **kwargs) stands for FormClass(**kwargs) on a page that shows it new: it answers
those parts itself (the same text as the form's own fields would write), and its other hidden controls
when the page gives their value (hidden(form.seen_assignee, value=...)), and builds the form the first
time anything else is asked of it, with the same submission key it already handed out. A form sent
back with its messages is never a NewForm: that is the form that was sent.
"""

from __future__ import annotations

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.i18n import escape_text


class NewHidden:
    """One hidden control of a new form, as the form's own field writes it: {{ control }},
    control(), control(value=...), or the case page's hidden(control[, value=...]). A control whose
    value the form decides (data None here: any hidden field but the token and the key) is written
    here only with the value the page gives; otherwise by the built form's own field."""

    __slots__ = ("id", "name", "data", "_form", "_field_name")

    errors: tuple = ()
    type = "HiddenField"

    def __init__(self, id_: str, name: str, data: str | None, form: NewForm | None = None, field_name: str = ""):
        self.id, self.name, self.data, self._form, self._field_name = id_, name, data, form, field_name

    def _field(self):
        return getattr(self._form._built(), self._field_name)

    def _value(self) -> str:
        return self.data if self.data is not None else self._field()._value()

    def __call__(self, **attrs) -> Markup:
        value = attrs.get("value", self.data)
        if attrs.keys() - {"value"} or type(value) is not str:  # the form's own field writes it
            return self._field()(**attrs)
        return Markup(f'<input id="{_attribute(self.id)}" name="{_attribute(self.name)}" type="hidden" '  # noqa: S704
                      f'value="{_attribute(value)}">')

    def __html__(self) -> str:
        return self()

    __str__ = __html__


def _hashable(kwargs: dict) -> tuple:
    """A new form's arguments as a key: strs, numbers, None and dicts of them (data={...})."""
    return tuple(sorted((name, tuple(sorted(value.items())) if isinstance(value, dict) else value)
                        for name, value in kwargs.items()))


def _attribute(value: str) -> str:
    text = escape_text(value)
    return text.replace('"', "&quot;") if '"' in text else text


class NewForm:
    """FormClass(**kwargs) for a page that shows it new, built when first needed (see the module)."""

    __slots__ = ("_form_class", "_kwargs", "_choices", "_form", "_key")

    # A new form has no messages, nor will the form built from it (nothing was sent to it).
    errors: dict = {}  # noqa: RUF012 -- never changed: read-only, like a new form's
    form_errors: tuple = ()

    def __init__(self, form_class, *, choices: dict | None = None, **kwargs):
        """choices: {field name: choices} for selects whose choices the page decides (an assignee's
        colleagues, the statuses), given to the form when it is built."""
        self._form_class, self._kwargs, self._form, self._key = form_class, kwargs, None, None
        self._choices = choices or {}

    def control_key(self, choices_key) -> tuple:
        """What the new form's visible controls show besides their words, without building it: its
        class, its arguments (prefix, data) and the choices the page gives (choices_key(choices) makes
        those hashable: portal.cases.routes.fields). The form is built from exactly these."""
        return (self._form_class, "new", _hashable(self._kwargs),
                tuple((name, choices_key(choices)) for name, choices in self._choices.items()))

    def _controls(self) -> dict[str, tuple[str, str]]:
        """The (id, name) of each hidden control by field name (the CSRF token's under "csrf_token"), as
        a form of this class and prefix has them under this app's settings (learnt from one form)."""
        known = current_app.extensions.setdefault("caseport_new_form_controls", {})
        key = (self._form_class, self._kwargs.get("prefix", ""), current_app.config.get("WTF_CSRF_ENABLED", True))
        controls = known.get(key)
        if controls is None:
            form = self._form_class(prefix=key[1])
            controls = known[key] = {field.short_name: (field.id, field.name) for field in form
                                     if field.type in ("HiddenField", "CSRFTokenField")}
            if "csrf_token" in controls and getattr(form, "csrf_token", None) is None:
                del controls["csrf_token"]  # a token under another name: the form's own attribute
        return controls

    @property
    def csrf_token(self):
        control = self._controls().get("csrf_token") if self._form is None else None
        if control is None:
            return self._built().csrf_token
        return NewHidden(*control, generate_csrf(), self, "csrf_token")

    @property
    def submission(self):
        control = self._controls().get("submission") if self._form is None else None
        if control is None:
            return self._built().submission
        if self._key is None:  # the field's own default: a new random key
            self._key = self._form_class.submission.kwargs["default"]()
        return NewHidden(*control, self._key, self, "submission")

    def _built(self):
        if self._form is None:
            # never the request's data: a new form is empty whatever else was sent (a refused form's
            # page shows the others new, and their controls may be kept for every reader)
            form = self._form_class(formdata=None, **self._kwargs)
            for name, choices in self._choices.items():
                getattr(form, name).choices = choices
            if self._key is not None:  # the key this page already shows
                form.submission.data = self._key
            self._form = form
        return self._form

    def __getattr__(self, name):
        if name.startswith("__"):  # a protocol probe (e.g. hasattr(form, "__html__")) builds nothing
            raise AttributeError(name)
        if self._form is None:
            control = self._controls().get(name)
            if control is not None:  # another hidden control: written with the value the page gives
                return NewHidden(*control, None, self, name)
        return getattr(self._built(), name)

    def __iter__(self):
        return iter(self._built())
