"""Reads for people administration: the users list and search, a user's workgroups, the audit log
and the people of an account. Callers have checked the policy (the pages are admins' or an account
manager's); these return query objects or pages."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, fn

from portal.errors import NotFound
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.people import ROLES, Customer, User, UserChange
from portal.models.teams import Workgroup, WorkgroupMember
from portal.pagination import Page, paginate

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
STATES = {"active": _l("Active"), "invited": _l("Invitation pending"), "deactivated": _l("Deactivated")}
MAX_SEARCH = 200


@dataclass
class UserFilters:
    """The users list's filters, from a query string: anything unknown is no filter."""

    q: str = ""
    role: str = ""
    state: str = ""

    @classmethod
    def from_args(cls, args) -> UserFilters:
        role, state = args.get("role", ""), args.get("state", "")
        return cls(q=" ".join(str(args.get("q", "")).split())[:MAX_SEARCH],
                   role=role if role in ROLES else "", state=state if state in STATES else "")

    def as_args(self) -> dict[str, str]:
        return {name: value for name, value in (("q", self.q), ("role", self.role), ("state", self.state)) if value}


def _pending():
    return User.invited_at.is_null(False) & User.email_verified_at.is_null()


def users_page(filters: UserFilters, page: int = 1) -> Page:
    """Users matching the filters (every word in the name or the email), by name."""
    query = User.select()
    for word in filters.q.lower().split():
        # contains() escapes % and _, so they match literally.
        query = query.where(fn.LOWER(User.display_name).contains(word) | User.email.contains(word))
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.state == "active":
        query = query.where(User.active & ~_pending())
    elif filters.state == "invited":
        query = query.where(User.active & _pending())
    elif filters.state == "deactivated":
        query = query.where(~User.active)
    return paginate(query.order_by(fn.LOWER(User.display_name), User.id), page, PAGE_SIZE)


def user_by_uuid(value: object) -> User:
    """The user with this public UUID. Raises NotFound."""
    user = by_uuid(User, value)
    if user is None:
        raise NotFound()
    return user


def workgroups_of(user: User):
    return (
        Workgroup.select()
        .join(WorkgroupMember)
        .where(WorkgroupMember.user == user)
        .order_by(fn.LOWER(Workgroup.name))
    )


def workgroup_choices(user: User):
    """The workgroups an admin may put user in: the active ones, and those user is in already."""
    mine = WorkgroupMember.select(WorkgroupMember.workgroup).where(WorkgroupMember.user == user)
    return (
        Workgroup.select()
        .where(Workgroup.active | Workgroup.id.in_(mine))
        .order_by(fn.LOWER(Workgroup.name))
    )


def changes_page(page: int = 1, user: User | None = None) -> Page:
    """The audit log, newest first, with the changed user and the actor; of one user when given."""
    Actor = User.alias("actor")
    query = (
        UserChange.select(UserChange, User, Actor)
        .join(User, on=(UserChange.user == User.id))
        .switch(UserChange)
        .join(Actor, JOIN.LEFT_OUTER, on=(UserChange.actor == Actor.id), attr="actor_user")
    )
    if user is not None:
        query = query.where(UserChange.user == user)
    return paginate(query.order_by(UserChange.created_at.desc(), UserChange.id.desc()), page, AUDIT_PAGE_SIZE)


def people_of_account(account_id: int):
    """The account's customer profiles with their sign-in (if any): who of it has access."""
    return (
        Customer.select(Customer, User)
        .join(User, JOIN.LEFT_OUTER, on=(Customer.user == User.id))
        .where(Customer.account == account_id)
        .order_by(fn.LOWER(Customer.first_name), fn.LOWER(Customer.last_name), Customer.id)
    )
