"""Customer profiles: creating and linking them."""

from __future__ import annotations

import secrets

import peewee

from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict
from portal.models.people import Account, Customer, User


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
    raise Conflict("Could not allocate a customer number; try again.")


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
