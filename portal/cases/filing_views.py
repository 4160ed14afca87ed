"""Filing a case: choosing a template and filling its form. Thin views: parse, call one service, redirect."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.case_config.form_builder import build_case_form, condition_hint, form_name
from portal.case_config.queries import audience_for, template_layout, templates_for
from portal.cases import service
from portal.cases.blueprint import bp
from portal.errors import NotAllowed, ValidationFailed
from portal.models.configuration import CaseTemplate
from portal.models.people import Customer
from portal.web_helpers import apply_errors

NOT_YET_FOR_OTHERS = ("Opening a case for a customer is coming soon. For now, customers open their own cases "
                      "here; you can see which forms they are offered.")
NO_PROFILE = ("Your sign-in is not linked to a customer profile yet, so we cannot open a case for you. "
              "Please contact us and we will link it.")


@bp.get("/new")
@login_required
def new():
    return render_template("cases/new.html", templates=list(templates_for(current_user)))


def _offered_template_or_404(template_uuid) -> CaseTemplate:
    template = templates_for(current_user).where(CaseTemplate.uuid == str(template_uuid)).first()
    return template or abort(404)


@bp.route("/new/<uuid:template_uuid>", methods=["GET", "POST"])
@login_required
def new_from_template(template_uuid):
    template = _offered_template_or_404(template_uuid)
    audience = audience_for(current_user)
    layout = template_layout(template, audience)
    form = build_case_form(template, audience, layout=layout)()
    customer = Customer.get_or_none(Customer.user == current_user.id) if audience == "customer" else None
    blocker = NOT_YET_FOR_OTHERS if audience != "customer" else (NO_PROFILE if customer is None else None)
    status = 200
    if request.method == "POST":
        if blocker:
            form.form_errors.append(blocker)
            status = 400
        elif form.validate_on_submit():
            try:
                case = service.open_case(current_user, template, request.form, customer=customer)
            except (ValidationFailed, NotAllowed) as exc:
                if isinstance(exc, ValidationFailed):
                    apply_errors(form, exc)
                else:
                    form.form_errors.append(exc.message)
                status = 400
            else:
                flash(f"Your case {case.reference} is open. We will keep you posted here.", "success")
                return redirect(url_for("cases.detail", reference=case.reference))
        else:
            status = 400
    sections = {name: [(form[form_name(p.key)], p) for p in layout.section(name)] for name in ("top", "more")}
    hints = {p.key: condition_hint(p, layout) for p in layout.fields}
    return render_template("cases/form.html", template=template, form=form, sections=sections, hints=hints,
                           blocker=blocker), status
