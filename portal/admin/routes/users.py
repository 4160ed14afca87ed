"""People administration pages for admins: the users list and search, inviting staff, a user's
page (role, workgroups, deactivate or reactivate, send the invitation again) and the audit log.
Thin views: parse, call one portal.people service, flash, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import policy
from portal.errors import Conflict, DomainError, ValidationFailed
from portal.i18n import _, ngettext
from portal.mfa import service as mfa_service
from portal.mfa.factors import factors_for
from portal.models.people import ROLE_LABELS, STAFF_ROLES
from portal.pagination import page_number
from portal.people import queries, service
from portal.people.forms import ConfirmForm, InviteStaffForm, RoleForm, UnlinkIdentityForm, WorkgroupsForm
from portal.people.rules import Invitation
from portal.people.service.audit import ACTIONS
from portal.policy import INVITABLE_ROLES
from portal.web_helpers import apply_errors, role_required, status_for


@role_required("admin")
def users():
    filters = queries.UserFilters.from_args(request.args)
    page = queries.users_page(filters, page_number(request.args.get("page")))
    return render_template("admin/users.html", page=page, filters=filters, states=queries.STATES,
                           role_labels=ROLE_LABELS)


@role_required("admin")
def user_invite():
    form = InviteStaffForm()
    if form.validate_on_submit():
        try:
            user = service.invite_staff(current_user, Invitation(email=form.email.data,
                                                                 display_name=form.display_name.data,
                                                                 role=form.role.data))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("%(name)s is invited: the invitation is on its way to %(email)s.", name=user.display_name,
                    email=user.email), "success")
            return redirect(url_for("admin.user_detail", user_uuid=user.uuid))
    return render_template("admin/user_invite.html", form=form), status_for(form)


def _detail_page(user, role_form: RoleForm | None = None, workgroups_form: WorkgroupsForm | None = None):
    role_form = role_form or RoleForm(role=user.role)
    if workgroups_form is None:
        workgroups_form = WorkgroupsForm(workgroups=[group.uuid for group in queries.workgroups_of(user)])
    workgroups_form.set_choices(queries.workgroup_choices(user))
    changes = queries.changes_page(1, user)
    return render_template("admin/user_detail.html", user=user, role_form=role_form,
                           factors=factors_for(user), identities=list(service.identities_of(user)),
                           may_reset_factor=policy.can_reset_second_factor(current_user, user),
                           workgroups_form=workgroups_form, confirm_form=ConfirmForm(),
                           workgroups=list(queries.workgroups_of(user)), changes=changes, actions=ACTIONS,
                           role_labels=ROLE_LABELS, invitable_roles=INVITABLE_ROLES, staff_roles=STAFF_ROLES,
                           ), status_for(role_form, workgroups_form)


@role_required("admin")
def user_detail(user_uuid):
    return _detail_page(queries.user_by_uuid(user_uuid))


def _act_on_user(user, action, success, *, form=None, form_name: str = ""):
    """Run one portal.people service from a user's page. Success: flash success(result), back to the
    page. A refusal about a value: the page again, the message next to the form that was sent. A refusal
    of the action itself (not allowed, the last admin, changed meanwhile): the page with the message on
    top. Not found stays a 404."""
    if form is not None and not form.validate_on_submit():
        return _detail_page(user, **{form_name: form})
    try:
        result = action()
    except DomainError as exc:
        if exc.status == 404:
            raise
        if form is not None and isinstance(exc, ValidationFailed):
            apply_errors(form, exc)
            return _detail_page(user, **{form_name: form})
        flash(exc.message, "error")
    else:
        flash(success(result), "success")
    return redirect(url_for("admin.user_detail", user_uuid=user.uuid))


@role_required("admin")
def user_role(user_uuid):
    user = queries.user_by_uuid(user_uuid)
    form = RoleForm()
    return _act_on_user(user, lambda: service.change_role(current_user, user.uuid, form.role.data),
                        lambda _result: _("%(name)s is now: %(role)s.", name=user.display_name, role=user.role_label),
                        form=form, form_name="role_form")


@role_required("admin")
def user_workgroups(user_uuid):
    user = queries.user_by_uuid(user_uuid)
    form = WorkgroupsForm()
    return _act_on_user(user, lambda: service.set_workgroups(current_user, user.uuid, form.workgroups.data or []),
                        lambda _result: _("%(name)s's workgroups are saved.", name=user.display_name), form=form,
                        form_name="workgroups_form")


@role_required("admin")
def user_active(user_uuid, action):
    # CSRFProtect has checked the token already; the button carries nothing else.
    user = queries.user_by_uuid(user_uuid)
    if action == "activate":
        return _act_on_user(user, lambda: service.reactivate_user(current_user, user.uuid),
                            lambda _result: _("%(name)s can sign in again.", name=user.display_name))
    return _act_on_user(
        user, lambda: service.deactivate_user(current_user, user.uuid),
        lambda released: ngettext("%(name)s is deactivated and signed out everywhere. Their cases stay; "
                                  "%(num)d open case went back to the queue.",
                                  "%(name)s is deactivated and signed out everywhere. Their cases stay; "
                                  "%(num)d open cases went back to the queue.", released, name=user.display_name))


@role_required("admin")
def user_invitation(user_uuid):
    user = queries.user_by_uuid(user_uuid)
    return _act_on_user(user, lambda: service.resend_invitation(current_user, user.uuid),
                        lambda _result: _("The invitation is sent again to %(email)s; the earlier link no longer "
                                          "works.", email=user.email))


@role_required("admin")
def user_second_factor_reset(user_uuid):
    user = queries.user_by_uuid(user_uuid)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act_on_user(user, lambda: mfa_service.reset_second_factor(current_user, user.uuid),
                        lambda _result: _("%(name)s's second factor is reset: their next sign-in sets up a new one "
                                          "where their role needs it.", name=user.display_name))


@role_required("admin")
def user_identity_unlink(user_uuid):
    user = queries.user_by_uuid(user_uuid)
    form = UnlinkIdentityForm()
    if not form.validate_on_submit():
        abort(400)
    return _act_on_user(user, lambda: service.unlink_identity(current_user, user.uuid, form.issuer.data,
                                                              form.subject.data),
                        lambda _result: _("The single sign-on identity is unlinked from %(name)s.",
                                          name=user.display_name))


@role_required("admin")
def user_changes():
    page = queries.changes_page(page_number(request.args.get("page")))
    return render_template("admin/user_changes.html", page=page, actions=ACTIONS, role_labels=ROLE_LABELS)


def register(bp: Blueprint) -> None:
    """Add this module's pages to the admin blueprint."""
    bp.add_url_rule("/users", view_func=users, methods=["GET"])
    bp.add_url_rule("/users/invite", view_func=user_invite, methods=["GET", "POST"])
    bp.add_url_rule("/users/changes", view_func=user_changes, methods=["GET"])
    bp.add_url_rule("/users/<uuid:user_uuid>", view_func=user_detail, methods=["GET"])
    bp.add_url_rule("/users/<uuid:user_uuid>/role", view_func=user_role, methods=["POST"])
    bp.add_url_rule("/users/<uuid:user_uuid>/workgroups", view_func=user_workgroups, methods=["POST"])
    bp.add_url_rule("/users/<uuid:user_uuid>/<any(deactivate, activate):action>", view_func=user_active,
                    methods=["POST"])
    bp.add_url_rule("/users/<uuid:user_uuid>/invitation", view_func=user_invitation, methods=["POST"])
    bp.add_url_rule("/users/<uuid:user_uuid>/second-factor/reset", view_func=user_second_factor_reset,
                    methods=["POST"])
    bp.add_url_rule("/users/<uuid:user_uuid>/sso-identities/unlink", view_func=user_identity_unlink,
                    methods=["POST"])
