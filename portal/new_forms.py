"""New forms built only when a page needs them.

A page shows many new, empty forms (a staff case page up to a dozen: log a contact, add a task, take,
escalate ...). Building one with WTForms binds each field and runs its processing: 0.1-0.3 ms a form
(ContactForm 0.28 ms on a staff case page, profiled, issue 12). Yet most of a new form's markup is the
same on every page in a language and is kept ({% remember %} through templates/cases/detail.html's
kept()); what a page writes of it itself is its hidden CSRF token, its submission key (forms sent
once: portal.submissions) and that it has no messages.

NewForm(FormClass, **kwargs) stands for FormClass(**kwargs) on a page that shows it new: it answers
those parts itself (the same text as the form's own fields would write) and builds the form the first
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
    control(), or the case page's hidden(control)."""

    __slots__ = ("id", "name", "data")

    errors: tuple = ()
    type = "HiddenField"

    def __init__(self, id_: str, name: str, data: str):
        self.id, self.name, self.data = id_, name, data

    def _value(self) -> str:
        return self.data

    def __call__(self, **attrs) -> Markup:
        if attrs:  # anything beyond the plain control: the form's own field writes it
            raise TypeError("a new form's hidden control takes no attributes")
        return self.__html__()

    def __html__(self) -> str:
        return (f'<input id="{_attribute(self.id)}" name="{_attribute(self.name)}" type="hidden" '
                f'value="{_attribute(self.data)}">')

    __str__ = __html__


def _attribute(value: str) -> str:
    text = escape_text(value)
    return text.replace('"', "&quot;") if '"' in text else text


class NewForm:
    """FormClass(**kwargs) for a page that shows it new, built when first needed (see the module)."""

    __slots__ = ("_form_class", "_kwargs", "_form", "_key")

    # A new form has no messages, nor will the form built from it (nothing was sent to it).
    errors: dict = {}  # noqa: RUF012 -- never changed: read-only, like a new form's
    form_errors: tuple = ()

    def __init__(self, form_class, **kwargs):
        self._form_class, self._kwargs, self._form, self._key = form_class, kwargs, None, None

    def _controls(self) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
        """The (id, name) of the CSRF token and of the submission key, None for a form without it: as
        a form of this class and prefix has them under this app's settings (learnt from one form)."""
        known = current_app.extensions.setdefault("caseport_new_form_controls", {})
        key = (self._form_class, self._kwargs.get("prefix", ""), current_app.config.get("WTF_CSRF_ENABLED", True))
        controls = known.get(key)
        if controls is None:
            form = self._form_class(prefix=key[1])
            controls = known[key] = tuple(
                (field.id, field.name) if field is not None else None
                for field in (getattr(form, "csrf_token", None), getattr(form, "submission", None)))
        return controls

    @property
    def csrf_token(self):
        control = self._controls()[0] if self._form is None else None
        if control is None:
            return self._built().csrf_token
        return NewHidden(*control, generate_csrf())

    @property
    def submission(self):
        control = self._controls()[1] if self._form is None else None
        if control is None:
            return self._built().submission
        if self._key is None:  # the field's own default: a new random key
            self._key = self._form_class.submission.kwargs["default"]()
        return NewHidden(*control, self._key)

    def _built(self):
        if self._form is None:
            form = self._form_class(**self._kwargs)
            if self._key is not None:  # the key this page already shows
                form.submission.data = self._key
            self._form = form
        return self._form

    def __getattr__(self, name):
        return getattr(self._built(), name)

    def __iter__(self):
        return iter(self._built())
