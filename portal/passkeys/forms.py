"""The passkey forms' shape; the service checks the rest (the name's rules, the credential itself)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from portal.i18n import _l
from portal.passkeys.rules import NAME_MAX
from portal.passwords import MAX_LENGTH

# A registration's JSON: a credential id (at most 1023 bytes), a COSE key, an attestation with
# certificates for some authenticators; well under this.
CREDENTIAL_MAX = 64_000


class PasskeyNameForm(FlaskForm):
    """Naming a passkey about to be created (sent by the script before it asks the authenticator)."""

    name = StringField(_l("Name of the passkey"), description=_l("For example the device it is on: “Work laptop”."),
                       validators=[InputRequired(_l("Give the passkey a name.")), Length(max=NAME_MAX)])


class PasskeyAddForm(PasskeyNameForm):
    credential = HiddenField(validators=[Length(max=CREDENTIAL_MAX)])


class PasskeyRenameForm(FlaskForm):
    name = StringField(_l("New name"), validators=[InputRequired(_l("Give the passkey a name.")),
                                                   Length(max=NAME_MAX)])


class PasskeyRemoveForm(FlaskForm):
    """The remove button: nothing but the CSRF token."""


class PasskeySignInForm(FlaskForm):
    credential = HiddenField(validators=[Length(max=CREDENTIAL_MAX)])


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")),
                                                     Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class PasskeySecondFactorForm(FlaskForm):
    credential = HiddenField(validators=[Length(max=CREDENTIAL_MAX)])
    remember = BooleanField(_l("Remember this browser"))
