"""Workgroup forms: shape rules only; the service checks the rest."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class WorkgroupForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Enter a name for the workgroup."), Length(max=120)])
    description = TextAreaField("Description", description="Optional. What this team handles.",
                                validators=[Length(max=2000)])
    email = EmailField("Team email address", description="Optional. Where mail about unassigned cases "
                       "of this workgroup goes.", validators=[Length(max=254)])


class AddMemberForm(FlaskForm):
    user = SelectField("Member of staff", validators=[InputRequired("Choose a member of staff.")],
                       validate_choice=False)

    def set_choices(self, users) -> None:
        self.user.choices = [("", "Choose…")] + [
            (u.uuid, f"{u.display_name} — {u.email} ({u.role_label})") for u in users
        ]


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
