"""Customers and accounts: search, get, create. Staff only, through portal.customers' queries and
service (the same rules and duplicate check as the customer pages); for everybody else the
customers do not exist (404), as on the pages.

Creating a profile whose email or phone another profile has is refused with 409 possible_duplicate,
listing the candidates, unless the body says "confirm_duplicate": true: the pages' warning, and an
integrator's chance to link the existing profile instead of making a second one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pydantic
from flask_login import current_user

from portal.api.framework import ApiError, Reply, operation
from portal.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from portal.api.schemas import ErrorDetail, Model
from portal.customers import queries, service
from portal.models.people import Account, Customer
from portal.settings import setting


class AccountRef(Model):
    id: str
    name: str
    account_number: str


class CustomerOut(Model):
    id: str
    customer_number: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None = pydantic.Field(description="E.164, e.g. +14155550100.")
    account: AccountRef | None
    is_account_manager: bool
    has_sign_in: bool = pydantic.Field(description="Whether the customer signs in to the portal.")
    created_at: datetime
    updated_at: datetime


class AccountOut(Model):
    id: str
    name: str
    account_number: str
    created_at: datetime


class AccountDetail(AccountOut):
    customers: list[CustomerOut] = pydantic.Field(description="The account's contacts, account managers first.")


class ListQuery(Model):
    cursor: str | None = pydantic.Field(None, max_length=2000)
    limit: int = pydantic.Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class CustomerQuery(ListQuery):
    email: str | None = pydantic.Field(None, max_length=254, description="An email address, in any case.")
    phone: str | None = pydantic.Field(None, max_length=40, description="A phone number in any common format.")
    name: str | None = pydantic.Field(None, max_length=200, description="Starts of first and last names.")
    number: str | None = pydantic.Field(None, max_length=40, description="A customer or account number.")


class AccountQuery(ListQuery):
    name: str | None = pydantic.Field(None, max_length=200, description="Part of the account's name.")
    number: str | None = pydantic.Field(None, max_length=40, description="The account number.")


class CustomerIn(Model):
    first_name: str = pydantic.Field(max_length=100)
    last_name: str = pydantic.Field("", max_length=100)
    email: str | None = pydantic.Field(None, max_length=254)
    phone: str | None = pydantic.Field(None, max_length=40, description="Any common format; stored as E.164.")
    account_number: str | None = pydantic.Field(None, max_length=40)
    is_account_manager: bool = False
    confirm_duplicate: bool = pydantic.Field(
        False, description="Create the profile even when another one has this email or phone.")


class DuplicateError(ErrorDetail):
    candidates: list[CustomerOut] = pydantic.Field(description="Profiles with the same email or phone.")


class DuplicateErrorBody(Model):
    error: DuplicateError


def customer_out(customer: Customer) -> CustomerOut:
    account = customer.account if customer.account_id else None
    return CustomerOut(
        id=customer.uuid, customer_number=customer.customer_number, first_name=customer.first_name,
        last_name=customer.last_name, email=customer.email, phone=customer.phone,
        account=AccountRef(id=account.uuid, name=account.name, account_number=account.account_number)
        if account else None,
        is_account_manager=customer.is_account_manager, has_sign_in=customer.user_id is not None,
        created_at=customer.created_at, updated_at=customer.updated_at)


def account_out(account: Account) -> AccountOut:
    return AccountOut(id=account.uuid, name=account.name, account_number=account.account_number,
                      created_at=account.created_at)


def _list_kind(name: str, query: ListQuery) -> str:
    """The cursor's list: a cursor of one search is refused by another."""
    filters = query.model_dump(exclude={"cursor", "limit"})
    return name + ":" + hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:16]


def _after(kind: str, cursor: str | None) -> int | None:
    key = decode_cursor(kind, cursor)
    if key is None:
        return None
    if len(key) != 1 or not isinstance(key[0], int) or isinstance(key[0], bool):
        from portal.api.pagination import BAD_CURSOR

        raise ApiError(400, "invalid_cursor", BAD_CURSOR, {"cursor": BAD_CURSOR})
    return key[0]


def _page(kind: str, rows: list, limit: int, out) -> dict:
    items, more = rows[:limit], len(rows) > limit
    return {"items": [out(row) for row in items],
            "next_cursor": encode_cursor(kind, [items[-1].id]) if more else None}


@operation("/customers", "GET", scope="customers:read", tag="Customers", summary="Find customers",
           query=CustomerQuery, response=Page[CustomerOut])
def list_customers(query: CustomerQuery) -> Page[CustomerOut]:
    """Customer profiles matching every given filter, oldest first. Staff only (others: 404)."""
    kind = _list_kind("customers", query)
    filters = queries.CustomerFilters(email=query.email, phone=query.phone, name=query.name, number=query.number)
    rows = queries.customers_page(current_user, filters, after_id=_after(kind, query.cursor), limit=query.limit,
                                  phone_region=setting("DEFAULT_PHONE_REGION"))
    return Page[CustomerOut](**_page(kind, rows, query.limit, customer_out))


@operation("/customers/<customer_id>", "GET", scope="customers:read", tag="Customers", summary="Get a customer",
           response=CustomerOut)
def get_customer(customer_id: str) -> CustomerOut:
    """One customer profile by its id. Staff only (others: 404)."""
    return customer_out(queries.customer_by_uuid(current_user, customer_id))


@operation("/customers", "POST", scope="customers:write", tag="Customers", summary="Create a customer",
           body=CustomerIn, response=CustomerOut, status=201, errors=(409,),
           error_bodies={409: DuplicateErrorBody}, headers={"Location": "The new customer's URL."})
def create_customer(body: CustomerIn) -> Reply:
    """A new customer profile (staff only). Another profile with the same email or phone: 409
    possible_duplicate with the candidates, unless confirm_duplicate is true."""
    data = service.CustomerData(first_name=body.first_name, last_name=body.last_name, email=body.email or "",
                                phone=body.phone or "", account_number=body.account_number or "",
                                is_account_manager=body.is_account_manager)
    try:
        customer = service.create_customer(current_user, data, confirm_duplicate=body.confirm_duplicate)
    except service.PossibleDuplicate as exc:
        raise ApiError(409, "possible_duplicate", exc.message, exc.fields,
                       extra={"candidates": [customer_out(match).model_dump(mode="json")
                                             for match in exc.matches]}) from None
    customer = queries.customer_by_uuid(current_user, customer.uuid)
    return Reply(customer_out(customer), headers={"Location": f"/api/v1/customers/{customer.uuid}"})


@operation("/accounts", "GET", scope="customers:read", tag="Customers", summary="Find accounts",
           query=AccountQuery, response=Page[AccountOut])
def list_accounts(query: AccountQuery) -> Page[AccountOut]:
    """Accounts (customer organisations) by name or number, oldest first. Staff only (others: 404)."""
    kind = _list_kind("accounts", query)
    rows = queries.accounts_page(current_user, query.name, query.number, after_id=_after(kind, query.cursor),
                                 limit=query.limit)
    return Page[AccountOut](**_page(kind, rows, query.limit, account_out))


@operation("/accounts/<account_id>", "GET", scope="customers:read", tag="Customers", summary="Get an account",
           response=AccountDetail)
def get_account(account_id: str) -> AccountDetail:
    """One account with its customers (contacts). Staff only (others: 404)."""
    account = queries.account_by_uuid(current_user, account_id)
    contacts = [customer_out(contact) for contact in queries.contact_profiles_of_account(account)]
    return AccountDetail(**account_out(account).model_dump(), customers=contacts)
