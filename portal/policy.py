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


def case_visibility(user: User | None):
    """A condition on Case selecting exactly the cases user may see; combine it with any case query.

    - admin: every case;
    - agent, supervisor: the cases of their workgroups and the cases assigned to them;
    - customer: cases where their profile is the primary or a linked customer, and, when their
      profile manages its account, every case of that account;
    - proxy: the cases where they are the internal contact;
    - anyone else: none.
    """
    from portal.models.cases import Case, CaseCustomerLink
    from portal.models.people import Customer
    from portal.models.teams import WorkgroupMember

    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return Case.id.is_null()  # matches nothing: every case has an id
    if user.role == "admin":
        return Case.id.is_null(False)
    if user.role in ("agent", "supervisor"):
        workgroups = WorkgroupMember.select(WorkgroupMember.workgroup).where(WorkgroupMember.user == user.id)
        return Case.workgroup.in_(workgroups) | (Case.assignee == user.id)
    if user.role == "proxy":
        return Case.internal_contact == user.id
    if user.role == "customer":
        own = Customer.select(Customer.id).where(Customer.user == user.id)
        linked = (
            CaseCustomerLink.select(CaseCustomerLink.case)
            .join(Customer)
            .where(Customer.user == user.id)
        )
        managed_accounts = (
            Customer.select(Customer.account)
            .where((Customer.user == user.id) & Customer.is_account_manager & Customer.account.is_null(False))
        )
        account_customers = Customer.select(Customer.id).where(Customer.account.in_(managed_accounts))
        return Case.customer.in_(own) | Case.id.in_(linked) | Case.customer.in_(account_customers)
    return Case.id.is_null()


def can_view_case(user: User | None, case) -> bool:
    """Whether user may see case (see case_visibility). Callers answer NotFound when it is False."""
    from portal.models.cases import Case

    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == "admin":
        return True
    return Case.select(Case.id).where((Case.id == case.id) & case_visibility(user)).exists()


def is_customer_side(user: User | None, case) -> bool:
    """Customers and the proxy who filed it: the people a case is for, as opposed to its handlers."""
    return has_role(user, "customer", "proxy") and can_view_case(user, case)
