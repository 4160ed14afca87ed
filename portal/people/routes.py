"""The invitee's page (choose a password with the invitation link) and the account manager's
colleagues page. Thin views: parse, call one portal.people service, flash, redirect. The admin
pages are the admin blueprint's (portal/admin/routes/users.py)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal import policy
from portal.accounts.forms import PasswordResetForm
from portal.accounts.routes import browser
from portal.errors import Conflict, ValidationFailed
from portal.i18n import _
from portal.people import queries, service
from portal.people.forms import InviteColleagueForm
from portal.people.rules import Invitation
from portal.web_helpers import apply_errors, status_for

bp = Blueprint("people", __name__)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invitee = service.check_invitation(token)
    except ValidationFailed:
        flash(_("This link is invalid or has expired. Ask the person who invited you to send it again."), "error")
        return redirect(url_for("accounts.login"))
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user = service.accept_invitation(token, form.new_password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return browser.password_set_by_link(user, _("Welcome! Your password is set: sign in with it now."))
    return render_template("people/accept_invitation.html", form=form, invitee=invitee), status_for(form)


def _colleagues_page(form: InviteColleagueForm):
    account_id = policy.managed_account_id(current_user)
    if account_id is None:
        abort(404)
    return render_template("people/colleagues.html", form=form,
                           people=list(queries.people_of_account(account_id))), status_for(form)


@bp.get("/account/colleagues")
@login_required
def colleagues():
    return _colleagues_page(InviteColleagueForm())


@bp.post("/account/colleagues")
@login_required
def invite_colleague():
    form = InviteColleagueForm()
    if form.validate_on_submit():
        try:
            user = service.invite_colleague(current_user, Invitation(email=form.email.data,
                                                                     display_name=form.display_name.data))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("%(name)s is invited: the invitation is on its way to %(email)s.", name=user.display_name,
                    email=user.email), "success")
            return redirect(url_for("people.colleagues"))
    return _colleagues_page(form)
