"""The case page and what the customer side does on it. Thin views: parse, call one service, redirect."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from portal.cases import service
from portal.cases.blueprint import bp
from portal.cases.queries import values_by_section


@bp.get("/<reference>")
@login_required
def detail(reference):
    case = service.case_for_viewer(current_user, reference)
    return render_template("cases/detail.html", case=case, sections=values_by_section(case, current_user))
