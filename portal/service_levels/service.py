"""Changes to business calendars, SLA policies and OLA targets. Admins only: every function takes the acting user
first and raises NotAllowed (policy.require_admin) for anybody else; ValidationFailed carries a message per field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee

from portal import policy
from portal.case_config.rules import UNSTORABLE, raise_if_errors, required_text, storable
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, NotAllowed, NotFound
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.calendars import BusinessCalendar, ClosedDay, WorkingHours
from portal.models.configuration import PRIORITIES, STATUS_CATEGORIES, CaseTemplate
from portal.models.people import User
from portal.models.service_levels import EVERY_PRIORITY, SLA_METRICS, OlaTarget, SlaPolicy, SlaTarget
from portal.models.teams import Workgroup
from portal.service_levels import queries
from portal.service_levels.business_time import Calendar, CalendarError
from portal.service_levels.rules import RuleError, parse_closed_days, parse_duration, parse_hours

CALENDAR_NAME_TAKEN = _l("Another calendar already has this name.")
WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class CalendarData:
    name: str = ""
    time_zone: str = ""
    country: str = ""
    subdivision: str = ""
    # Working hours per weekday, Monday first, as typed: "08:00-12:00, 13:00-17:00".
    hours: list[str] = field(default_factory=lambda: [""] * 7)
    # One closed day a line: "2026-12-24 Christmas Eve".
    closed_days: str = ""


def _clean_calendar(data: CalendarData) -> dict:
    errors: dict = {}
    name = required_text(errors, "name", " ".join((data.name or "").split()), _l("Enter a name for the calendar."),
                         120)
    time_zone = (data.time_zone or "").strip()
    if time_zone not in queries.time_zones():
        errors["time_zone"] = _l("Choose a time zone from the list.")
    country = (data.country or "").strip().upper()
    subdivision = (data.subdivision or "").strip()
    countries = queries.holiday_countries()
    if country and country not in countries:
        errors["country"] = _l("Choose a country from the list, or none.")
    elif subdivision and not country:
        errors["subdivision"] = _l("Choose the country first.")
    elif subdivision:
        known = {code.upper(): code for code in countries[country]}
        if subdivision.upper() not in known:
            errors["subdivision"] = _l("%(country)s has no region with the code %(code)s. Known codes: "
                                       "%(codes)s.", country=country, code=subdivision,
                                       codes=", ".join(countries[country]) or "—")
        else:
            subdivision = known[subdivision.upper()]
    hours = []
    for name_of_day, text in zip(WEEKDAY_FIELDS, list(data.hours) + [""] * 7):
        try:
            hours.append(parse_hours(text))
        except RuleError as exc:
            errors[name_of_day] = exc.message
            hours.append(())
    if not any(hours) and not any(day in errors for day in WEEKDAY_FIELDS):
        errors["monday"] = _l("Enter working hours for at least one day.")
    closed = []
    if not storable(data.closed_days or ""):
        errors["closed_days"] = UNSTORABLE
    else:
        try:
            closed = parse_closed_days(data.closed_days)
        except RuleError as exc:
            errors["closed_days"] = exc.message
    if not errors:
        try:
            Calendar(time_zone, tuple(hours), frozenset(day for day, _ in closed), country or None, subdivision or None)
        except CalendarError:
            # The holidays package knows the code but cannot compute the holidays (NotImplementedError).
            errors["subdivision" if subdivision else "country"] = _l("Public holidays for this place are not "
                                                                     "available. Choose another country or region.")
    raise_if_errors(errors)
    return {"name": name, "time_zone": time_zone, "country": country or None, "subdivision": subdivision or None,
            "hours": hours, "closed": closed}


def save_calendar(actor: User, calendar_uuid: str | None, data: CalendarData) -> BusinessCalendar:
    """Create (calendar_uuid None) or change a business calendar (admins). The 24x7 calendar stays as it is.
    Raises NotAllowed, NotFound, ValidationFailed, Conflict (name taken)."""
    policy.require_admin(actor)
    calendar = queries.calendar_by_uuid(calendar_uuid) if calendar_uuid is not None else None
    if calendar is not None and calendar.is_system:
        raise NotAllowed(_l("The 24x7 calendar cannot be changed. Create a calendar of your own."))
    values = _clean_calendar(data)
    try:
        with database.atomic():
            columns = {key: values[key] for key in ("name", "time_zone", "country", "subdivision")}
            if calendar is None:
                calendar = BusinessCalendar.create(**columns)
            else:
                BusinessCalendar.update(**columns, updated_at=utcnow()).where(
                    BusinessCalendar.id == calendar.id).execute()
                WorkingHours.delete().where(WorkingHours.calendar == calendar).execute()
                ClosedDay.delete().where(ClosedDay.calendar == calendar).execute()
            WorkingHours.insert_many([
                {"calendar": calendar, "weekday": weekday, "start_minute": start, "end_minute": end}
                for weekday, intervals in enumerate(values["hours"]) for start, end in intervals
            ]).execute()
            if values["closed"]:
                ClosedDay.insert_many([{"calendar": calendar, "day": day, "label": label}
                                       for day, label in values["closed"]]).execute()
    except peewee.IntegrityError as exc:
        raise Conflict(CALENDAR_NAME_TAKEN, {"name": CALENDAR_NAME_TAKEN}) from exc
    return BusinessCalendar.get_by_id(calendar.id)


# --- SLA policies ------------------------------------------------------------------------------------------

PRIORITY_ROWS = (EVERY_PRIORITY, *PRIORITIES)


def target_field(priority: str, metric: str) -> str:
    """The form field of one target: "all_first_response", "urgent_resolution" ..."""
    return f"{priority or 'all'}_{metric}"


@dataclass
class PolicyData:
    # target_field(priority, metric) -> (duration as typed, counted in business time)
    targets: dict[str, tuple[str, bool]] = field(default_factory=dict)
    pause_categories: list[str] = field(default_factory=list)
    warn_percent: int | None = None


def save_policy(actor: User, template_uuid: str, data: PolicyData) -> SlaPolicy:
    """Set a case template's SLA (admins): a template-wide target per metric, overrides per priority, the status
    categories that stop the clock and the warning share. Empty durations mean "no target" (an override row:
    "as for every priority"). Raises NotAllowed, NotFound, ValidationFailed."""
    policy.require_admin(actor)
    template = by_uuid(CaseTemplate, template_uuid)
    if template is None:
        raise NotFound()
    errors: dict = {}
    targets = []
    for priority in PRIORITY_ROWS:
        for metric in SLA_METRICS:
            name = target_field(priority, metric)
            text, business = data.targets.get(name, ("", True))
            try:
                minutes = parse_duration(text)
            except RuleError as exc:
                errors[name] = exc.message
                continue
            if minutes is not None:
                targets.append({"priority": priority, "metric": metric, "minutes": minutes,
                                "business_time": bool(business)})
    categories = [code for code in STATUS_CATEGORIES if code in set(data.pause_categories or ())]
    if set(data.pause_categories or ()) - set(STATUS_CATEGORIES):
        errors["pause_categories"] = _l("Choose status categories from the list.")
    if data.warn_percent is None or not 1 <= data.warn_percent <= 100:
        errors["warn_percent"] = _l("Enter a whole number from 1 to 100.")
    raise_if_errors(errors)
    with database.atomic():
        row = SlaPolicy.get_or_none(SlaPolicy.template == template)
        if row is None:
            try:
                with database.atomic():
                    row = SlaPolicy.create(template=template)
            except peewee.IntegrityError:  # created meanwhile by another admin: this save wins
                row = SlaPolicy.get(SlaPolicy.template == template)
        SlaPolicy.update(pause_categories=",".join(categories), warn_percent=data.warn_percent,
                         updated_at=utcnow()).where(SlaPolicy.id == row.id).execute()
        SlaTarget.delete().where(SlaTarget.policy == row).execute()
        if targets:
            SlaTarget.insert_many([{**target, "policy": row} for target in targets]).execute()
    return SlaPolicy.get_by_id(row.id)


# --- OLA targets -------------------------------------------------------------------------------------------

def save_ola(actor: User, workgroup_uuid: str, duration: str, business_time: bool) -> OlaTarget | None:
    """Set (or, with an empty duration, remove) a workgroup's resolution target for cases escalated to it
    (admins). Raises NotAllowed, NotFound, ValidationFailed."""
    policy.require_admin(actor)
    workgroup = by_uuid(Workgroup, workgroup_uuid)
    if workgroup is None:
        raise NotFound()
    try:
        minutes = parse_duration(duration)
    except RuleError as exc:
        raise_if_errors({"duration": exc.message})
    with database.atomic():
        if minutes is None:
            OlaTarget.delete().where(OlaTarget.workgroup == workgroup).execute()
            return None
        updated = (OlaTarget.update(minutes=minutes, business_time=business_time, updated_at=utcnow())
                   .where(OlaTarget.workgroup == workgroup).execute())
        if not updated:
            try:
                with database.atomic():
                    OlaTarget.create(workgroup=workgroup, minutes=minutes, business_time=business_time)
            except peewee.IntegrityError:  # created meanwhile: this save wins
                OlaTarget.update(minutes=minutes, business_time=business_time, updated_at=utcnow()).where(
                    OlaTarget.workgroup == workgroup).execute()
    return OlaTarget.get(OlaTarget.workgroup == workgroup)
