"""The second factor's forms: shape rules only; portal.mfa.service checks the codes."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from portal.i18n import _l
from portal.passwords import MAX_LENGTH


class VerifyForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[
        InputRequired(_l("Type the 6-digit code your authenticator app shows.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off",
                   "spellcheck": "false"})
    remember = BooleanField(_l("Remember this browser"))  # the page says for how long


class RecoveryForm(FlaskForm):
    recovery_code = StringField(_l("Recovery code"), validators=[
        InputRequired(_l("Type one of your recovery codes.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"})


class EnrolForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[
        InputRequired(_l("Type the 6-digit code your authenticator app shows.")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off",
                   "spellcheck": "false"})


class DisableForm(FlaskForm):
    code = StringField(_l("A current code or a recovery code"), validators=[Length(max=40)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"})
    password = PasswordField(_l("Or your password"), validators=[Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class ConfirmForm(FlaskForm):
    """A button that carries nothing but its CSRF token."""
