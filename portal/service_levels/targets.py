"""Service-level targets of one case: pure, from plain values (no Flask, no database).

The lead's services call targets_for when a case opens or changes priority, template or workgroup, and when its
status enters or leaves a pausing category, and store the result on the case; the breach job compares the stored
moments with the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from portal.service_levels.business_time import ALWAYS_OPEN, Calendar, CalendarError, add_business_time

METRICS = ("first_response", "next_response", "resolution")
DEFAULT_PAUSE_CATEGORIES = frozenset({"waiting", "resolved"})
DEFAULT_WARN_PERCENT = 75
EVERY_PRIORITY = ""


@dataclass(frozen=True)
class Target:
    """A duration, counted in the team's business time or in calendar time (around the clock)."""

    duration: timedelta
    business_time: bool = True

    def __post_init__(self):
        if self.duration <= timedelta(0):
            raise ValueError("a target needs a positive duration")


@dataclass(frozen=True)
class Policy:
    """A template's SLA: targets by (priority, metric), where priority EVERY_PRIORITY is the template-wide row
    that priorities without their own row follow."""

    targets: Mapping[tuple[str, str], Target] = field(default_factory=dict)
    pause_categories: frozenset[str] = DEFAULT_PAUSE_CATEGORIES
    warn_percent: int = DEFAULT_WARN_PERCENT

    def target(self, metric: str, priority: str) -> Target | None:
        return self.targets.get((priority, metric)) or self.targets.get((EVERY_PRIORITY, metric))


@dataclass(frozen=True)
class Due:
    """One target of one case: when it is due and when to warn (aware UTC)."""

    due: datetime
    warn_at: datetime
    target: Target


@dataclass(frozen=True)
class CaseTargets:
    first_response: Due | None = None
    next_response: Due | None = None
    resolution: Due | None = None
    # The escalation workgroup's own resolution target, counted from the escalation in its calendar.
    ola: Due | None = None
    # The clock is stopped now (the case is in a pausing status): the due moments are those the case gets if the
    # clock starts again at `now`; they move on for as long as the pause lasts, so store them again on resume.
    paused: bool = False

    def as_dict(self) -> dict:
        values: dict = {"paused": self.paused}
        for name in (*METRICS, "ola"):
            due = getattr(self, name)
            values[f"{name}_due"] = due.due if due else None
            values[f"{name}_warn_at"] = due.warn_at if due else None
        return values


def pauses_from_history(history: Sequence[tuple[datetime, str]], pause_categories: frozenset[str],
                        now: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches in which the clock stood still: from each change into a pausing status category to the next
    change out of one (a pause still going on ends at now). history: (moment, status category) per status
    change, the first being the status the case opened with."""
    pauses, since = [], None
    for moment, category in sorted(history, key=lambda change: change[0]):
        pausing = category in pause_categories
        if pausing and since is None:
            since = moment
        elif not pausing and since is not None:
            pauses.append((since, moment))
            since = None
    if since is not None and since < now:
        pauses.append((since, now))
    return pauses


def _due(target: Target | None, calendar: Calendar, start: datetime | None, pauses, warn_percent: int) -> Due | None:
    if target is None or start is None:
        return None
    clock = calendar if target.business_time else ALWAYS_OPEN
    warn_share = target.duration * warn_percent / 100
    try:
        return Due(due=add_business_time(clock, start, target.duration, pauses),
                   warn_at=add_business_time(clock, start, warn_share, pauses), target=target)
    except CalendarError:  # a target more than a century away (a few minutes a week, thousands of hours)
        return None


def targets_for(policy: Policy | None, *, priority: str, calendar: Calendar, opened_at: datetime, now: datetime,
                status_history: Sequence[tuple[datetime, str]] = (), awaiting_reply_since: datetime | None = None,
                escalated_at: datetime | None = None, ola: Target | None = None,
                ola_calendar: Calendar | None = None) -> CaseTargets:
    """The due and warning moments of a case's targets.

    policy: the case template's SLA (None: no SLA targets); calendar: the case's workgroup's calendar (24x7 when
    it has none); status_history: (moment, category) per status change; awaiting_reply_since: when the customer
    wrote and staff have not answered since (None: nobody waits, no next-response target); escalated_at, ola,
    ola_calendar: the escalation and the escalation workgroup's OLA target and calendar.
    """
    pause_categories = policy.pause_categories if policy else DEFAULT_PAUSE_CATEGORIES
    pauses = pauses_from_history(status_history, pause_categories, now)
    ordered = sorted(status_history, key=lambda change: change[0])
    paused = bool(ordered) and ordered[-1][1] in pause_categories
    warn_percent = policy.warn_percent if policy else DEFAULT_WARN_PERCENT

    def due(metric, start):
        return _due(policy.target(metric, priority) if policy else None, calendar, start, pauses, warn_percent)

    return CaseTargets(
        first_response=due("first_response", opened_at),
        next_response=due("next_response", awaiting_reply_since),
        resolution=due("resolution", opened_at),
        ola=_due(ola, ola_calendar or ALWAYS_OPEN, escalated_at if ola else None, pauses, warn_percent),
        paused=paused,
    )
