"""What a report page shows, for one viewer and one choice of filters: the figures of every report,
with counts per day in the viewer's own days. Numbers only: the page words and draws them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal import policy
from portal.clock import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.cases import CASE_CHANNELS
from portal.models.configuration import CaseTemplate
from portal.models.people import User
from portal.models.teams import Workgroup
from portal.reports import queries
from portal.reports.queries import Compliance, Durations, Satisfaction, Scope

MAX_DAYS = 366
DEFAULT_DAYS = 30
BAD_RANGE = _l("The first day must be on or before the last day.")
TOO_LONG = _l("Choose at most %(days)d days.", days=MAX_DAYS)
OUT_OF_RANGE = _l("Choose days between the years %(first)d and %(last)d.", first=1970, last=2999)
UNKNOWN_WORKGROUP = _l("Choose one of your workgroups from the list.")
UNKNOWN_TEMPLATE = _l("Choose a form from the list.")
UNKNOWN_CHANNEL = _l("Choose a channel from the list.")


@dataclass(frozen=True)
class Filters:
    first_day: date
    last_day: date
    workgroup_uuid: str = ""
    template_uuid: str = ""
    channel: str = ""


@dataclass
class Reports:
    filters: Filters
    days: list[date]
    open_by_type_and_status: list[tuple[str, str, str, int]]
    escalated_open: list[tuple[str, int]]
    escalations: int
    closed_per_agent: list[tuple[str, int]]
    first_response: Durations
    close: Durations
    first_response_business: Durations
    close_business: Durations
    compliance_by_workgroup: list[Compliance]
    compliance_by_template: list[Compliance]
    satisfaction: Satisfaction
    comments: list[tuple[str, int | None, str, datetime]]
    created_per_day: list[int]
    closed_per_day: list[int]
    backlog_per_day: list[int]


def default_filters(zone: ZoneInfo, now: datetime | None = None) -> Filters:
    today = (now or utcnow()).astimezone(zone).date()
    return Filters(today - timedelta(days=DEFAULT_DAYS - 1), today)


def _scope(viewer: User, filters: Filters, zone: ZoneInfo) -> Scope:
    problems = {}
    for name in ("first_day", "last_day"):
        if not 1970 <= getattr(filters, name).year <= 2999:
            problems[name] = OUT_OF_RANGE
    if not problems and filters.first_day > filters.last_day:
        problems["last_day"] = BAD_RANGE
    elif not problems and (filters.last_day - filters.first_day).days + 1 > MAX_DAYS:
        problems["first_day"] = TOO_LONG
    allowed = policy.reportable_workgroups(viewer)
    workgroups = allowed
    if filters.workgroup_uuid:
        workgroup = by_uuid(Workgroup, filters.workgroup_uuid)
        if workgroup is None or (allowed is not None and workgroup.id not in allowed):
            problems["workgroup"] = UNKNOWN_WORKGROUP
        else:
            workgroups = frozenset({workgroup.id})
    template_id = None
    if filters.template_uuid:
        template = by_uuid(CaseTemplate, filters.template_uuid)
        if template is None:
            problems["template"] = UNKNOWN_TEMPLATE
        else:
            template_id = template.id
    if filters.channel and filters.channel not in CASE_CHANNELS:
        problems["channel"] = UNKNOWN_CHANNEL
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    return Scope(start=_midnight(filters.first_day, zone), end=_midnight(filters.last_day + timedelta(days=1), zone),
                 workgroup_ids=workgroups, template_id=template_id, channel=filters.channel or None)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(ZoneInfo("UTC"))


def build_reports(viewer: User, filters: Filters, zone: ZoneInfo, *, now: datetime | None = None) -> Reports:
    """Every report for viewer. Raises NotFound for people who may not read reports, ValidationFailed
    for filters outside what they may choose."""
    now = now or utcnow()
    if not policy.can_view_reports(viewer):
        raise NotFound()
    scope = _scope(viewer, filters, zone)
    days = [filters.first_day + timedelta(days=n) for n in range((filters.last_day - filters.first_day).days + 1)]
    # The UTC moments the viewer's days begin (and the last one ends): SQL counts between them, so a day is the
    # viewer's day whatever the zone and its DST changes (a day of 23 or 25 hours stays one day).
    bounds = [_midnight(day, zone) for day in days] + [scope.end]
    opened, closings = queries.opened_per_period(scope, bounds), queries.closed_per_period(scope, bounds)
    created, closed = opened.counts, closings.counts
    backlog, level = [], queries.open_at(scope, scope.start)
    for made, ended in zip(created, closed, strict=True):
        level += made - ended
        backlog.append(level)
    return Reports(
        filters=filters, days=days,
        open_by_type_and_status=queries.open_by_type_and_status(scope),
        escalated_open=queries.escalated_open(scope), escalations=queries.escalations_in_period(scope),
        closed_per_agent=queries.closed_per_agent(scope),
        # The bounds cover the scope's whole period, so the per-day queries summed the very cases these count.
        first_response=queries.time_to_first_response(scope, opened.totals["first_response_s"]),
        close=queries.time_to_close(scope, closings.totals["resolution_s"]),
        first_response_business=queries.business_time_to_first_response(
            scope, opened.totals["first_response_business_s"]),
        close_business=queries.business_time_to_close(scope, closings.totals["resolution_business_s"]),
        compliance_by_workgroup=queries.compliance(scope, now, "workgroup"),
        compliance_by_template=queries.compliance(scope, now, "template"),
        satisfaction=queries.satisfaction(scope), comments=queries.feedback_comments(scope),
        created_per_day=created, closed_per_day=closed, backlog_per_day=backlog)


def workgroup_choices(viewer: User) -> list[Workgroup]:
    allowed = policy.reportable_workgroups(viewer)
    query = Workgroup.select().order_by(Workgroup.name)
    if allowed is not None:
        query = query.where(Workgroup.id.in_(sorted(allowed) or [0]))
    return list(query)
