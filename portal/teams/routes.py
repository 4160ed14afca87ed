"""Admin pages for workgroups and their members. Thin views: parse, call one service, redirect."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import Conflict, ValidationFailed
from portal.i18n import _
from portal.service_levels.queries import always_open_calendar, calendars
from portal.teams import queries, service
from portal.teams.forms import AddMemberForm, ConfirmForm, WorkgroupForm
from portal.web_helpers import apply_errors, role_required, status_for

bp = Blueprint("teams", __name__, url_prefix="/admin/workgroups")


def _data(form: WorkgroupForm) -> service.WorkgroupData:
    return service.WorkgroupData(name=form.name.data, description=form.description.data, email=form.email.data,
                                 calendar=form.calendar.data or "")


def _workgroup_form(**kwargs) -> WorkgroupForm:
    form = WorkgroupForm(**kwargs)
    form.set_calendar_choices(calendars())
    return form


@bp.get("/")
@role_required("admin")
def index():
    return render_template("teams/index.html", workgroups=list(queries.workgroups_with_member_counts()))


@bp.route("/new", methods=["GET", "POST"])
@role_required("admin")
def new():
    form = _workgroup_form()
    if request.method == "GET":
        form.calendar.data = getattr(always_open_calendar(), "uuid", "")
    if form.validate_on_submit():
        try:
            workgroup = service.create_workgroup(current_user, _data(form))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("Workgroup %(workgroup)s created. Add its members now.", workgroup=workgroup.name), "success")
            return redirect(url_for("teams.detail", workgroup_uuid=workgroup.uuid))
    return render_template("teams/form.html", form=form, workgroup=None), status_for(form)


def _detail_page(workgroup, member_form: AddMemberForm, status: int = 200):
    member_form.set_choices(queries.staff_not_in(workgroup))
    return render_template("teams/detail.html", workgroup=workgroup, members=list(queries.members_of(workgroup)),
                           member_form=member_form, confirm_form=ConfirmForm()), status


@bp.get("/<uuid:workgroup_uuid>")
@role_required("admin")
def detail(workgroup_uuid):
    return _detail_page(queries.workgroup_by_uuid(workgroup_uuid), AddMemberForm())


@bp.post("/<uuid:workgroup_uuid>/members")
@role_required("admin")
def add_member(workgroup_uuid):
    workgroup = queries.workgroup_by_uuid(workgroup_uuid)
    form = AddMemberForm()
    form.set_choices([])
    if form.validate_on_submit():
        try:
            member = service.add_member(current_user, workgroup.uuid, form.user.data)
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("%(person)s is now a member of %(workgroup)s.", person=member.user.display_name,
                    workgroup=workgroup.name), "success")
            return redirect(url_for("teams.detail", workgroup_uuid=workgroup.uuid))
    return _detail_page(workgroup, form, 400)


@bp.post("/<uuid:workgroup_uuid>/members/<uuid:user_uuid>/remove")
@role_required("admin")
def remove_member(workgroup_uuid, user_uuid):
    user = service.remove_member(current_user, workgroup_uuid, user_uuid)
    flash(_("%(person)s is no longer a member.", person=user.display_name), "success")
    return redirect(url_for("teams.detail", workgroup_uuid=workgroup_uuid))


@bp.route("/<uuid:workgroup_uuid>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit(workgroup_uuid):
    workgroup = queries.workgroup_by_uuid(workgroup_uuid)
    form = _workgroup_form(obj=workgroup)
    if request.method == "GET":
        form.email.data = workgroup.email or ""
        form.calendar.data = getattr(workgroup.calendar or always_open_calendar(), "uuid", "")
    if form.validate_on_submit():
        try:
            service.update_workgroup(current_user, workgroup.uuid, _data(form))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("The workgroup is saved."), "success")
            return redirect(url_for("teams.detail", workgroup_uuid=workgroup.uuid))
    return render_template("teams/form.html", form=form, workgroup=workgroup), status_for(form)


@bp.post("/<uuid:workgroup_uuid>/<any(deactivate, activate):action>")
@role_required("admin")
def set_active(workgroup_uuid, action):
    # CSRFProtect has checked the token already; the button carries nothing else.
    workgroup = service.set_workgroup_active(current_user, workgroup_uuid, active=(action == "activate"))
    if workgroup.active:
        flash(_("%(workgroup)s is active again.", workgroup=workgroup.name), "success")
    else:
        flash(_("%(workgroup)s is deactivated: it takes no new cases. Its members and cases stay.",
                workgroup=workgroup.name), "success")
    return redirect(url_for("teams.detail", workgroup_uuid=workgroup.uuid))
