"""What a case's customer is told to expect: when the team aims to answer (or resolve), read from the targets
stored on the case, and when the team is back if it is not at work now. For the case page and the receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import match_skeleton, parse_pattern

from portal.i18n import _zone_name
from portal.models.cases import Case
from portal.service_levels.business_time import is_open, next_open
from portal.service_levels.queries import calendar_of_workgroup


@dataclass(frozen=True)
class Expectation:
    # "answer" (a first or next response is due) or "resolve" (only the resolution target runs).
    kind: str
    due: datetime
    # When the team is back at work, if it is not at work now (None: it is).
    back_at: datetime | None = None


def expectation_for(case: Case, now: datetime) -> Expectation | None:
    """None when there is nothing to promise: the case is closed or waits on the customer (the clock is
    paused), it has no target, or the target has passed (a passed promise is not repeated)."""
    if case.status.category in ("closed", "resolved") or case.sla_paused:
        return None
    if case.first_response_at is None and case.first_response_due is not None:
        kind, due = "answer", case.first_response_due
    elif case.next_response_due is not None:
        kind, due = "answer", case.next_response_due
    elif case.resolution_due is not None:
        kind, due = "resolve", case.resolution_due
    else:
        return None
    if due <= now:
        return None
    calendar = calendar_of_workgroup(case.workgroup_id)
    return Expectation(kind, due, None if is_open(calendar, now) else next_open(calendar, now))


@lru_cache(maxsize=64)
def _pattern(locale: Locale):
    date_pattern = locale.datetime_skeletons[match_skeleton("MMMEd", locale.datetime_skeletons)].pattern
    time_pattern = locale.datetime_skeletons[match_skeleton("Hm", locale.datetime_skeletons)].pattern
    return parse_pattern(locale.datetime_formats["medium"].format(time_pattern, date_pattern))


def format_promise(value: datetime, zone: ZoneInfo, locale) -> str:
    """A moment close ahead as people say it, with the weekday and the zone: "Tue, Dec 3, 17:00 CET",
    "Di., 3. Dez., 17:00 MEZ"."""
    locale = locale if isinstance(locale, Locale) else Locale.parse(str(locale).replace("-", "_"))
    local = value.astimezone(zone)
    return f"{_pattern(locale).apply(local, locale)} {_zone_name(local, locale)}"
