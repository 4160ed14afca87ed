"""Custom case fields and the options of single-select fields. Thin views."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.admin.forms import FieldForm, OptionEditForm, OptionForm
from portal.case_config import queries, service
from portal.errors import ValidationFailed
from portal.i18n import _
from portal.identifiers import by_uuid
from portal.models.configuration import CaseField, FieldOption
from portal.web_helpers import apply_errors, role_required, status_for

# the field form and the new-option form share a page: a prefix keeps their element ids apart
OPTION_PREFIX = "option"


def _field_or_404(field_uuid) -> CaseField:
    return by_uuid(CaseField, field_uuid) or abort(404)


def _input(form: FieldForm) -> service.FieldInput:
    return service.FieldInput(
        label=form.label.data, field_type=form.field_type.data, key=form.key.data or "",
        help_text=form.help_text.data or "", admin_description=form.admin_description.data or "",
        pattern=form.pattern.data or "", pattern_message=form.pattern_message.data or "",
        visibility=form.visibility.data, number_kind=form.number_kind.data, min_value=form.min_value.data or "",
        max_value=form.max_value.data or "", max_length=form.max_length.data or "", active=form.active.data,
    )


@role_required("admin")
def fields():
    return render_template("admin/fields.html", fields=list(queries.all_fields()))


@role_required("admin")
def new_field():
    form = FieldForm()
    if form.validate_on_submit():
        try:
            field = service.save_field(current_user, None, _input(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Field %(label)s created.", label=field.label), "success")
            return redirect(url_for("admin.edit_field", field_uuid=field.uuid))
    return render_template("admin/field_form.html", form=form, field=None), status_for(form)


def _field_page(field: CaseField, form: FieldForm, option_form: OptionForm, submitted: OptionEditForm | None = None,
                submitted_id: int | None = None):
    options = list(queries.options_by_label(field))
    edit_forms = {o.id: OptionEditForm(formdata=None, prefix=f"option-{o.uuid}", obj=o) for o in options}
    if submitted is not None:
        edit_forms[submitted_id] = submitted
    return render_template("admin/field_form.html", form=form, field=field, option_form=option_form,
                           options=options, edit_forms=edit_forms), status_for(form, option_form,
                                                                              *edit_forms.values())


@role_required("admin")
def edit_field(field_uuid):
    field = _field_or_404(field_uuid)
    form = FieldForm(obj=field)
    if request.method == "GET":
        form.pattern.data = field.pattern or ""
        form.min_value.data = "" if field.min_value is None else str(field.min_value.normalize())
        form.max_value.data = "" if field.max_value is None else str(field.max_value.normalize())
        form.max_length.data = "" if field.max_length is None else str(field.max_length)
        form.number_kind.data = field.number_kind or "integer"
    if form.validate_on_submit():
        try:
            service.save_field(current_user, field, _input(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Field %(label)s saved.", label=field.label), "success")
            return redirect(url_for("admin.edit_field", field_uuid=field.uuid))
    return _field_page(field, form, OptionForm(formdata=None, prefix=OPTION_PREFIX))


@role_required("admin")
def add_option(field_uuid):
    field = _field_or_404(field_uuid)
    option_form = OptionForm(prefix=OPTION_PREFIX)
    if option_form.validate_on_submit():
        try:
            option = service.save_option(current_user, field, None, label=option_form.label.data,
                                         value=option_form.value.data)
        except ValidationFailed as exc:
            apply_errors(option_form, exc)
        else:
            flash(_("Option %(label)s added.", label=option.label), "success")
            return redirect(url_for("admin.edit_field", field_uuid=field.uuid) + "#options")
    return _field_page(field, FieldForm(formdata=None, obj=field), option_form)


@role_required("admin")
def edit_option(field_uuid, option_uuid):
    field = _field_or_404(field_uuid)
    option = FieldOption.get_or_none((FieldOption.uuid == str(option_uuid)) & (FieldOption.field == field))
    if option is None:
        abort(404)
    form = OptionEditForm(prefix=f"option-{option.uuid}")
    if form.validate_on_submit():
        try:
            service.save_option(current_user, field, option, label=form.label.data, active=form.active.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Option %(label)s saved.", label=option.label), "success")
            return redirect(url_for("admin.edit_field", field_uuid=field.uuid) + "#options")
    return _field_page(field, FieldForm(formdata=None, obj=field), OptionForm(formdata=None, prefix=OPTION_PREFIX),
                       form, option.id)


def register(bp: Blueprint) -> None:
    """Add this module's pages to the admin blueprint."""
    bp.add_url_rule("/fields", view_func=fields, methods=["GET"])
    bp.add_url_rule("/fields/new", view_func=new_field, methods=["GET", "POST"])
    bp.add_url_rule("/fields/<uuid:field_uuid>", view_func=edit_field, methods=["GET", "POST"])
    bp.add_url_rule("/fields/<uuid:field_uuid>/options", view_func=add_option, methods=["POST"])
    bp.add_url_rule("/fields/<uuid:field_uuid>/options/<uuid:option_uuid>", view_func=edit_option, methods=["POST"])
