"""The report figures, each one or two aggregate queries over indexed columns: nothing here loads the
cases themselves. Times are read from the seconds stored on each case when it happens, in calendar time and in
business time (the calendar of the workgroup handling it; portal.service_levels.elapsed); counts per day are
counted in SQL per period between the UTC moments at which the viewer's days begin (the caller,
portal.reports.service, works those out in the viewer's zone), so any zone gets its own days, across DST
changes too, and one row per day comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee
from peewee import JOIN, fn

from portal.db import database, is_postgres
from portal.models.cases import Case, CaseEvent, CaseFeedback
from portal.models.configuration import CaseStatus, CaseTemplate
from portal.models.people import User
from portal.models.teams import Workgroup


@dataclass(frozen=True)
class Scope:
    """Which cases a report counts: a UTC period [start, end), the workgroups the viewer may report on
    (None: every case, for admins) narrowed by the chosen workgroup, case template and channel."""

    start: datetime
    end: datetime
    workgroup_ids: frozenset[int] | None = None
    template_id: int | None = None
    channel: str | None = None

    def cases(self, model=Case):
        # The workgroup and form are compared as `column + 0`, which the report indexes still answer but which
        # no single-column index can: without statistics SQLite's planner would otherwise pick the workgroup's
        # (or form's) own index and read every case of it instead of the period's range (6 s instead of 0.3 s
        # on 100,000 cases).
        condition = peewee.SQL("1 = 1")
        if self.workgroup_ids is not None:
            condition &= (_unindexed(model.workgroup).in_(sorted(self.workgroup_ids)) if self.workgroup_ids
                          else peewee.SQL("1 = 0"))
        if self.template_id is not None:
            condition &= _unindexed(model.template) == self.template_id
        if self.channel is not None:
            condition &= model.channel == self.channel
        return condition


def _unindexed(column):
    return column + 0


def _closed():
    """Cases closed now. A reopened case keeps the time of its last closing (last_closed_at) until it
    closes again, so closings are counted by cases that are closed now, at their last closing: a case
    reopened and not yet closed again counts as open (also for the days between its two closings)."""
    return _unindexed(Case.status).in_(CaseStatus.select(CaseStatus.id).where(CaseStatus.category == "closed"))


def _closed_between(scope: Scope):
    return _closed() & (Case.last_closed_at >= scope.start) & (Case.last_closed_at < scope.end) & scope.cases()


def open_by_type_and_status(scope: Scope) -> list[tuple[str, str, str, int]]:
    """Cases not closed now: (template name, status name, status category, count). Counted by ids over
    the (status, template, workgroup) index; the few names are read afterwards."""
    counts = list(Case
                  .select(Case.template, Case.status, fn.COUNT(Case.id))
                  .where(Case.status.not_in(CaseStatus.select(CaseStatus.id).where(CaseStatus.category == "closed"))
                         & scope.cases())
                  .group_by(Case.template, Case.status)
                  .tuples())
    templates = dict(CaseTemplate.select(CaseTemplate.id, CaseTemplate.name)
                     .where(CaseTemplate.id.in_({row[0] for row in counts} or {0})).tuples())
    statuses = {row[0]: row[1:] for row in CaseStatus.select(CaseStatus.id, CaseStatus.name, CaseStatus.category)
                .where(CaseStatus.id.in_({row[1] for row in counts} or {0})).tuples()}
    rows = [(templates[template], *statuses[status], int(number)) for template, status, number in counts]
    return sorted(rows)


def escalated_open(scope: Scope) -> list[tuple[str, int]]:
    """Escalated cases not closed now, per workgroup now handling them."""
    rows = (Case
            .select(fn.COALESCE(Workgroup.name, ""), fn.COUNT(Case.id))
            .join(CaseStatus, on=(Case.status == CaseStatus.id))
            .switch(Case)
            .join(Workgroup, JOIN.LEFT_OUTER, on=(Case.workgroup == Workgroup.id))
            .where(Case.escalated & (CaseStatus.category != "closed") & scope.cases())
            .group_by(Workgroup.name)
            .order_by(fn.COUNT(Case.id).desc())
            .tuples())
    return list(rows)


def escalations_in_period(scope: Scope) -> int:
    return (CaseEvent
            .select(fn.COUNT(CaseEvent.id))
            .join(Case, on=(CaseEvent.case == Case.id))
            .where((CaseEvent.kind == "escalated") & (CaseEvent.created_at >= scope.start)
                   & (CaseEvent.created_at < scope.end) & scope.cases())
            .scalar()) or 0


def closed_per_agent(scope: Scope) -> list[tuple[str, int]]:
    """Cases closed in the period per assignee at closing ("" when nobody was assigned)."""
    rows = (Case
            .select(fn.COALESCE(User.display_name, ""), fn.COUNT(Case.id))
            .join(User, JOIN.LEFT_OUTER, on=(Case.assignee == User.id))
            .where(_closed_between(scope))
            .group_by(User.id, User.display_name)
            .order_by(fn.COUNT(Case.id).desc(), User.display_name)
            .tuples())
    return list(rows)


@dataclass(frozen=True)
class Durations:
    count: int
    mean: float | None  # seconds
    median: float | None


def _durations(seconds, source, known: tuple[int, int] | None = None) -> Durations:
    """Count, mean and median of a seconds column over a query (rows where it is null do not count): the median
    is read by ordering in SQL and taking the middle row(s), so no list of durations comes into Python. known:
    the (count, total) of those seconds when a query the page runs anyway summed them already (the per-day
    counts do), which saves a pass over the same rows."""
    source = source.where(seconds.is_null(False))
    if known is None:
        stats = source.select(fn.COUNT(seconds), fn.SUM(seconds)).tuples().first() or (0, None)
        known = (int(stats[0] or 0), int(stats[1] or 0))
    count, total = known
    if not count:
        return Durations(0, None, None)
    middle = (source
              .select(seconds.alias("d"))
              .order_by(seconds)
              .limit(2 - count % 2)
              .offset((count - 1) // 2)
              .tuples())
    values = [row[0] for row in middle]
    return Durations(count, total / count, sum(values) / len(values))


def _opened_in(scope: Scope):
    return (Case.opened_at >= scope.start) & (Case.opened_at < scope.end) & scope.cases()


def time_to_close(scope: Scope, known: tuple[int, int] | None = None) -> Durations:
    """Cases closed in the period: from opening to their last closing (calendar seconds stored when it closed)."""
    return _durations(Case.resolution_s, Case.select().where(_closed_between(scope)), known)


def time_to_first_response(scope: Scope, known: tuple[int, int] | None = None) -> Durations:
    """Cases opened in the period that staff answered: from opening to the first public comment by staff
    (case.first_response_at, written once when it happens, with its calendar seconds)."""
    return _durations(Case.first_response_s, Case.select().where(_opened_in(scope)), known)


def business_time_to_close(scope: Scope, known: tuple[int, int] | None = None) -> Durations:
    """The same cases as time_to_close, in business seconds (stored when they closed)."""
    return _durations(Case.resolution_business_s, Case.select().where(_closed_between(scope)), known)


def business_time_to_first_response(scope: Scope, known: tuple[int, int] | None = None) -> Durations:
    """The same cases as time_to_first_response, in business seconds (stored with the first answer)."""
    return _durations(Case.first_response_business_s, Case.select().where(_opened_in(scope)), known)


@dataclass(frozen=True)
class Satisfaction:
    ratings: int
    average: float | None
    accepted: int
    rejected: int
    by_rating: dict[int, int]


def satisfaction(scope: Scope) -> Satisfaction:
    rated = (CaseFeedback
             .select(CaseFeedback.rating, fn.COUNT(CaseFeedback.id))
             .join(Case, on=(CaseFeedback.case == Case.id))
             .where(CaseFeedback.rating.is_null(False) & (CaseFeedback.created_at >= scope.start)
                    & (CaseFeedback.created_at < scope.end) & scope.cases())
             .group_by(CaseFeedback.rating)
             .tuples())
    by_rating = {int(rating): int(count) for rating, count in rated}
    answers = dict(CaseEvent
                   .select(CaseEvent.kind, fn.COUNT(CaseEvent.id))
                   .join(Case, on=(CaseEvent.case == Case.id))
                   .where(CaseEvent.kind.in_(("resolution_accepted", "resolution_rejected"))
                          & (CaseEvent.created_at >= scope.start) & (CaseEvent.created_at < scope.end)
                          & scope.cases())
                   .group_by(CaseEvent.kind)
                   .tuples())
    total = sum(by_rating.values())
    average = sum(rating * count for rating, count in by_rating.items()) / total if total else None
    return Satisfaction(total, average, int(answers.get("resolution_accepted", 0)),
                        int(answers.get("resolution_rejected", 0)), by_rating)


def feedback_comments(scope: Scope, limit: int = 10) -> list[tuple[str, int | None, str, datetime]]:
    """The latest comments customers left with their rating: (case reference, rating, comment, when)."""
    rows = (CaseFeedback
            .select(Case.reference, CaseFeedback.rating, CaseFeedback.comment, CaseFeedback.created_at)
            .join(Case, on=(CaseFeedback.case == Case.id))
            .where((CaseFeedback.comment != "") & (CaseFeedback.created_at >= scope.start)
                   & (CaseFeedback.created_at < scope.end) & scope.cases())
            .order_by(CaseFeedback.created_at.desc())
            .limit(limit))
    return [(row.case.reference, row.rating, row.comment, row.created_at) for row in rows]


@dataclass(frozen=True)
class PerPeriod:
    counts: list[int]  # cases per period
    totals: dict[str, tuple[int, int]]  # per seconds column: (how many cases have it, their sum) over all periods


def _per_period(column, condition, bounds: list[datetime], seconds=()) -> PerPeriod:
    """How many cases have column in [bounds[i], bounds[i + 1]), for each i, and over all of them the count and
    sum of each seconds column (for the means): one query joining the periods (a VALUES list, columns
    column1..3 on both databases) with the cases, so each period is one range read of the report index (no
    per-row date arithmetic, one row per period back)."""
    if len(bounds) < 2:
        return PerPeriod([], {field.name: (0, 0) for field in seconds})
    sums = [aggregate for field in seconds for aggregate in (fn.COUNT(field), fn.SUM(field))]
    if is_postgres(database):
        # PostgreSQL numbers each row's period itself (width_bucket: a binary search in the sorted bounds, 1 for
        # the first period) in one range read; joined with a VALUES list its planner misjudged the closed
        # cases (`status + 0`) and compared every closed case with every period (4 s instead of 0.1 s).
        period = fn.width_bucket(column, peewee.Value([column.db_value(bound) for bound in bounds], unpack=False))
        # Grouped by position: the bounds are a parameter, written twice they would be two to PostgreSQL.
        rows = [(number - 1, *rest) for number, *rest in (
            Case
            .select(period, fn.COUNT(Case.id), *sums)
            .where((column >= bounds[0]) & (column < bounds[-1]) & condition)
            .group_by(peewee.SQL("1"))
            .tuples())]
    else:
        periods = peewee.ValuesList([(number, column.db_value(low), column.db_value(high))
                                     for number, (low, high) in enumerate(zip(bounds, bounds[1:]))]).alias("period")
        rows = (Case
                .select(periods.c.column1, fn.COUNT(Case.id), *sums)
                .from_(periods)
                .join(Case, on=(column >= periods.c.column2) & (column < periods.c.column3))
                .where(condition)
                .group_by(periods.c.column1)
                .tuples())
    counts = [0] * (len(bounds) - 1)
    totals = [0] * len(sums)
    for number, count, *aggregates in rows:
        counts[int(number)] = int(count)
        for position, value in enumerate(aggregates):
            totals[position] += int(value or 0)
    return PerPeriod(counts, {field.name: (totals[2 * n], totals[2 * n + 1]) for n, field in enumerate(seconds)})


def opened_per_period(scope: Scope, bounds: list[datetime]) -> PerPeriod:
    """Cases opened in each period between consecutive bounds (which lie within the scope's period), with the
    totals of their seconds to the first answer (calendar and business)."""
    return _per_period(Case.opened_at, scope.cases(), bounds, (Case.first_response_s, Case.first_response_business_s))


def closed_per_period(scope: Scope, bounds: list[datetime]) -> PerPeriod:
    """Cases closed now, per period of their last closing (as closed_per_agent and time_to_close count them),
    with the totals of their seconds to the closing (calendar and business)."""
    return _per_period(Case.last_closed_at, _closed() & scope.cases(), bounds,
                       (Case.resolution_s, Case.resolution_business_s))


def open_at(scope: Scope, moment: datetime) -> int:
    """Cases open at a moment: opened before it and not (last) closed by then."""
    return (Case
            .select(fn.COUNT(Case.id))
            .where((Case.opened_at < moment)
                   & ~(_closed() & (Case.last_closed_at < moment))
                   & scope.cases())
            .scalar()) or 0


# The targets whose due moment stays on the case once decided (the first response's when answered, the
# resolution's when closed); the next response's and the OLA's are cleared when met, so they cannot be counted
# after the fact (their misses are in the case.sla_breached events).
COMPLIANCE_TARGETS = ("first_response", "resolution")


@dataclass(frozen=True)
class Compliance:
    target: str
    name: str  # workgroup or form name ("" for cases without a workgroup)
    due: int  # targets due in the period (and by now)
    missed: int

    @property
    def met(self) -> int:
        return self.due - self.missed

    @property
    def share_met(self) -> float | None:
        return 100.0 * self.met / self.due if self.due else None


def compliance(scope: Scope, now: datetime, by: str) -> list[Compliance]:
    """Per target and workgroup (by="workgroup") or form (by="template"): how many targets fell due in the
    period (up to now: later ones are not decided yet) and how many of them were missed (the breach job's
    stored *_breached_at). One grouped count per target over its (due, workgroup, form, ...) index."""
    group = Case.workgroup if by == "workgroup" else Case.template
    end = min(scope.end, now)
    rows = []
    for target in COMPLIANCE_TARGETS:
        due, breached = Case._meta.fields[f"{target}_due"], Case._meta.fields[f"{target}_breached_at"]
        counts = (Case
                  .select(group, fn.COUNT(Case.id), fn.COUNT(breached))
                  .where((due >= scope.start) & (due < end) & scope.cases())
                  .group_by(group)
                  .tuples())
        rows.extend((target, *row) for row in counts)
    model = Workgroup if by == "workgroup" else CaseTemplate
    names = dict(model.select(model.id, model.name).where(model.id.in_({row[1] for row in rows} or {0})).tuples())
    return sorted((Compliance(target, names.get(key, ""), int(number), int(missed))
                   for target, key, number, missed in rows), key=lambda c: (c.target, c.name.lower()))
