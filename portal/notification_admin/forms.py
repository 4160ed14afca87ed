"""Forms of the notification screens: shape rules only; portal.notification_admin.service checks templates."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from portal.i18n import _l

# Generous shape limits: the service gives the precise reason (with the part and the limit).
MAX_FIELD = 400_000


class TemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[Length(max=MAX_FIELD)],
                          description=_l("One line. Line breaks become spaces; at most 200 characters once "
                                         "filled in."))
    text = TextAreaField(_l("Text"), validators=[Length(max=MAX_FIELD)],
                         description=_l("The plain-text body every email carries."),
                         render_kw={"rows": 14, "spellcheck": "true", "class": "code-input"})
    html = TextAreaField(_l("HTML body"), validators=[Length(max=MAX_FIELD)],
                         description=_l("Optional. Variables are escaped automatically."),
                         render_kw={"rows": 14, "class": "code-input"})
    case_reference = StringField(_l("Preview with case"), validators=[Length(max=20)],
                                 description=_l("Optional: a case reference to preview with its real data "
                                                "instead of the sample data."),
                                 render_kw={"inputmode": "numeric", "autocomplete": "off"})


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
