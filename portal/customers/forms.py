"""Customer, account and asset forms: shape rules only; the service checks the rest."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SearchField, StringField, TelField
from wtforms.validators import InputRequired, Length

from portal.customers.rules import MAX_QUERY_LENGTH
from portal.i18n import _l


class CustomerSearchForm(FlaskForm):
    """Sent with GET: searching changes nothing, so it needs no CSRF token and results can be bookmarked."""

    class Meta:
        csrf = False

    q = SearchField(_l("Find a customer"), description=_l("Name, email address, phone number, customer number "
                                                        "(C1234567) or account number (ACC-10041)."),
                    validators=[Length(max=MAX_QUERY_LENGTH)])


class CustomerForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[InputRequired(_l("Enter the customer's first name.")),
                                                       Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Length(max=100)])
    email = EmailField(_l("Email address"), validators=[Length(max=254)])
    phone = TelField(_l("Phone number"), description=_l("Any format; without a country code it is read as a "
                                                    "number of the portal's home country."),
                     validators=[Length(max=40)])
    account_number = StringField(_l("Account number"), description=_l("Optional. The organisation this person "
                                                                      "belongs to, for example ACC-10041."),
                                 validators=[Length(max=40)])
    is_account_manager = BooleanField(_l("Manages the account"),
                                      description=_l("An account manager sees every case of the account."))
    confirm_duplicate = BooleanField(_l("This is a different person: save anyway"))


class AccountForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[InputRequired(_l("Enter the organisation's name.")),
                                                        Length(max=200)])
    account_number = StringField(_l("Account number"), description=_l("Unique, for example ACC-10041."),
                                 validators=[InputRequired(_l("Enter the account number.")), Length(max=40)])


class AssetForm(FlaskForm):
    name = StringField(_l("Product or asset"), description=_l("For example: Model X200 printer."),
                       validators=[InputRequired(_l("Enter what the product or asset is.")), Length(max=200)])
    identifier = StringField(_l("Serial number or asset tag"), description=_l("Optional; unique within the account."),
                             validators=[Length(max=100)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
