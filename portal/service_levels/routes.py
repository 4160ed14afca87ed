"""Admin pages for business calendars, SLA policies per case template and OLA targets per workgroup.
Thin views: parse, call one service, redirect."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.cases.routes.case_page import add_case_page_part
from portal.clock import utcnow
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.i18n import _, current_locale, viewer_zone
from portal.identifiers import by_uuid
from portal.models.configuration import PRIORITY_LABELS, STATUS_CATEGORY_NAMES, CaseTemplate
from portal.models.service_levels import SLA_METRICS
from portal.models.teams import Workgroup
from portal.service_levels import queries, service
from portal.service_levels.case_targets import sla_state
from portal.service_levels.expectations import expectation_for, format_promise
from portal.service_levels.forms import WEEKDAY_LABELS, CalendarForm, OlaForm, SlaPolicyForm
from portal.service_levels.rules import format_closed_days, format_duration, format_hours
from portal.web_helpers import apply_errors, role_required, status_for

bp = Blueprint("service_levels", __name__, url_prefix="/admin/service-levels")


@bp.get("/")
@role_required("admin")
def index():
    return render_template("service_levels/index.html", calendars=list(queries.calendars()),
                           templates=queries.templates_with_policies(),
                           workgroups=list(queries.workgroups_with_service_levels()),
                           metrics=SLA_METRICS, format_duration=format_duration)


def _calendar_data(form: CalendarForm) -> service.CalendarData:
    return service.CalendarData(name=form.name.data, time_zone=form.time_zone.data, country=form.country.data,
                                subdivision=form.subdivision.data,
                                hours=[day.data for day in form.weekday_fields], closed_days=form.closed_days.data)


def _calendar_page(form, calendar):
    return render_template("service_levels/calendar_form.html", form=form, calendar=calendar), status_for(form)


@bp.route("/calendars/new", methods=["GET", "POST"])
@role_required("admin")
def new_calendar():
    form = CalendarForm()
    form.set_choices()
    if request.method == "GET":
        form.time_zone.data = "UTC"
        for day in form.weekday_fields[:5]:
            day.data = "09:00-17:00"
    if form.validate_on_submit():
        try:
            calendar = service.save_calendar(current_user, None, _calendar_data(form))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("Calendar %(name)s created.", name=calendar.name), "success")
            return redirect(url_for("service_levels.index"))
    return _calendar_page(form, None)


@bp.route("/calendars/<uuid:calendar_uuid>", methods=["GET", "POST"])
@role_required("admin")
def edit_calendar(calendar_uuid):
    calendar = queries.calendar_by_uuid(calendar_uuid)
    if calendar.is_system and request.method == "POST":
        service.save_calendar(current_user, calendar.uuid, service.CalendarData())  # raises NotAllowed
    if calendar.is_system:
        hours = queries.hours_of(calendar)
        return render_template("service_levels/calendar_view.html", calendar=calendar,
                               days=[(WEEKDAY_LABELS[i], format_hours(hours[i])) for i in range(7)])
    form = CalendarForm(obj=calendar)
    form.set_choices()
    if request.method == "GET":
        form.country.data = calendar.country or ""
        form.subdivision.data = calendar.subdivision or ""
        for day, intervals in zip(form.weekday_fields, queries.hours_of(calendar)):
            day.data = format_hours(intervals)
        form.closed_days.data = format_closed_days(queries.closed_days_of(calendar))
    if form.validate_on_submit():
        try:
            service.save_calendar(current_user, calendar.uuid, _calendar_data(form))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("The calendar is saved."), "success")
            return redirect(url_for("service_levels.index"))
    return _calendar_page(form, calendar)


@bp.route("/templates/<uuid:template_uuid>", methods=["GET", "POST"])
@role_required("admin")
def policy(template_uuid):
    template = by_uuid(CaseTemplate, template_uuid)
    if template is None:
        raise NotFound()
    form = SlaPolicyForm()
    rows = [(priority, PRIORITY_LABELS[priority] if priority else _("Every priority"))
            for priority in service.PRIORITY_ROWS]
    if request.method == "GET":
        existing = queries.policy_of(template)
        targets = queries.targets_of(existing)
        for priority, _label in rows:
            for metric in SLA_METRICS:
                name = service.target_field(priority, metric)
                target = targets.get((priority, metric))
                form[name].data = format_duration(target.minutes) if target else ""
                form[f"{name}_business"].data = target.business_time if target else True
        form.pause_categories.data = list(existing.pause_category_codes) if existing else ["waiting", "resolved"]
        form.warn_percent.data = existing.warn_percent if existing else 75
    if form.validate_on_submit():
        data = service.PolicyData(
            targets={service.target_field(p, m): (form[service.target_field(p, m)].data,
                                                  form[f"{service.target_field(p, m)}_business"].data)
                     for p, _label in rows for m in SLA_METRICS},
            pause_categories=form.pause_categories.data or [], warn_percent=form.warn_percent.data)
        try:
            service.save_policy(current_user, template.uuid, data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("The service levels of %(template)s are saved.", template=template.name), "success")
            return redirect(url_for("service_levels.index"))
    return render_template("service_levels/policy_form.html", form=form, template=template, rows=rows,
                           metrics=SLA_METRICS, target_field=service.target_field,
                           category_names=STATUS_CATEGORY_NAMES), status_for(form)


@bp.route("/workgroups/<uuid:workgroup_uuid>", methods=["GET", "POST"])
@role_required("admin")
def ola(workgroup_uuid):
    workgroup = by_uuid(Workgroup, workgroup_uuid)
    if workgroup is None:
        raise NotFound()
    form = OlaForm()
    if request.method == "GET":
        existing = queries.ola_of(workgroup)
        form.duration.data = format_duration(existing.minutes) if existing else ""
        form.business_time.data = existing.business_time if existing else True
    if form.validate_on_submit():
        try:
            service.save_ola(current_user, workgroup.uuid, form.duration.data, form.business_time.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("The escalation target of %(workgroup)s is saved.", workgroup=workgroup.name), "success")
            return redirect(url_for("service_levels.index"))
    return render_template("service_levels/ola_form.html", form=form, workgroup=workgroup,
                           calendar=workgroup.calendar), status_for(form)


def _expectation_part(case, viewer, forms) -> dict:
    """The case page's line saying when the team aims to answer (and when it is back), in the viewer's language
    and time zone."""
    expected = expectation_for(case, utcnow())
    if expected is None:
        return {"expectation": None}
    zone, locale = viewer_zone(), current_locale()
    return {"expectation": {
        "kind": expected.kind, "due": expected.due, "due_text": format_promise(expected.due, zone, locale),
        "back_at": expected.back_at,
        "back_text": format_promise(expected.back_at, zone, locale) if expected.back_at else "",
    }}


def _sla_state(case) -> str | None:
    return sla_state(case, utcnow())


@bp.record_once
def _add_expectation(state) -> None:
    add_case_page_part(state.app, _expectation_part)
    state.app.add_template_global(_sla_state, "sla_state")
