"""The reports' filters, read from the query string (they change nothing: no CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from portal.i18n import _l


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    first_day = DateField(_l("From"), validators=[Optional()])
    last_day = DateField(_l("To (inclusive)"), validators=[Optional()])
    workgroup = SelectField(_l("Workgroup"), validate_choice=False, default="")
    template = SelectField(_l("Form"), validate_choice=False, default="")
    channel = SelectField(_l("Channel"), validate_choice=False, default="",
                          choices=[SelectChoice("", _l("Any channel")), SelectChoice("web", _l("Web portal")),
                                   SelectChoice("api", _l("API")), SelectChoice("email", _l("Email"))])
