"""The inbound address admin pages: the list, a new address, an address's page (edit, with its history).
Active admins only (policy.can_manage_inbound_addresses); thin views: parse, call one service of
portal/mail_in/addresses.py, flash, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.errors import Conflict, NotFound, ValidationFailed
from portal.i18n import _, _l
from portal.mail_in import addresses
from portal.mail_in.admin_forms import InboundAddressForm
from portal.policy import can_manage_inbound_addresses
from portal.web_helpers import apply_errors, role_required, status_for

bp = Blueprint("mail_in_admin", __name__, url_prefix="/admin/mail-in")

ACTIONS = {"created": _l("Created"), "edited": _l("Edited")}
UNKNOWN_SENDERS = {"open": _l("Open a profile and the case"), "link": _l("Answer with a link to the portal")}


@bp.before_request
@role_required("admin")
def _admins_only():
    if not can_manage_inbound_addresses(current_user):
        abort(404)


def _input(form: InboundAddressForm) -> addresses.AddressInput:
    return addresses.AddressInput(address=form.address.data or "", case_template=form.case_template.data or "",
                                  workgroup=form.workgroup.data or "", language=form.language.data or "",
                                  unknown_senders=form.unknown_senders.data or "", active=bool(form.active.data))


def _form(**data) -> InboundAddressForm:
    form = InboundAddressForm(data=data or None)
    form.set_choices(addresses.template_choices(), addresses.workgroup_choices())
    return form


@bp.get("/")
def index():
    return render_template("mail_in/addresses.html", addresses=list(addresses.addresses()),
                           unknown_senders=UNKNOWN_SENDERS)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _form()
    if form.validate_on_submit():
        try:
            address = addresses.create_address(current_user, _input(form))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        else:
            flash(_("Mail to %(address)s now opens cases.", address=address.address), "success")
            return redirect(url_for("mail_in_admin.edit", address_uuid=address.uuid))
    return render_template("mail_in/address_form.html", form=form, address=None, changes=[]), status_for(form)


@bp.route("/<address_uuid>", methods=["GET", "POST"])
def edit(address_uuid):
    try:
        address = addresses.address_by_uuid(current_user, address_uuid)
    except NotFound:
        abort(404)
    form = _form(address=address.address, case_template=address.case_template.uuid,
                 workgroup=address.workgroup.uuid if address.workgroup_id else "", language=address.language,
                 unknown_senders=address.unknown_senders, active=address.active)
    if form.validate_on_submit():
        try:
            addresses.update_address(current_user, address.uuid, _input(form))
        except (ValidationFailed, Conflict) as exc:
            apply_errors(form, exc)
        except NotFound:
            abort(404)
        else:
            flash(_("The address is saved."), "success")
            return redirect(url_for("mail_in_admin.edit", address_uuid=address.uuid))
    return render_template("mail_in/address_form.html", form=form, address=address,
                           changes=list(addresses.changes(address)), actions=ACTIONS), status_for(form)
