"""Reads for service levels: calendars, policies and OLA targets as rows for pages and as the plain values the
business-time arithmetic and targets_for take."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from zoneinfo import available_timezones

from peewee import JOIN, fn, prefetch

from portal import config_cache
from portal.errors import NotFound
from portal.identifiers import by_uuid
from portal.models.calendars import ALWAYS_OPEN_UUID, BusinessCalendar, ClosedDay, WorkingHours
from portal.models.configuration import CaseTemplate
from portal.models.service_levels import OlaTarget, SlaPolicy, SlaTarget
from portal.models.teams import Workgroup
from portal.service_levels.business_time import ALWAYS_OPEN, Calendar, CalendarError
from portal.service_levels.targets import Policy, Target


def calendars():
    """Every calendar, the 24x7 one first, then by name."""
    return BusinessCalendar.select().order_by(BusinessCalendar.is_system.desc(), fn.LOWER(BusinessCalendar.name))


def always_open_calendar() -> BusinessCalendar | None:
    return BusinessCalendar.get_or_none(BusinessCalendar.uuid == ALWAYS_OPEN_UUID)


def calendar_by_uuid(calendar_uuid) -> BusinessCalendar:
    calendar = by_uuid(BusinessCalendar, calendar_uuid)
    if calendar is None:
        raise NotFound()
    return calendar


def hours_of(calendar: BusinessCalendar) -> list[list[tuple[int, int]]]:
    """Working intervals per weekday, Monday first."""
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    rows = (WorkingHours.select().where(WorkingHours.calendar == calendar)
            .order_by(WorkingHours.weekday, WorkingHours.start_minute))
    for row in rows:
        days[row.weekday].append((row.start_minute, row.end_minute))
    return days


def closed_days_of(calendar: BusinessCalendar) -> list[tuple]:
    rows = ClosedDay.select().where(ClosedDay.calendar == calendar).order_by(ClosedDay.day)
    return [(row.day, row.label) for row in rows]


def calendar_value(calendar: BusinessCalendar | None) -> Calendar:
    """The calendar as the arithmetic takes it; none (a workgroup without a calendar) is 24x7. A calendar that
    cannot be used any more (its zone left the tz database) counts as 24x7 rather than stopping every clock."""
    if calendar is None:
        return ALWAYS_OPEN
    try:
        return Calendar(calendar.time_zone, tuple(tuple(day) for day in hours_of(calendar)),
                        frozenset(day for day, _ in closed_days_of(calendar)), calendar.country or None,
                        calendar.subdivision or None)
    except CalendarError:
        return ALWAYS_OPEN


def workgroup_calendar(workgroup: Workgroup | None) -> Calendar:
    """The workgroup's calendar as the arithmetic takes it, read once per configuration change; 24x7 (nothing
    read) for a workgroup without one."""
    calendar_id = workgroup.calendar_id if workgroup is not None else None
    if calendar_id is None:
        return ALWAYS_OPEN
    return config_cache.cached(("calendar_value", calendar_id),
                               lambda: calendar_value(BusinessCalendar.get_or_none(BusinessCalendar.id == calendar_id)))


def calendar_of_workgroup(workgroup_id: int | None) -> Calendar:
    """As workgroup_calendar, from the workgroup's id (for code that holds only a case's workgroup_id)."""
    if workgroup_id is None:
        return ALWAYS_OPEN
    return config_cache.cached(("workgroup_calendar", workgroup_id), lambda: calendar_value(
        BusinessCalendar.select().join(Workgroup, on=(Workgroup.calendar == BusinessCalendar.id))
        .where(Workgroup.id == workgroup_id).first()))


def policy_of(template: CaseTemplate) -> SlaPolicy | None:
    return SlaPolicy.get_or_none(SlaPolicy.template == template)


def targets_of(policy: SlaPolicy | None) -> dict[tuple[str, str], SlaTarget]:
    if policy is None:
        return {}
    return {(row.priority, row.metric): row for row in SlaTarget.select().where(SlaTarget.policy == policy)}


def policy_value(template: CaseTemplate | None) -> Policy | None:
    """The template's SLA as targets_for takes it; None when the template has no targets. Read once per
    configuration change (portal.config_cache)."""
    return policy_value_of(template.id if template is not None else None)


def policy_value_of(template_id: int | None) -> Policy | None:
    """As policy_value, from the template's id (a case's template_id)."""
    if template_id is None:
        return None
    return config_cache.cached(("policy_value", template_id),
                               lambda: _read_policy_value(SlaPolicy.get_or_none(SlaPolicy.template == template_id)))


def _read_policy_value(policy: SlaPolicy | None) -> Policy | None:
    rows = targets_of(policy)
    if not rows:
        return None
    return Policy(targets={key: Target(timedelta(minutes=row.minutes), row.business_time) for key, row in rows.items()},
                  pause_categories=frozenset(policy.pause_category_codes), warn_percent=policy.warn_percent)


def ola_of(workgroup: Workgroup) -> OlaTarget | None:
    return OlaTarget.get_or_none(OlaTarget.workgroup == workgroup)


def ola_value(workgroup: Workgroup | None) -> Target | None:
    """The workgroup's OLA target, read once per configuration change (portal.config_cache)."""
    return ola_value_of(workgroup.id if workgroup is not None else None)


def ola_value_of(workgroup_id: int | None) -> Target | None:
    """As ola_value, from the workgroup's id."""
    if workgroup_id is None:
        return None
    return config_cache.cached(("ola_value", workgroup_id), lambda: _read_ola_value(workgroup_id))


def _read_ola_value(workgroup_id: int) -> Target | None:
    row = OlaTarget.get_or_none(OlaTarget.workgroup == workgroup_id)
    return Target(timedelta(minutes=row.minutes), row.business_time) if row else None


def templates_with_policies():
    """Every case template that is not retired, each with .policy (or None) and its targets, in three queries."""
    templates = list(CaseTemplate.select().where(CaseTemplate.state != "retired")
                     .order_by(fn.LOWER(CaseTemplate.name)))
    policies = prefetch(SlaPolicy.select().where(SlaPolicy.template.in_([t.id for t in templates])), SlaTarget)
    by_template = {policy.template_id: policy for policy in policies}
    for template in templates:
        template.policy = by_template.get(template.id)
    return templates


def workgroups_with_service_levels():
    """Every workgroup with its calendar (.calendar, or None) and OLA target (.ola: minutes None when it has
    none), in one query."""
    return (
        Workgroup.select(Workgroup, BusinessCalendar, OlaTarget)
        .join(BusinessCalendar, JOIN.LEFT_OUTER, on=(Workgroup.calendar == BusinessCalendar.id))
        .switch(Workgroup)
        .join(OlaTarget, JOIN.LEFT_OUTER, on=(OlaTarget.workgroup == Workgroup.id), attr="ola")
        .order_by(Workgroup.active.desc(), fn.LOWER(Workgroup.name))
    )


@cache
def time_zones() -> tuple[str, ...]:
    """IANA zone names people pick from (no aliases like "posix/..." or "Factory")."""
    return tuple(sorted(name for name in available_timezones()
                        if ("/" in name or name == "UTC") and not name.startswith(("posix", "right", "Etc/"))))


@cache
def holiday_countries() -> dict[str, tuple[str, ...]]:
    """Country codes the holidays package knows, each with its subdivision codes."""
    import holidays

    return {code: tuple(subdivisions) for code, subdivisions in sorted(holidays.list_supported_countries().items())
            if len(code) == 2}
