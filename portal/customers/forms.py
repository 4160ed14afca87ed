"""Customer, account and asset forms: shape rules only; the service checks the rest."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SearchField, StringField, TelField
from wtforms.validators import InputRequired, Length

from portal.customers.rules import MAX_QUERY_LENGTH


class CustomerSearchForm(FlaskForm):
    """Sent with GET: searching changes nothing, so it needs no CSRF token and results can be bookmarked."""

    class Meta:
        csrf = False

    q = SearchField("Find a customer", description="Name, email address, phone number, customer number "
                    "(C1234567) or account number (ACC-10041).",
                    validators=[Length(max=MAX_QUERY_LENGTH)])


class CustomerForm(FlaskForm):
    first_name = StringField("First name", validators=[InputRequired("Enter the customer's first name."),
                                                       Length(max=100)])
    last_name = StringField("Last name", validators=[Length(max=100)])
    email = EmailField("Email address", validators=[Length(max=254)])
    phone = TelField("Phone number", description="Any format; without a country code it is read as "
                     "a number of the portal's home country.", validators=[Length(max=40)])
    account_number = StringField("Account number", description="Optional. The organisation this person "
                                 "belongs to, for example ACC-10041.", validators=[Length(max=40)])
    is_account_manager = BooleanField("Manages the account",
                                      description="An account manager sees every case of the account.")
    confirm_duplicate = BooleanField("This is a different person: save anyway")


class AccountForm(FlaskForm):
    name = StringField("Organisation name", validators=[InputRequired("Enter the organisation's name."),
                                                        Length(max=200)])
    account_number = StringField("Account number", description="Unique, for example ACC-10041.",
                                 validators=[InputRequired("Enter the account number."), Length(max=40)])


class AssetForm(FlaskForm):
    name = StringField("Product or asset", description="For example: Model X200 printer.",
                       validators=[InputRequired("Enter what the product or asset is."), Length(max=200)])
    identifier = StringField("Serial number or asset tag", description="Optional; unique within the account.",
                             validators=[Length(max=100)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
