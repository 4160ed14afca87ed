"""The base class of forms that must be sent once (see the package docstring)."""

from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from wtforms import HiddenField

from portal.i18n import _l


def _new_key() -> str:
    return str(uuid.uuid4())


class OnceForm(FlaskForm):
    """A FlaskForm whose page carries a fresh random key (`submission`); a form shown again after a
    refusal keeps the key it was sent with, since nothing was done with it."""

    # The label WTForms would derive from the name, given: deriving it goes through Flask-WTF's
    # translations, which load WTForms' catalogue from disk on each request (0.2 ms of a case page).
    # A hidden field's label is never shown.
    submission = HiddenField("Submission", default=_new_key)

# Shown when a form comes in a second time (AlreadyDone): the person sees the first result instead.
SENT_TWICE = _l("This form was sent twice; it was done once.")
