"""Sign-in, sign-up and profile forms: shape rules only; the service checks the rest."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import EqualTo, InputRequired, Length

from portal.contact import time_zones
from portal.i18n import _l, supported_languages
from portal.passwords import MAX_LENGTH, MIN_LENGTH

_PASSWORD_HELP = _l("At least %(min)s characters. A short sentence is easy to remember and hard to guess.",
                    min=MIN_LENGTH)


def _zone_choices():
    return [(zone, zone.replace("_", " ")) for zone in time_zones()]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(_l("Enter your email address.")),
                                                          Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")),
                                                     Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class SignupForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[InputRequired(_l("Enter your first name.")),
                                                            Length(max=100)],
                             render_kw={"autocomplete": "given-name"})
    last_name = StringField(_l("Last name"), validators=[Length(max=100)], render_kw={"autocomplete": "family-name"})
    email = EmailField(_l("Email address"), validators=[InputRequired(_l("Enter your email address.")),
                                                          Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), description=_PASSWORD_HELP,
                             validators=[InputRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[InputRequired(_l("Repeat the password.")),
                                        EqualTo("password", _l("The two passwords are not the same."))],
                            render_kw={"autocomplete": "new-password"})
    time_zone = SelectField(_l("Time zone"), default="UTC", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = _zone_choices()


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[InputRequired(_l("Enter your name.")), Length(max=120)],
                               render_kw={"autocomplete": "name"})
    phone = TelField(_l("Mobile phone"), description=_l("Optional. Used for text message updates."),
                     validators=[Length(max=40)], render_kw={"autocomplete": "tel"})
    time_zone = SelectField(_l("Time zone"), description=_l("Dates and times are shown in this zone."),
                            validate_choice=False)
    language = SelectField(_l("Language"),
                           description=_l("Pages and the messages we send you are in this language."),
                           validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = _zone_choices()
        self.language.choices = list(supported_languages().items())


class _CurrentPassword:
    # Defined before the new-password fields so WTForms (which orders fields by creation) lists it
    # first, as the page does, in the error summary.
    current_password = PasswordField(_l("Current password"),
                                     validators=[InputRequired(_l("Enter your current password."))],
                                     render_kw={"autocomplete": "current-password"})


class PasswordResetForm(FlaskForm):
    """A new password, typed twice: the reset link's form, and the rest of the change form."""

    new_password = PasswordField(_l("New password"), description=_PASSWORD_HELP,
                                 validators=[InputRequired(_l("Choose a new password.")), Length(max=MAX_LENGTH)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[InputRequired(_l("Repeat the new password.")),
                                        EqualTo("new_password", _l("The two passwords are not the same."))],
                            render_kw={"autocomplete": "new-password"})


class PasswordChangeForm(_CurrentPassword, PasswordResetForm):
    pass


class EmailOnlyForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(_l("Enter your email address.")),
                                                          Length(max=254)],
                       render_kw={"autocomplete": "email"})
