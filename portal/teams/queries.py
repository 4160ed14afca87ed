"""Reads about workgroups: who is in which, for pages and for case visibility and assignment rules."""

from __future__ import annotations

from peewee import JOIN, fn

from portal.errors import NotFound
from portal.identifiers import by_uuid
from portal.models.people import STAFF_ROLES, User
from portal.models.teams import Workgroup, WorkgroupMember


def members_of(workgroup: Workgroup):
    """The users in workgroup (supervisors first, then by name), with when they were added."""
    return (
        User.select(User, WorkgroupMember.added_at.alias("added_at"))
        .join(WorkgroupMember)
        .where(WorkgroupMember.workgroup == workgroup)
        .order_by(User.role.desc(), fn.LOWER(User.display_name), User.id)
    )


def workgroups_with_member_counts():
    """Every workgroup, active first then by name, each with .member_count, in one query."""
    return (
        Workgroup.select(Workgroup, fn.COUNT(WorkgroupMember.id).alias("member_count"))
        .join(WorkgroupMember, JOIN.LEFT_OUTER)
        .group_by(Workgroup.id)
        .order_by(Workgroup.active.desc(), fn.LOWER(Workgroup.name), Workgroup.id)
    )


def workgroup_by_uuid(workgroup_uuid) -> Workgroup:
    workgroup = by_uuid(Workgroup, workgroup_uuid)
    if workgroup is None:
        raise NotFound()
    return workgroup


def staff_not_in(workgroup: Workgroup):
    """Active staff users who could join workgroup, by name: the add-member choices."""
    already = (
        WorkgroupMember.select(WorkgroupMember.user)
        .where(WorkgroupMember.workgroup == workgroup)
    )
    return (
        User.select()
        .where(User.role.in_(STAFF_ROLES) & (User.active == True) & User.id.not_in(already))  # noqa: E712
        .order_by(fn.LOWER(User.display_name), User.id)
    )
