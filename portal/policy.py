"""The one authorization policy. Services call these; views and templates only mirror them.

What a user may not see answers 404 (NotFound), so pages never confirm that something exists.
"""

from __future__ import annotations

from portal.errors import NotAllowed, NotFound
from portal.models.people import STAFF_ROLES, User


def has_role(user: User | None, *roles: str) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in roles)


def is_staff(user: User | None) -> bool:
    return has_role(user, *STAFF_ROLES)


def require_role(user: User | None, *roles: str, hide: bool = False) -> None:
    """Raise unless user has one of roles. hide=True answers NotFound, for things others must not know of."""
    if not has_role(user, *roles):
        raise NotFound() if hide else NotAllowed()


def require_admin(user: User | None) -> None:
    require_role(user, "admin")


def can_manage_customers(user: User | None) -> bool:
    """Customer profiles, accounts and assets are staff tools; customers and proxies never see them."""
    return is_staff(user)


def can_view_case(user: User | None, case) -> bool:
    """Staff see every case; a customer sees the cases of their own profile. Everyone else: nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_staff(user):
        return True
    return user.role == "customer" and case.customer.user_id == user.id
