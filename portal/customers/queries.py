"""Reads about customer profiles, accounts and assets. Each page's data comes from one query.

search_customers and the *_by_uuid lookups check the policy themselves. accounts_search,
contacts_of_account and assets_of_account do not: the case-filing flow lets proxies pick an
account, a contact and an asset through them, and checks its own rule before calling them.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from peewee import JOIN, fn

from portal.customers.rules import MatchComparison, SearchTerms, compare_matches, parse_search
from portal.errors import NotFound
from portal.identifiers import by_uuid
from portal.models.assets import Asset
from portal.models.cases import Case
from portal.models.configuration import CaseStatus
from portal.models.people import Account, Customer, User
from portal.policy import can_manage_customers

DEFAULT_LIMIT = 25


def require_customer_manager(user) -> None:
    """Customer profiles are invisible (404) to everybody the policy does not let manage them."""
    if not can_manage_customers(user):
        raise NotFound()


def profiles_with_account():
    """Customer rows with their account and sign-in user (if any) joined in, so lists make no extra queries."""
    return (
        Customer.select(Customer, Account, User.id, User.uuid, User.display_name, User.email, User.active)
        .join(Account, JOIN.LEFT_OUTER, on=(Customer.account == Account.id))
        .switch(Customer)
        .join(User, JOIN.LEFT_OUTER, on=(Customer.user == User.id))
    )


@dataclass
class CustomerSearch:
    terms: SearchTerms
    matches: list[Customer]
    more: bool
    comparison: MatchComparison

    @property
    def searched(self) -> bool:
        return bool(self.terms.text)


def search_customers(user, text: str | None, limit: int = DEFAULT_LIMIT, *,
                     phone_region: str = "US") -> CustomerSearch:
    """Profiles matching an email, a phone number in any common format, a customer or account number,
    or the starts of first and last names. Raises NotFound for users who may not manage customers."""
    require_customer_manager(user)
    terms = parse_search(text, phone_region)
    if terms.is_empty:
        return CustomerSearch(terms, [], False, compare_matches([]))
    rows = list(
        profiles_with_account()
        .where(_match_condition(terms))
        .order_by(fn.LOWER(Customer.last_name), fn.LOWER(Customer.first_name), Customer.id)
        .limit(limit + 1)
    )
    matches, more = rows[:limit], len(rows) > limit
    comparison = compare_matches([_distinguishing_values(c) for c in matches])
    return CustomerSearch(terms, matches, more, comparison)


def _match_condition(terms: SearchTerms):
    conditions = []
    if terms.email:
        conditions.append(fn.LOWER(Customer.email) == terms.email)
    if terms.phone:
        conditions.append(Customer.phone == terms.phone)
    if terms.customer_number:
        conditions.append(Customer.customer_number == terms.customer_number)
    if terms.account_number:
        conditions.append(Account.account_number == terms.account_number)
    if terms.name_words:
        # Every word starts the first or the last name: "mar gar" finds Maria Garcia. startswith()
        # escapes % and _ in the word, so they match literally.
        words = [(Customer.first_name.startswith(w) | Customer.last_name.startswith(w)) for w in terms.name_words]
        conditions.append(reduce(operator.and_, words))
    return reduce(operator.or_, conditions)


def _distinguishing_values(customer: Customer) -> dict[str, str | None]:
    return {
        "email": customer.email,
        "phone": customer.phone,
        "account": customer.account.account_number if customer.account_id else None,
        "customer_number": customer.customer_number,
    }


def profiles_sharing_contact(email: str | None, phone: str | None, *, excluding: Customer | None = None):
    """Other profiles that already have this email address or phone number (duplicate warnings)."""
    conditions = []
    if email:
        conditions.append(fn.LOWER(Customer.email) == email)
    if phone:
        conditions.append(Customer.phone == phone)
    if not conditions:
        return []
    query = profiles_with_account().where(reduce(operator.or_, conditions))
    if excluding is not None:
        query = query.where(Customer.id != excluding.id)
    return list(query.order_by(Customer.last_name, Customer.first_name, Customer.id).limit(10))


def customer_by_uuid(user, customer_uuid: str) -> Customer:
    """One profile with account and sign-in user. Raises NotFound (also for users without access)."""
    require_customer_manager(user)
    customer = profiles_with_account().where(Customer.uuid == str(customer_uuid)).first()
    if customer is None:
        raise NotFound()
    return customer


def account_by_uuid(user, account_uuid: str) -> Account:
    require_customer_manager(user)
    account = by_uuid(Account, account_uuid)
    if account is None:
        raise NotFound()
    return account


def asset_by_uuid(user, asset_uuid: str) -> Asset:
    require_customer_manager(user)
    asset = (
        Asset.select(Asset, Account)
        .join(Account)
        .where(Asset.uuid == str(asset_uuid))
        .first()
    )
    if asset is None:
        raise NotFound()
    return asset


# --- for pickers (case filing by proxies, the account pages) ------------------------------------


def accounts_search(text: str | None, limit: int = DEFAULT_LIMIT):
    """Accounts whose name contains the text or whose number starts with it; all accounts for no text."""
    text = " ".join((text or "").split())[:200]
    query = Account.select()
    if text:
        query = query.where(Account.name.contains(text) | Account.account_number.startswith(text))
    return (
        query
        .order_by(fn.LOWER(Account.name), Account.id)
        .limit(limit)
    )


def contacts_of_account(account: Account):
    """The account's customer profiles (its contacts), account managers first."""
    return (
        Customer.select()
        .where(Customer.account == account)
        .order_by(Customer.is_account_manager.desc(), fn.LOWER(Customer.last_name),
                  fn.LOWER(Customer.first_name), Customer.id)
    )


def assets_of_account(account: Account, *, include_inactive: bool = False):
    """The account's products and assets, by name; deactivated ones only when asked for."""
    query = Asset.select().where(Asset.account == account)
    if not include_inactive:
        query = query.where(Asset.active == True)  # noqa: E712 (peewee expression)
    return query.order_by(Asset.active.desc(), fn.LOWER(Asset.name), Asset.id)


def account_counts(accounts) -> dict[int, tuple[int, int]]:
    """{account id: (contacts, active assets)} for a list of accounts, in two grouped queries."""
    ids = [a.id for a in accounts]
    if not ids:
        return {}
    contacts = dict(
        Customer.select(Customer.account, fn.COUNT(Customer.id))
        .where(Customer.account.in_(ids))
        .group_by(Customer.account)
        .tuples()
    )
    assets = dict(
        Asset.select(Asset.account, fn.COUNT(Asset.id))
        .where(Asset.account.in_(ids) & (Asset.active == True))  # noqa: E712 (peewee expression)
        .group_by(Asset.account)
        .tuples()
    )
    return {key: (contacts.get(key, 0), assets.get(key, 0)) for key in ids}


def cases_of_customer(viewer, customer: Customer, limit: int = 50):
    """The cases this profile is on (as primary or linked customer) that viewer may see, newest activity
    first, with their status. For the staff profile page (the caller checked can_manage_customers)."""
    from portal.models.cases import CaseCustomerLink
    from portal.policy import case_visibility

    linked = CaseCustomerLink.select(CaseCustomerLink.case).where(CaseCustomerLink.customer == customer)
    return (
        Case.select(Case.uuid, Case.reference, Case.title, Case.updated_at, Case.opened_at, CaseStatus)
        .join(CaseStatus)
        .where(((Case.customer == customer) | Case.id.in_(linked)) & case_visibility(viewer))
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(limit)
    )


def accounts_overview(user, text: str | None, limit: int = 50) -> list[tuple[Account, int, int]]:
    """(account, contacts, active assets) for the staff accounts list. Raises NotFound for non-staff."""
    require_customer_manager(user)
    accounts = list(accounts_search(text, limit))
    counts = account_counts(accounts)
    return [(account, *counts.get(account.id, (0, 0))) for account in accounts]


# --- the JSON API's lists (keyset pages by id: stable while profiles are added) -------------------


@dataclass(frozen=True)
class CustomerFilters:
    """The API's customer search: each given value must match (AND). phone and email are read as
    the search box reads them (a phone number in any common format, an address in any case); number
    is a customer number or an account number; name matches starts of first and last names."""

    email: str | None = None
    phone: str | None = None
    name: str | None = None
    number: str | None = None


def customers_page(user, filters: CustomerFilters, *, after_id: int | None, limit: int,
                   phone_region: str = "US") -> list[Customer]:
    """Up to limit + 1 profiles matching every filter, by id after after_id, account and sign-in user
    joined (one query). Raises NotFound for users who may not manage customers."""
    require_customer_manager(user)
    conditions = []
    given = (("email", filters.email), ("phone", filters.phone), ("name", filters.name), ("number", filters.number))
    for kind, text in given:
        if text is None:
            continue
        terms = parse_search(text, phone_region)
        # Only what the parameter names counts: a value that reads as nothing searchable, or as
        # something else (email=maria), matches nothing rather than everything.
        kept = {"email": ("email",), "phone": ("phone",), "name": ("name_words",),
                "number": ("customer_number", "account_number")}[kind]
        terms = SearchTerms(text=terms.text, **{name: getattr(terms, name) for name in kept})
        conditions.append(Customer.id.is_null() if terms.is_empty else _match_condition(terms))
    query = profiles_with_account()
    if conditions:
        query = query.where(reduce(operator.and_, conditions))
    if after_id is not None:
        query = query.where(Customer.id > after_id)
    return list(query.order_by(Customer.id).limit(limit + 1))


def accounts_page(user, text: str | None, number: str | None, *, after_id: int | None,
                  limit: int) -> list[Account]:
    """Up to limit + 1 accounts by id after after_id: name containing text, number equal to number
    (either given or both). Raises NotFound for users who may not manage customers."""
    require_customer_manager(user)
    query = Account.select()
    text = " ".join((text or "").split())[:200]
    if text:
        query = query.where(Account.name.contains(text))
    if number is not None:
        query = query.where(Account.account_number == " ".join(number.split()).upper()[:40])
    if after_id is not None:
        query = query.where(Account.id > after_id)
    return list(query.order_by(Account.id).limit(limit + 1))


def contact_profiles_of_account(account: Account):
    """The account's contacts as contacts_of_account orders them, account and sign-in user joined."""
    return (
        profiles_with_account()
        .where(Customer.account == account)
        .order_by(Customer.is_account_manager.desc(), fn.LOWER(Customer.last_name),
                  fn.LOWER(Customer.first_name), Customer.id)
    )
