"""Workgroup forms: shape rules only; the service checks the rest."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.i18n import _, _l


class WorkgroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name for the workgroup.")), Length(max=120)])
    description = TextAreaField(_l("Description"), description=_l("Optional. What this team handles."),
                                validators=[Length(max=2000)])
    email = EmailField(_l("Team email address"), description=_l("Optional. Where mail about unassigned cases of "
                                                              "this workgroup goes."), validators=[Length(max=254)])
    calendar = SelectField(_l("Business calendar"), validate_choice=False,
                           description=_l("When the team works: service-level targets in business time count only "
                                          "these hours."))

    def set_calendar_choices(self, calendars) -> None:
        self.calendar.choices = [SelectChoice(c.uuid, c.name) for c in calendars]


class AddMemberForm(FlaskForm):
    user = SelectField(_l("Member of staff"), validators=[InputRequired(_l("Choose a member of staff."))],
                       validate_choice=False)

    def set_choices(self, users) -> None:
        self.user.choices = [("", _("Choose…"))] + [
            (u.uuid, _("%(name)s — %(email)s (%(role)s)", name=u.display_name, email=u.email, role=u.role_label))
            for u in users
        ]


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
