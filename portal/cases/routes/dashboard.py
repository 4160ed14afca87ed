"""The case dashboard: the signed-in user's cases with filters, keyword search and pages (a GET form,
so it works without JavaScript and every view of it is a link one can share or bookmark)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal.case_scope import case_scope
from portal.cases.forms import DashboardFilterForm
from portal.cases.queries.dashboard import (
    CATEGORY_FILTERS,
    SORTS,
    DashboardFilters,
    dashboard_for,
    filter_data,
    shows_action_group,
)
from portal.cases.routes.case_rows import CaseRowMarkup, table_labels
from portal.cases.rules import MAX_QUERY_CHARS
from portal.i18n import _
from portal.identifiers import parse_uuid
from portal.pagination import page_number


def register(bp: Blueprint) -> None:
    bp.add_url_rule("", view_func=dashboard, methods=["GET"])


def _filters_from(form: DashboardFilterForm) -> DashboardFilters:
    """Only values that passed their field's check filter the list; the others show an error and are ignored."""
    def valid(name: str) -> str:
        field = form[name]
        return "" if field.errors else (field.data or "")

    return DashboardFilters(
        category=valid("category"),
        status=parse_uuid(valid("status")) or "",
        template=parse_uuid(valid("template")) or "",
        q=valid("q").strip()[:MAX_QUERY_CHARS],
        page=page_number(request.args.get("page")),
        # the column headers' links: an unknown column or order falls back to the default order
        sort=_known(request.args.get("sort"), SORTS),
        order=_known(request.args.get("order"), ("asc", "desc")),
    )


def _known(value: str | None, allowed) -> str:
    return value if value in allowed else ""


@login_required
def dashboard():
    viewer = current_user._get_current_object()  # once: every current_user is a context lookup
    # Choices first (so the form can check values), then the board with the checked filters; the
    # statement that reads the choices also counts the cases by form and category, for the board.
    data = filter_data(viewer)
    if request.args:
        form = _filter_form(data)
        form.validate()
        filters = _filters_from(form)
    else:
        # Nothing to check: the filters are the defaults, and the form is built only if the page
        # renders it (a kept filter part does not; portal/fragments.py).
        form, filters = _FormWhenShown(lambda: _filter_form(data)), DashboardFilters()
    board = dashboard_for(viewer, filters, data=data)
    return render_template("cases/dashboard.html", board=board, filters=filters, form=form,
                           categories=CATEGORY_FILTERS, action_first=shows_action_group(viewer),
                           show_customer=_shows_customer_column(viewer), case_row=CaseRowMarkup,
                           table_labels=table_labels)


def _filter_form(data) -> DashboardFilterForm:
    form = DashboardFilterForm(request.args)
    form.status.choices = [SelectChoice("", _("Any status")), *(SelectChoice(s.uuid, s.name) for s in data.statuses)]
    form.template.choices = [SelectChoice("", _("Any form")), *(SelectChoice(t.uuid, t.name) for t in data.templates)]
    return form


class _FormWhenShown:
    """A form built the first time the page reads one of its fields."""

    __slots__ = ("_build", "_form")

    def __init__(self, build):
        self._build, self._form = build, None

    def __getattr__(self, name: str):
        if self._form is None:
            self._form = self._build()
        return getattr(self._form, name)


def _shows_customer_column(viewer) -> bool:
    """Proxies, staff, account managers and customers linked to others' cases see cases of several
    people; any other customer would see a column of their own name."""
    scope = case_scope(viewer)
    return not (scope.kind == "customer" and not scope.manages_account and scope.linked_case_ids == ())
