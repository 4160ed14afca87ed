"""People administration forms: shape only (lengths, choices); the services check the rules."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.i18n import _, _l
from portal.people.rules import role_name
from portal.policy import INVITABLE_ROLES

ROLE_CHOICES = [SelectChoice(role, role_name(role)) for role in INVITABLE_ROLES]


class _Person(FlaskForm):
    display_name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the person's name.")),
                                                       Length(max=120)],
                               render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email address"), description=_l("The invitation goes to this address."),
                       validators=[InputRequired(_l("Enter an email address.")), Length(max=254)],
                       render_kw={"autocomplete": "off"})


class InviteStaffForm(_Person):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="agent", validate_choice=False,
                       description=_l("Agents handle cases, supervisors also assign them, administrators "
                                      "configure the portal; proxy employees file cases for customers."))


class InviteColleagueForm(_Person):
    pass


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validate_choice=False)


class WorkgroupsForm(FlaskForm):
    workgroups = SelectMultipleField(_l("Workgroups"), validate_choice=False, widget=ListWidget(prefix_label=False),
                                     option_widget=CheckboxInput())

    def set_choices(self, workgroups) -> None:
        self.workgroups.choices = [
            SelectChoice(group.uuid, group.name if group.active else _("%(name)s (deactivated)", name=group.name))
            for group in workgroups
        ]


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class UnlinkIdentityForm(FlaskForm):
    """Which single sign-on identity to unlink: the (issuer, subject) pair that names it."""

    issuer = HiddenField(validators=[InputRequired(), Length(max=500)])
    subject = HiddenField(validators=[InputRequired(), Length(max=255)])
