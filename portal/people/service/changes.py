"""Changing a user: role, workgroups, deactivation and reactivation. Admins only (portal.policy);
every change is audited (portal.people.service.audit) in its own transaction.

The last active admin stays: a change that takes a user out of the active admins (demotion,
deactivation) first locks the active admins' rows (FOR UPDATE on PostgreSQL; on SQLite every
transaction holds the write lock from its start, portal.db), writes conditionally on the state it
checked, and counts the active admins left before it commits. Two admins demoting each other at once
therefore run one after the other, and the second finds itself no longer an admin, or the other the
last one.
"""

from __future__ import annotations

from datetime import datetime

from portal import policy
from portal.accounts.service.sessions import end_all_sessions
from portal.cases.service.transitions import NOT_CLOSED, write_case
from portal.clock import utcnow
from portal.db import database, is_postgres
from portal.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from portal.events import case_events
from portal.i18n import _l
from portal.identifiers import parse_uuid
from portal.models.cases import Case
from portal.models.configuration import CaseStatus
from portal.models.people import STAFF_ROLES, User
from portal.models.teams import WorkgroupMember
from portal.people import rules
from portal.people.queries import user_by_uuid, workgroup_choices, workgroups_of
from portal.people.service.audit import record
from portal.staff.service.shared import record as record_case_event


def _active_admins():
    return User.select(User.id).where((User.role == "admin") & User.active)


def _lock_admins() -> None:
    """Serialise every change that could remove an active admin (see the module docstring)."""
    if is_postgres(database):
        list(_active_admins().order_by(User.id).for_update())


def _require_admin_now(actor: User) -> None:
    """The actor is still an active admin inside the locked transaction (another admin may have
    demoted them a moment ago)."""
    if not _active_admins().where(User.id == actor.id).exists():
        raise NotAllowed(_l("You are no longer an administrator."))


def _keep_an_admin(subject: User) -> None:
    if not _active_admins().exists():
        raise Conflict(_l("%(name)s is the last active administrator: make someone else an administrator first.",
                          name=subject.display_name))


def _write_user(subject: User, expect: dict, **changes) -> None:
    """Change subject only while it holds the values expect names (Conflict otherwise)."""
    condition = User.id == subject.id
    for name, value in expect.items():
        condition &= getattr(User, name) == value
    if not User.update(**changes).where(condition).execute():
        raise Conflict(_l("Someone else changed %(name)s in the meantime. Look at the page again.",
                          name=subject.display_name))
    for name, value in changes.items():
        setattr(subject, name, value)


def _release_cases(actor: User, subject: User, now: datetime, reason: str) -> int:
    """Put subject's open cases back in their workgroup's queue, each with a feed entry. A case
    someone reassigned or closed meanwhile is no longer subject's to give back: it is left alone."""
    closed = CaseStatus.select(CaseStatus.id).where(CaseStatus.category == "closed")
    released = []
    for case in Case.select().where((Case.assignee == subject) & Case.status.not_in(closed)).order_by(Case.id):
        try:
            write_case(actor, case, expect=(NOT_CLOSED, "assignee"), now=now, assignee=None)
        except Conflict:
            continue
        feed = record_case_event(case, "assigned", actor, now,
                                 data={"from": subject.display_name, "to": None, "reason": reason})
        released.append((case, feed))
    # The typed events after every case is written: from the first one on, this transaction holds the
    # event counter, and it must not then wait for a case row that a writer waiting for the counter holds.
    for case, feed in released:
        case_events.assigned(case, actor, feed, subject, now, reason=reason)
    return len(released)


def _leave_workgroups(actor: User, subject: User, now: datetime) -> None:
    names = [group.name for group in workgroups_of(subject)]
    if names:
        WorkgroupMember.delete().where(WorkgroupMember.user == subject).execute()
        record(actor, subject, "workgroups_changed", now, old=names, new=[])


def change_role(actor: User, user_uuid: str, role: str, *, now: datetime | None = None) -> User:
    """Give a proxy, agent, supervisor or admin another of those roles (policy.can_change_role).
    Leaving the staff roles (becoming a proxy) also leaves every workgroup and gives back the open
    cases assigned to them. Raises NotAllowed, NotFound, ValidationFailed (role), InvalidTransition
    (no change), Conflict (the last active admin; changed meanwhile)."""
    policy.require_admin(actor)
    subject = user_by_uuid(user_uuid)
    errors: dict[str, str] = {}
    role = rules.clean_role(role, policy.INVITABLE_ROLES, errors)
    if errors:
        raise ValidationFailed(errors["role"], errors)
    if not policy.can_change_role(actor, subject, role):
        raise NotAllowed(_l("Customers keep the customer role: they sign up or are invited by their account "
                            "manager."))
    problem = rules.role_change_problem(subject.role, role)
    if problem:
        raise InvalidTransition(problem)
    now = now or utcnow()
    old = subject.role
    with database.atomic():
        _lock_admins()
        _require_admin_now(actor)
        _write_user(subject, {"role": old}, role=role)
        _keep_an_admin(subject)
        if role not in STAFF_ROLES:
            _leave_workgroups(actor, subject, now)
            _release_cases(actor, subject, now, "left_staff")
        record(actor, subject, "role_changed", now, old=old, new=role)
    return subject


def set_workgroups(actor: User, user_uuid: str, workgroup_uuids: list[str], *,
                   now: datetime | None = None) -> User:
    """Make subject a member of exactly these workgroups (policy.can_set_workgroups: agents,
    supervisors and admins). Raises NotAllowed, NotFound, ValidationFailed (unknown or deactivated
    workgroup), InvalidTransition (no change)."""
    policy.require_admin(actor)
    subject = user_by_uuid(user_uuid)
    if not policy.can_set_workgroups(actor, subject):
        raise NotAllowed(_l("Only agents, supervisors and administrators are members of workgroups."))
    wanted = {parse_uuid(value) for value in workgroup_uuids or []}
    allowed = {group.uuid: group for group in workgroup_choices(subject)}
    if None in wanted or not wanted <= set(allowed):
        message = _l("Choose among the active workgroups listed.")
        raise ValidationFailed(message, {"workgroups": message})
    current = {group.uuid: group for group in workgroups_of(subject)}
    if set(current) == wanted:
        raise InvalidTransition(_l("Nothing to change: these are the workgroups already."))
    now = now or utcnow()
    with database.atomic():
        removed = [current[key].id for key in set(current) - wanted]
        if removed:
            (WorkgroupMember.delete()
             .where((WorkgroupMember.user == subject) & WorkgroupMember.workgroup.in_(removed))
             .execute())
        for key in sorted(wanted - set(current)):
            (WorkgroupMember.insert(workgroup=allowed[key], user=subject, added_at=now)
             .on_conflict_ignore()
             .execute())
        record(actor, subject, "workgroups_changed", now, old=sorted(g.name for g in current.values()),
               new=sorted(allowed[key].name for key in wanted))
    return subject


def deactivate_user(actor: User, user_uuid: str, *, now: datetime | None = None) -> int:
    """Deactivate a user (policy.can_deactivate: admins, not themselves): their sessions end at once,
    their cases stay, and the open cases assigned to them go back to their workgroup's queue with a
    feed entry. Returns how many cases went back. Raises NotAllowed, NotFound, InvalidTransition
    (deactivated already), Conflict (the last active admin; changed meanwhile)."""
    policy.require_admin(actor)
    subject = user_by_uuid(user_uuid)
    if not policy.can_deactivate(actor, subject):
        raise NotAllowed(_l("You cannot deactivate yourself. Ask another administrator."))
    if not subject.active:
        raise InvalidTransition(_l("%(name)s is deactivated already.", name=subject.display_name))
    now = now or utcnow()
    with database.atomic():
        _lock_admins()
        _require_admin_now(actor)
        _write_user(subject, {"active": True}, active=False)
        _keep_an_admin(subject)
        end_all_sessions(subject, now=now)
        released = _release_cases(actor, subject, now, "deactivated")
        record(actor, subject, "deactivated", now, old=True, new=False)
    return released


def reactivate_user(actor: User, user_uuid: str, *, now: datetime | None = None) -> User:
    """Let a deactivated user sign in again (their role and workgroups are as they were). Raises
    NotAllowed, NotFound, InvalidTransition (active already), Conflict (changed meanwhile)."""
    policy.require_admin(actor)
    subject = user_by_uuid(user_uuid)
    if not policy.can_administer_people(actor):
        raise NotAllowed()
    if subject.active:
        raise InvalidTransition(_l("%(name)s is active already.", name=subject.display_name))
    now = now or utcnow()
    with database.atomic():
        _write_user(subject, {"active": False}, active=True)
        record(actor, subject, "reactivated", now, old=False, new=True)
    return subject

