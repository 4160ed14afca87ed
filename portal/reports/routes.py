"""The reports page and each report's CSV: thin views over portal.reports.service."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from babel.dates import format_skeleton
from flask import Blueprint, Response, render_template, request
from flask_babel import format_timedelta
from flask_login import current_user, login_required

from portal.case_config.queries import all_templates
from portal.errors import ValidationFailed
from portal.i18n import _, current_locale
from portal.reports import charts
from portal.reports.forms import ReportFilterForm
from portal.reports.service import Filters, Reports, build_reports, default_filters, workgroup_choices
from portal.web_helpers import viewer_zone

bp = Blueprint("reports", __name__, url_prefix="/reports")
CSV_REPORTS = ("open-cases", "escalated", "closed-per-agent", "times", "compliance", "satisfaction", "daily")


def _filters(form: ReportFilterForm) -> Filters:
    default = default_filters(viewer_zone())
    return Filters(first_day=form.first_day.data or default.first_day, last_day=form.last_day.data or default.last_day,
                   workgroup_uuid=form.workgroup.data or "", template_uuid=form.template.data or "",
                   channel=form.channel.data or "")


def _form() -> ReportFilterForm:
    form = ReportFilterForm(request.args)
    form.workgroup.choices = [("", _("All your workgroups")),
                              *[(w.uuid, w.name) for w in workgroup_choices(current_user)]]
    form.template.choices = [("", _("Any form")), *[(t.uuid, t.name) for t in all_templates()]]
    return form


def _reports(form: ReportFilterForm) -> Reports | None:
    """The reports, or None with the problems put next to the filters."""
    if request.args and not form.validate():
        return None
    try:
        return build_reports(current_user, _filters(form), viewer_zone())
    except ValidationFailed as exc:
        for name, message in exc.fields.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        return None


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return format_timedelta(timedelta(seconds=seconds), granularity="minute", threshold=1.5)


def target_names() -> dict[str, str]:
    return {"first_response": _("First response"), "resolution": _("Resolution")}


def _compliance_chart(title: str, description: str, rows) -> charts.Chart:
    names = target_names()
    return charts.bar_chart(title, description,
                            [(f"{names[row.target]}: {row.name or _('No workgroup')}", round(row.share_met or 0, 1))
                             for row in rows if row.due], unit=" %")


def _charts(reports: Reports) -> dict:
    days = [format_skeleton("Md", day, locale=current_locale()) for day in reports.days]
    per_type: dict[str, int] = {}
    for template, _status, _category, number in reports.open_by_type_and_status:
        per_type[template] = per_type.get(template, 0) + number
    ratings = reports.satisfaction.by_rating
    return {
        "open": charts.bar_chart(_("Open cases per form"), _("Cases not closed now, per form; the table below "
                                                            "splits them by status."), sorted(per_type.items())),
        "escalated": charts.bar_chart(_("Escalated open cases per workgroup"),
                                      _("Escalated cases not closed now, per workgroup handling them."),
                                      [(name or _("No workgroup"), n) for name, n in reports.escalated_open]),
        "agents": charts.bar_chart(_("Cases closed per agent"),
                                   _("Cases closed in the period, per agent assigned when they closed."),
                                   [(name or _("Unassigned"), n) for name, n in reports.closed_per_agent]),
        "compliance_workgroups": _compliance_chart(
            _("Targets met per workgroup"),
            _("Share of the first-response and resolution targets due in the period that were met, per workgroup."),
            reports.compliance_by_workgroup),
        "compliance_templates": _compliance_chart(
            _("Targets met per form"),
            _("Share of the first-response and resolution targets due in the period that were met, per form."),
            reports.compliance_by_template),
        "ratings": charts.bar_chart(_("Ratings"), _("How many resolutions customers rated 1 to 5 stars in the "
                                                    "period."), [(str(r), ratings.get(r, 0)) for r in range(1, 6)]),
        "daily": charts.column_chart(_("Created and closed per day"),
                                     _("Cases opened and cases closed each day of the period."), days,
                                     [charts.Series(_("Created"), reports.created_per_day, "chart-a"),
                                      charts.Series(_("Closed"), reports.closed_per_day, "chart-b")]),
        "backlog": charts.line_chart(_("Backlog"), _("Cases open at the end of each day of the period."), days,
                                     [charts.Series(_("Open at the end of the day"), reports.backlog_per_day,
                                                    "chart-a")]),
    }


@bp.get("/")
@login_required
def index():
    form = _form()
    reports = _reports(form)
    if reports is None:
        return render_template("reports/index.html", form=form, reports=None), 400
    return render_template("reports/index.html", form=form, reports=reports, charts=_charts(reports),
                           duration=duration, csv_reports=CSV_REPORTS, target_names=target_names())


def _rows(name: str, reports: Reports) -> list[list]:
    if name == "open-cases":
        return [[_("Form"), _("Status"), _("Status group"), _("Cases")],
                *[list(row) for row in reports.open_by_type_and_status]]
    if name == "escalated":
        return [[_("Workgroup"), _("Escalated open cases")], *[list(row) for row in reports.escalated_open]]
    if name == "closed-per-agent":
        return [[_("Agent"), _("Cases closed")], *[[n or _("Unassigned"), c] for n, c in reports.closed_per_agent]]
    if name == "times":
        return [[_("Measure"), _("Cases"), _("Mean (hours)"), _("Median (hours)")],
                *[[label, d.count, _hours(d.mean), _hours(d.median)]
                  for label, d in ((_("First response"), reports.first_response), (_("Close"), reports.close),
                                   (_("First response, business time"), reports.first_response_business),
                                   (_("Close, business time"), reports.close_business))]]
    if name == "compliance":
        names = target_names()
        return [[_("By"), _("Name"), _("Target"), _("Due"), _("Met"), _("Missed"), _("Share met")],
                *[[by, row.name or (_("No workgroup") if by == _("Workgroup") else ""), names[row.target], row.due,
                   row.met, row.missed, "" if row.share_met is None else f"{row.share_met:.1f}"]
                  for by, rows in ((_("Workgroup"), reports.compliance_by_workgroup),
                                   (_("Form"), reports.compliance_by_template)) for row in rows]]
    if name == "satisfaction":
        s = reports.satisfaction
        return [[_("Rating"), _("Answers")], *[[r, s.by_rating.get(r, 0)] for r in range(1, 6)],
                [_("Accepted resolutions"), s.accepted], [_("Rejected resolutions"), s.rejected]]
    return [[_("Day"), _("Created"), _("Closed"), _("Open at the end of the day")],
            *[[day.isoformat(), made, ended, level] for day, made, ended, level in
              zip(reports.days, reports.created_per_day, reports.closed_per_day, reports.backlog_per_day, strict=True)]]


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"


def _cell(value) -> str:
    """A cell as text; one a spreadsheet would run as a formula (=, +, -, @ ...) is quoted first."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/<any(" + ",".join(f'"{name}"' for name in CSV_REPORTS) + "):name>.csv")
@login_required
def download(name: str):
    form = _form()
    reports = _reports(form)
    if reports is None:
        return render_template("reports/index.html", form=form, reports=None), 400
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _rows(name, reports):
        writer.writerow([_cell(value) for value in row])
    filename = f"caseport-{name}-{reports.filters.first_day.isoformat()}-{reports.filters.last_day.isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})

