"""Workgroups (teams) and their members. Admins only: every function takes the acting user first and
raises NotAllowed (policy.require_admin) for anybody else; the pages answer 404 before that."""

from __future__ import annotations

from dataclasses import dataclass

import peewee
from peewee import fn

from portal.contact import ContactError, normalize_email
from portal.db import database
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.calendars import BusinessCalendar
from portal.models.people import STAFF_ROLES, User
from portal.models.teams import Workgroup, WorkgroupMember
from portal.policy import require_admin
from portal.teams.queries import workgroup_by_uuid

NAME_TAKEN = _l("Another workgroup already has this name.")


@dataclass
class WorkgroupData:
    name: str = ""
    description: str = ""
    email: str = ""
    # The business calendar's UUID; empty: around the clock (24x7); None: unchanged (24x7 for a new workgroup).
    calendar: str | None = None


def _clean(data: WorkgroupData) -> dict:
    errors: dict = {}
    name = " ".join((data.name or "").split())
    description = (data.description or "").strip()
    if not name:
        errors["name"] = _l("Enter a name for the workgroup.")
    elif len(name) > 120:
        errors["name"] = _l("Use at most %(num)d characters.", num=120)
    if len(description) > 2000:
        errors["description"] = _l("Use at most %(num)d characters.", num=2000)
    email = None
    if (data.email or "").strip():
        try:
            email = normalize_email(data.email)
        except ContactError as exc:
            errors["email"] = str(exc)
    values = {"name": name, "description": description, "email": email}
    if data.calendar is not None:
        values["calendar"] = by_uuid(BusinessCalendar, data.calendar) if data.calendar.strip() else None
        if data.calendar.strip() and values["calendar"] is None:
            errors["calendar"] = _l("Choose a calendar from the list.")
    if errors:
        raise ValidationFailed(_l("Please correct the highlighted fields."), errors)
    return values


def _name_taken() -> Conflict:
    return Conflict(NAME_TAKEN, {"name": NAME_TAKEN})


def _check_name_free(name: str, excluding: Workgroup | None = None) -> None:
    # The unique index only stops exact copies; "billing" next to "Billing" would confuse people too.
    # This friendly pre-check is racy, and the index still guards the exact case.
    query = Workgroup.select().where(fn.LOWER(Workgroup.name) == name.lower())
    if excluding is not None:
        query = query.where(Workgroup.id != excluding.id)
    if query.exists():
        raise _name_taken()


def create_workgroup(actor: User, data: WorkgroupData) -> Workgroup:
    """Create a workgroup (admins). Raises NotAllowed, ValidationFailed, Conflict (name taken)."""
    require_admin(actor)
    values = _clean(data)
    _check_name_free(values["name"])
    try:
        with database.atomic():
            return Workgroup.create(**values)
    except peewee.IntegrityError as exc:
        raise _name_taken() from exc


def update_workgroup(actor: User, workgroup_uuid: str, data: WorkgroupData) -> Workgroup:
    """Rename or describe a workgroup (admins). Raises NotAllowed, NotFound, ValidationFailed, Conflict."""
    require_admin(actor)
    workgroup = workgroup_by_uuid(workgroup_uuid)
    values = _clean(data)
    _check_name_free(values["name"], excluding=workgroup)
    try:
        with database.atomic():
            Workgroup.update(**values).where(Workgroup.id == workgroup.id).execute()
    except peewee.IntegrityError as exc:
        raise _name_taken() from exc
    return Workgroup.get_by_id(workgroup.id)


def set_workgroup_active(actor: User, workgroup_uuid: str, active: bool) -> Workgroup:
    """Deactivate a workgroup (it takes no new cases; members and old cases stay) or reactivate it.
    Admins only; raises NotAllowed, NotFound."""
    require_admin(actor)
    workgroup = workgroup_by_uuid(workgroup_uuid)
    with database.atomic():
        Workgroup.update(active=active).where(Workgroup.id == workgroup.id).execute()
    return Workgroup.get_by_id(workgroup.id)


def add_member(actor: User, workgroup_uuid: str, user_uuid: str) -> WorkgroupMember:
    """Add a staff user (agent, supervisor, admin) to a workgroup (admins).

    Raises NotAllowed, NotFound, ValidationFailed (not a staff user, deactivated, or no user chosen),
    Conflict (already a member).
    """
    require_admin(actor)
    workgroup = workgroup_by_uuid(workgroup_uuid)
    user = by_uuid(User, user_uuid)
    if user is None:
        message = _l("Choose a member of staff.")
        raise ValidationFailed(message, {"user": message})
    if user.role not in STAFF_ROLES or not user.active:
        message = _l("Only active agents, supervisors and administrators can be members of a workgroup.")
        raise ValidationFailed(message, {"user": message})
    try:
        with database.atomic():
            return WorkgroupMember.create(workgroup=workgroup, user=user)
    except peewee.IntegrityError as exc:
        message = _l("%(person)s is already a member of %(workgroup)s.", person=user.display_name,
                     workgroup=workgroup.name)
        raise Conflict(message, {"user": message}) from exc


def remove_member(actor: User, workgroup_uuid: str, user_uuid: str) -> User:
    """Take a user out of a workgroup (admins). Raises NotAllowed, NotFound (also when they were not a member)."""
    require_admin(actor)
    workgroup = workgroup_by_uuid(workgroup_uuid)
    user = by_uuid(User, user_uuid)
    if user is None:
        raise NotFound()
    with database.atomic():
        removed = (
            WorkgroupMember.delete()
            .where((WorkgroupMember.workgroup == workgroup) & (WorkgroupMember.user == user))
            .execute()
        )
    if not removed:
        raise NotFound()
    return user
