"""Case templates: details, fields in two sections, conditions, publish and retire. Thin views."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.admin.forms import AddTemplateFieldForm, ConditionForm, ConfirmForm, PlacementForm, TemplateForm
from portal.case_config import queries, service
from portal.case_config.forms import condition_hint
from portal.errors import ValidationFailed
from portal.i18n import _
from portal.identifiers import by_uuid
from portal.models.configuration import PRIORITY_LABELS, CaseField, CaseTemplate, TemplateCondition, TemplateField
from portal.models.teams import Workgroup
from portal.web_helpers import apply_errors, role_required, status_for


def _template_or_404(template_uuid) -> CaseTemplate:
    return by_uuid(CaseTemplate, template_uuid) or abort(404)


def _workgroups():
    return Workgroup.select().where(Workgroup.active == True).order_by(Workgroup.name)  # noqa: E712


def _template_form(**kwargs) -> TemplateForm:
    form = TemplateForm(**kwargs)
    form.set_workgroups(_workgroups())
    return form


def _input(form: TemplateForm) -> service.TemplateInput:
    def workgroup(value):
        return by_uuid(Workgroup, value)

    return service.TemplateInput(
        name=form.name.data, description=form.description.data or "", for_customers=form.for_customers.data,
        for_proxies=form.for_proxies.data, for_staff=form.for_staff.data, asks_asset=form.asks_asset.data,
        default_workgroup=workgroup(form.default_workgroup.data),
        escalation_workgroup=workgroup(form.escalation_workgroup.data),
        default_priority=form.default_priority.data,
    )


@role_required("admin")
def templates():
    return render_template("admin/templates.html", templates=list(queries.all_templates()), priorities=PRIORITY_LABELS)


@role_required("admin")
def new_template():
    form = _template_form()
    if form.validate_on_submit():
        try:
            template = service.save_template(current_user, None, _input(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Template %(name)s created as a draft. Add its fields now.", name=template.name), "success")
            return redirect(url_for("admin.template_detail", template_uuid=template.uuid))
    return render_template("admin/template_new.html", form=form), status_for(form)


def _detail_page(template: CaseTemplate, *, form=None, add_form=None, condition_form=None, placement=None):
    layout = queries.template_layout(template, "staff", include_inactive=True)
    on_template = {p.field.id for p in layout.fields}
    if form is None:
        form = _template_form(formdata=None, obj=template)
        form.default_workgroup.data = template.default_workgroup.uuid if template.default_workgroup else ""
        form.escalation_workgroup.data = template.escalation_workgroup.uuid if template.escalation_workgroup else ""
    add_form = add_form or AddTemplateFieldForm(formdata=None)
    offered = queries.all_fields().where(CaseField.active == True)  # noqa: E712
    add_form.field.choices = [SelectChoice("", _("Choose a field"))] + [
        SelectChoice(f.uuid, _("%(field)s (%(type)s)", field=f.label, type=f.type_label))
        for f in offered if f.id not in on_template]
    condition_form = condition_form or ConditionForm(formdata=None)
    field_choices = [SelectChoice("", _("Choose a field"))] + [SelectChoice(p.field.uuid, p.field.label)
                                                               for p in layout.fields]
    condition_form.target.choices = field_choices
    condition_form.source.choices = list(field_choices)
    placements = {p.template_field.id: PlacementForm(formdata=None, prefix=f"p-{p.field.key}",
                                                     section=p.section, required=p.required)
                  for p in layout.fields}
    if placement is not None:
        placements[placement[0]] = placement[1]
    hints = {p.key: condition_hint(p, layout) for p in layout.fields}
    return render_template(
        "admin/template_detail.html", template=template, layout=layout, form=form, add_form=add_form,
        condition_form=condition_form, placements=placements, hints=hints, confirm=ConfirmForm(),
        conditions=list(queries.template_conditions(template)),
    ), status_for(form, add_form, condition_form, *placements.values())


@role_required("admin")
def template_detail(template_uuid):
    return _detail_page(_template_or_404(template_uuid))


@role_required("admin")
def edit_template(template_uuid):
    template = _template_or_404(template_uuid)
    form = _template_form()
    if form.validate_on_submit():
        try:
            service.save_template(current_user, template, _input(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Template details saved."), "success")
            return redirect(url_for("admin.template_detail", template_uuid=template.uuid))
    return _detail_page(template, form=form)


@role_required("admin")
def add_template_field(template_uuid):
    template = _template_or_404(template_uuid)
    add_form = AddTemplateFieldForm()
    if add_form.validate_on_submit():
        field = by_uuid(CaseField, add_form.field.data)
        try:
            service.add_template_field(current_user, template, field, section=add_form.section.data,
                                       required=add_form.required.data)
        except ValidationFailed as exc:
            apply_errors(add_form, exc)
        else:
            flash(_("%(field)s added to the template.", field=field.label), "success")
            return redirect(url_for("admin.template_detail", template_uuid=template.uuid) + "#fields")
    return _detail_page(template, add_form=add_form)


def _placed_or_404(template: CaseTemplate, field_uuid) -> TemplateField:
    # A field sits on a template at most once, so the field's UUID names the placement in URLs.
    placed = (
        TemplateField.select()
        .join(CaseField)
        .where((CaseField.uuid == str(field_uuid)) & (TemplateField.template == template))
        .first()
    )
    return placed or abort(404)


@role_required("admin")
def update_template_field(template_uuid, field_uuid):
    template = _template_or_404(template_uuid)
    placed = _placed_or_404(template, field_uuid)
    form = PlacementForm(prefix=f"p-{placed.field.key}")
    if form.validate_on_submit():
        try:
            service.update_template_field(current_user, placed, section=form.section.data,
                                          required=form.required.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
            return _detail_page(template, placement=(placed.id, form))
        flash(_("%(field)s saved.", field=placed.field.label), "success")
    return redirect(url_for("admin.template_detail", template_uuid=template.uuid) + "#fields")


@role_required("admin")
def move_template_field(template_uuid, field_uuid, direction):
    template = _template_or_404(template_uuid)
    if ConfirmForm().validate_on_submit():
        service.move_template_field(current_user, _placed_or_404(template, field_uuid), direction)
    return redirect(url_for("admin.template_detail", template_uuid=template.uuid) + "#fields")


@role_required("admin")
def remove_template_field(template_uuid, field_uuid):
    template = _template_or_404(template_uuid)
    placed = _placed_or_404(template, field_uuid)
    if ConfirmForm().validate_on_submit():
        try:
            service.remove_template_field(current_user, placed)
        except ValidationFailed as exc:
            flash(exc.message, "error")
            return _detail_page(template)[0], 400
        flash(_("%(field)s taken off the template. Cases keep their values.", field=placed.field.label), "success")
    return redirect(url_for("admin.template_detail", template_uuid=template.uuid) + "#fields")


@role_required("admin")
def add_condition(template_uuid):
    template = _template_or_404(template_uuid)
    form = ConditionForm()
    if form.validate_on_submit():
        try:
            service.add_condition(current_user, template, target=by_uuid(CaseField, form.target.data),
                                  action=form.action.data,
                                  source=by_uuid(CaseField, form.source.data),
                                  value=form.value.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_("Condition added."), "success")
            return redirect(url_for("admin.template_detail", template_uuid=template.uuid) + "#conditions")
    return _detail_page(template, condition_form=form)


@role_required("admin")
def remove_condition(template_uuid, condition_uuid):
    template = _template_or_404(template_uuid)
    condition = TemplateCondition.get_or_none((TemplateCondition.uuid == str(condition_uuid))
                                              & (TemplateCondition.template == template)) or abort(404)
    if ConfirmForm().validate_on_submit():
        service.remove_condition(current_user, condition)
        flash(_("Condition removed."), "success")
    return redirect(url_for("admin.template_detail", template_uuid=template.uuid) + "#conditions")


@role_required("admin")
def change_state(template_uuid, action):
    template = _template_or_404(template_uuid)
    if ConfirmForm().validate_on_submit():
        try:
            if action == "publish":
                service.publish_template(current_user, template)
                flash(_("%(name)s is published: it is offered now.", name=template.name), "success")
            else:
                service.retire_template(current_user, template)
                flash(_("%(name)s is retired: no longer offered. Its cases keep all their values.",
                        name=template.name), "success")
        except ValidationFailed as exc:
            flash(exc.message, "error")
            return _detail_page(template)[0], 400
    return redirect(url_for("admin.template_detail", template_uuid=template.uuid))


def register(bp: Blueprint) -> None:
    """Add this module's pages to the admin blueprint."""
    bp.add_url_rule("/templates", view_func=templates, methods=["GET"])
    bp.add_url_rule("/templates/new", view_func=new_template, methods=["GET", "POST"])
    bp.add_url_rule("/templates/<uuid:template_uuid>", view_func=template_detail, methods=["GET"])
    bp.add_url_rule("/templates/<uuid:template_uuid>", view_func=edit_template, methods=["POST"])
    bp.add_url_rule("/templates/<uuid:template_uuid>/fields", view_func=add_template_field, methods=["POST"])
    bp.add_url_rule("/templates/<uuid:template_uuid>/fields/<uuid:field_uuid>",
                    view_func=update_template_field, methods=["POST"])
    bp.add_url_rule("/templates/<uuid:template_uuid>/fields/<uuid:field_uuid>/<any(up, down):direction>",
                    view_func=move_template_field, methods=["POST"])
    bp.add_url_rule("/templates/<uuid:template_uuid>/fields/<uuid:field_uuid>/remove",
                    view_func=remove_template_field, methods=["POST"])
    bp.add_url_rule("/templates/<uuid:template_uuid>/conditions", view_func=add_condition, methods=["POST"])
    bp.add_url_rule("/templates/<uuid:template_uuid>/conditions/<uuid:condition_uuid>/remove",
                    view_func=remove_condition, methods=["POST"])
    bp.add_url_rule("/templates/<uuid:template_uuid>/<any(publish, retire):action>",
                    view_func=change_state, methods=["POST"])
