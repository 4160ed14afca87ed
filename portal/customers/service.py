"""Customer profiles, the accounts they belong to and those accounts' assets: creating, editing, linking.

Staff functions take the acting user first and raise NotFound for anybody the policy does not let
manage customers (customers and proxies must not learn that a profile exists).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import peewee

from portal.clock import utcnow
from portal.contact import optional_email, optional_phone
from portal.customers.queries import profiles_sharing_contact, require_customer_manager
from portal.db import database
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.assets import Asset
from portal.models.people import Account, Customer, User
from portal.settings import setting

FIX_FIELDS = _l("Please correct the highlighted fields.")


def new_customer_number() -> str:
    return f"C{secrets.randbelow(10**7):07d}"


def create_customer_profile(
    *,
    first_name: str,
    last_name: str = "",
    email: str | None = None,
    phone: str | None = None,
    account: Account | None = None,
    user: User | None = None,
    is_account_manager: bool = False,
) -> Customer:
    """Create a profile with a fresh unique customer number. Callers validate the values first."""
    for _ in range(20):
        try:
            with database.atomic():
                return Customer.create(
                    customer_number=new_customer_number(),
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    phone=phone,
                    account=account,
                    user=user,
                    is_account_manager=is_account_manager,
                )
        except peewee.IntegrityError:
            continue  # customer number taken: draw another
    raise Conflict(_l("Could not allocate a customer number; try again."))


def attach_verified_user(user: User) -> Customer:
    """Join a user whose email is verified to the customer profile with that email, or create one.

    Only verified addresses are joined: otherwise anyone could sign up with a customer's address
    and read that customer's cases.
    """
    existing = (
        Customer.select()
        .where(Customer.user == user)
        .first()
    )
    if existing:
        return existing
    profile = (
        Customer.select()
        .where((peewee.fn.LOWER(Customer.email) == user.email) & Customer.user.is_null())
        .order_by(Customer.created_at, Customer.id)
        .first()
    )
    if profile:
        profile.user = user
        profile.updated_at = utcnow()
        profile.save()
        return profile
    first, _, last = user.display_name.partition(" ")
    return create_customer_profile(first_name=first or user.display_name, last_name=last, email=user.email,
                                   phone=user.phone, user=user)


# --- staff: customer profiles --------------------------------------------------------------------


class PossibleDuplicate(ValidationFailed):
    """Another profile already has this email address or phone number."""

    def __init__(self, matches: list[Customer]):
        super().__init__(_l("Another profile already has this email address or phone number. Check it is not "
                            "the same person; if it is not, create the profile anyway."))
        self.matches = matches


@dataclass
class CustomerData:
    """What staff type for a profile. The account is given by its number, as customers quote it."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    account_number: str = ""
    is_account_manager: bool = False


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _clean_customer(data: CustomerData) -> dict:
    errors: dict = {}
    values: dict = {"first_name": _text(data.first_name), "last_name": _text(data.last_name)}
    if not values["first_name"]:
        errors["first_name"] = _l("Enter the customer's first name.")
    elif len(values["first_name"]) > 100:
        errors["first_name"] = _l("Use at most %(num)d characters.", num=100)
    if len(values["last_name"]) > 100:
        errors["last_name"] = _l("Use at most %(num)d characters.", num=100)
    values["email"] = optional_email(data.email, errors)
    values["phone"] = optional_phone(data.phone, setting("DEFAULT_PHONE_REGION"), errors)
    values["account"] = None
    number = _text(data.account_number).upper()
    if number:
        values["account"] = Account.get_or_none(Account.account_number == number[:40])
        if values["account"] is None:
            errors["account_number"] = _l("No account has the number %(number)s. Create the account first.",
                                           number=number[:40])
    values["is_account_manager"] = bool(data.is_account_manager)
    if values["is_account_manager"] and not number:
        errors["is_account_manager"] = _l("Only a contact of an account can manage it: enter the account number.")
    if errors:
        raise ValidationFailed(FIX_FIELDS, errors)
    return values


def create_customer(actor: User, data: CustomerData, confirm_duplicate: bool = False) -> Customer:
    """Create a profile (staff). Only the first name is required.

    Raises NotFound (not staff), ValidationFailed (bad values, nothing created) or PossibleDuplicate
    when another profile has the email or phone and confirm_duplicate is False: a warning, since a
    household or a shared office line legitimately belongs to several people.
    """
    require_customer_manager(actor)
    values = _clean_customer(data)
    if not confirm_duplicate:
        matches = profiles_sharing_contact(values["email"], values["phone"])
        if matches:
            raise PossibleDuplicate(matches)
    with database.atomic():
        return create_customer_profile(**values)


def update_customer(actor: User, customer_uuid: str, data: CustomerData, confirm_duplicate: bool = False) -> Customer:
    """Edit a profile (staff). Warns only about an email or phone that changed and that another
    profile has. Raises NotFound, ValidationFailed or PossibleDuplicate like create_customer."""
    require_customer_manager(actor)
    customer = by_uuid(Customer, customer_uuid)
    if customer is None:
        raise NotFound()
    values = _clean_customer(data)
    if not confirm_duplicate:
        stored_email = (customer.email or "").lower() or None
        new_email = values["email"] if values["email"] != stored_email else None
        new_phone = values["phone"] if values["phone"] != customer.phone else None
        matches = profiles_sharing_contact(new_email, new_phone, excluding=customer)
        if matches:
            raise PossibleDuplicate(matches)
    with database.atomic():
        for name, value in values.items():
            setattr(customer, name, value)
        customer.updated_at = utcnow()
        customer.save()
    return customer


# --- staff: accounts and their assets ------------------------------------------------------------

ACCOUNT_NUMBER_RE = re.compile(r"[A-Z0-9][A-Z0-9-]*")


@dataclass
class AccountData:
    name: str = ""
    account_number: str = ""


def _clean_account(data: AccountData) -> dict:
    errors: dict = {}
    name, number = _text(data.name), _text(data.account_number).upper()
    if not name:
        errors["name"] = _l("Enter the organisation's name.")
    elif len(name) > 200:
        errors["name"] = _l("Use at most %(num)d characters.", num=200)
    if not number:
        errors["account_number"] = _l("Enter the account number, for example ACC-10041.")
    elif len(number) > 40:
        errors["account_number"] = _l("Use at most %(num)d characters.", num=40)
    elif not ACCOUNT_NUMBER_RE.fullmatch(number):
        errors["account_number"] = _l("Use letters, digits and hyphens only, for example ACC-10041.")
    if errors:
        raise ValidationFailed(FIX_FIELDS, errors)
    return {"name": name, "account_number": number}


def _number_taken() -> Conflict:
    message = _l("Another account already has this number.")
    return Conflict(message, {"account_number": message})


def create_account(actor: User, data: AccountData) -> Account:
    """Create an account (staff). Raises NotFound, ValidationFailed, Conflict (number taken)."""
    require_customer_manager(actor)
    values = _clean_account(data)
    try:
        with database.atomic():
            return Account.create(**values)
    except peewee.IntegrityError as exc:
        raise _number_taken() from exc


def update_account(actor: User, account_uuid: str, data: AccountData) -> Account:
    """Rename an account or change its number (staff). Raises NotFound, ValidationFailed, Conflict."""
    require_customer_manager(actor)
    account = by_uuid(Account, account_uuid)
    if account is None:
        raise NotFound()
    values = _clean_account(data)
    try:
        with database.atomic():
            Account.update(**values).where(Account.id == account.id).execute()
    except peewee.IntegrityError as exc:
        raise _number_taken() from exc
    return Account.get_by_id(account.id)


@dataclass
class AssetData:
    name: str = ""
    identifier: str = ""


def _clean_asset(data: AssetData) -> dict:
    errors: dict = {}
    name, identifier = _text(data.name), _text(data.identifier)
    if not name:
        errors["name"] = _l("Enter what the product or asset is, for example Model X200 printer.")
    elif len(name) > 200:
        errors["name"] = _l("Use at most %(num)d characters.", num=200)
    if len(identifier) > 100:
        errors["identifier"] = _l("Use at most %(num)d characters.", num=100)
    if errors:
        raise ValidationFailed(FIX_FIELDS, errors)
    return {"name": name, "identifier": identifier or None}


def _identifier_taken() -> Conflict:
    message = _l("This account already has an asset with this serial number or tag.")
    return Conflict(message, {"identifier": message})


def create_asset(actor: User, account_uuid: str, data: AssetData) -> Asset:
    """Add a product or asset to an account (staff). Raises NotFound, ValidationFailed, Conflict."""
    require_customer_manager(actor)
    account = by_uuid(Account, account_uuid)
    if account is None:
        raise NotFound()
    values = _clean_asset(data)
    try:
        with database.atomic():
            return Asset.create(account=account, **values)
    except peewee.IntegrityError as exc:
        raise _identifier_taken() from exc


def _asset(asset_uuid: str) -> Asset:
    asset = by_uuid(Asset, asset_uuid)
    if asset is None:
        raise NotFound()
    return asset


def update_asset(actor: User, asset_uuid: str, data: AssetData) -> Asset:
    """Rename an asset or change its identifier (staff). Raises NotFound, ValidationFailed, Conflict."""
    require_customer_manager(actor)
    asset = _asset(asset_uuid)
    values = _clean_asset(data)
    try:
        with database.atomic():
            Asset.update(**values).where(Asset.id == asset.id).execute()
    except peewee.IntegrityError as exc:
        raise _identifier_taken() from exc
    return Asset.get_by_id(asset.id)


def set_asset_active(actor: User, asset_uuid: str, active: bool) -> Asset:
    """Deactivate an asset (no longer offered when filing cases; old cases keep it) or reactivate it.
    Raises NotFound."""
    require_customer_manager(actor)
    asset = _asset(asset_uuid)
    with database.atomic():
        Asset.update(active=active).where(Asset.id == asset.id).execute()
    return Asset.get_by_id(asset.id)
