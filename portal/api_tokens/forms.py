"""Forms of the token pages: shape only; portal.api_tokens.service checks the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.api_tokens.service import SCOPES
from portal.i18n import _l, lazy_ngettext
from portal.models.people import ROLE_LABELS
from portal.submissions.forms import OnceForm

EXPIRY_DAYS = (7, 30, 90, 180, 365)


def _whole_days(value) -> int:
    """The chosen number of days; 0 (refused by the service, in words) for anything else."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 4 else 0


class TokenForm(OnceForm):
    name = StringField(_l("Name"), description=_l("What uses the token, so you can tell it apart later, "
                                                   "e.g. \u201cCRM sync\u201d."),
                       validators=[InputRequired(_l("Give the token a name, so you can tell it apart later.")),
                                   Length(max=100)],
                       render_kw={"autocomplete": "off"})
    scopes = SelectMultipleField(_l("Permissions"), validate_choice=False, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput(),
                                 choices=[SelectChoice(scope, scope) for scope in SCOPES],
                                 description=_l("A token can never do more than its user may do in the portal."))
    days = SelectField(_l("Expires after"), coerce=_whole_days, default=90, validate_choice=False,
                       choices=[SelectChoice(days, lazy_ngettext("%(num)d day", "%(num)d days", days))
                                for days in EXPIRY_DAYS])


class ServiceTokenForm(TokenForm):
    account = SelectField(_l("Service account"), validate_choice=False)

    def set_accounts(self, accounts) -> None:
        self.account.choices = [SelectChoice(user.uuid, user.display_name) for user in accounts if user.active]


class ServiceAccountForm(FlaskForm):
    name = StringField(_l("Name"), description=_l("The integration that uses this account, e.g. \u201cIVR\u201d."),
                       validators=[InputRequired(_l("Name the integration that uses this account, e.g. "
                                                    "\u201cIVR\u201d.")), Length(max=120)],
                       render_kw={"autocomplete": "off"})
    role = SelectField(_l("Role"), default="agent", validate_choice=False,
                       choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ("agent", "supervisor")],
                       description=_l("Its workgroups (on its People page) decide which cases its tokens see; "
                                      "a supervisor may also assign cases."))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
