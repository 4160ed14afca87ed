"""Reads for the case dashboard: the cases a user may see, filtered, searched, counted and paginated.

Every query is limited by the viewer's visibility (policy.case_visibility, or the same condition as SQL
text: case_scope.visibility_sql), so lists, counts and search results can only hold cases the user may
see. The number of queries does not grow with the number of cases: rows come with their template,
status and customer joined, counts come from one grouped query. Without keywords the statements are
hand-written (dashboard_sql); a keyword search builds them with peewee around its match.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import peewee

from portal import policy
from portal.case_scope import case_scope
from portal.cases.queries import dashboard_sql
from portal.cases.queries.search import search_condition
from portal.db import database, is_postgres
from portal.i18n import _l
from portal.models.cases import Case
from portal.models.configuration import STATUS_CATEGORIES, CaseStatus, CaseTemplate
from portal.models.people import Customer, User
from portal.models.readings import CaseReading
from portal.pagination import Page, paginate

PAGE_SIZE = 25
# Waiting on the customer, or a resolution awaiting their acceptance: the customer's move.
ACTION_CATEGORIES = ("waiting", "resolved")
ACTION_FILTER = "action"
# The status groups by their short names (the admin's long descriptions are for configuring statuses).
CATEGORY_LABELS = {"open": _l("Open"), "waiting": _l("Waiting"), "resolved": _l("Resolved"), "closed": _l("Closed")}
CATEGORY_FILTERS = {ACTION_FILTER: _l("Action needed"), **{k: CATEGORY_LABELS[k] for k in STATUS_CATEGORIES}}
ACTION_PREVIEW = 10


@dataclass(frozen=True)
class Sort:
    columns: tuple  # what the list is ordered by, ties broken by the newest case
    descending: bool  # the natural order of a first click (dates newest first, words A to Z)


SORTS = {
    "reference": Sort((Case.reference,), True),
    "title": Sort((Case.title,), False),
    "status": Sort((CaseStatus.name,), False),
    "form": Sort((CaseTemplate.name,), False),
    "customer": Sort((Customer.last_name, Customer.first_name), False),
    "updated": Sort((Case.updated_at,), True),
}
DEFAULT_SORT = "updated"


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard shows; every value already checked (unknown ones are dropped)."""

    category: str = ""  # a status category, ACTION_FILTER or ""
    status: str = ""  # a CaseStatus uuid or ""
    template: str = ""  # a CaseTemplate uuid or ""
    q: str = ""
    page: int = 1
    sort: str = ""  # a key of SORTS; "" is the default order (most recently updated first)
    order: str = ""  # "asc" or "desc"; "" is the sort's natural order

    @property
    def sort_key(self) -> str:
        return self.sort or DEFAULT_SORT

    @property
    def descending(self) -> bool:
        return self.order == "desc" if self.order else SORTS[self.sort_key].descending

    def sorted_by(self, key: str) -> dict:
        """Arguments of a link that sorts by key: the first click in the column's natural order, the
        next click reverses it; back on page 1."""
        descending = not self.descending if key == self.sort_key else SORTS[key].descending
        order = "desc" if descending else "asc"
        return self.as_args(sort="" if key == DEFAULT_SORT else key,
                            order="" if descending == SORTS[key].descending else order, page=1)

    @property
    def narrowed(self) -> bool:
        return bool(self.category or self.status or self.template or self.q)

    def as_args(self, **changes) -> dict:
        """Query string arguments for a link to this view with changes (empty values left out)."""
        # A dict, not dataclasses.replace: a page asks for a dozen links (profiled: replace() on a frozen
        # dataclass was most of their cost).
        args = {"category": self.category, "status": self.status, "template": self.template, "q": self.q,
                "page": self.page, "sort": self.sort, "order": self.order}
        unknown = changes.keys() - args.keys()
        if unknown:
            raise TypeError(f"unknown filters: {sorted(unknown)}")
        args.update(changes)
        if args["page"] == 1:
            args["page"] = ""
        return {key: value for key, value in args.items() if value}


@dataclass
class Dashboard:
    page: Page
    counts: dict[str, int]
    templates: list[CaseTemplate]
    statuses: list[CaseStatus]
    action_needed: list[CaseRow] = field(default_factory=list)
    action_total: int = 0
    shows_action_group: bool = False

    @property
    def visible_total(self) -> int:
        return sum(self.counts.values())


def _category_condition(category: str):
    if category == ACTION_FILTER:
        return CaseStatus.category.in_(ACTION_CATEGORIES)
    return CaseStatus.category == category


def _narrowed(query, user: User, filters: DashboardFilters, *, by_status: bool = True, found=None):
    """query (already joined to CaseStatus and CaseTemplate) limited to what user may see and filters ask.
    found: the search_condition of filters.q when the caller has it already (it reads the matches)."""
    if filters.q:
        found = found if found is not None else search_condition(user, filters.q, staff=policy.is_staff(user))
        query = query.where(found)
    else:
        query = query.where(policy.case_visibility(user))
    if filters.template:
        query = query.where(CaseTemplate.uuid == filters.template)
    if by_status and filters.category:
        query = query.where(_category_condition(filters.category))
    if by_status and filters.status:
        query = query.where(CaseStatus.uuid == filters.status)
    return query


class CaseRow(NamedTuple):
    """One line of the dashboard's list (templates/cases/_case_table.html): only what it shows."""

    reference: str
    title: str
    updated_at: datetime
    status_name: str
    status_category: str
    status_description: str
    template_name: str
    customer_first_name: str
    customer_last_name: str
    read_at: datetime | None  # when the viewer last opened the case; None: never

    @property
    def customer_name(self) -> str:
        return f"{self.customer_first_name} {self.customer_last_name}".strip()

    @property
    def changed_since_read(self) -> bool:
        """New to the viewer, or updated since they last opened it."""
        return self.read_at is None or self.updated_at > self.read_at


def _case_rows(user: User):
    """Only the columns the list shows, as CaseRow tuples rather than four model objects a row, with
    when user last read each case."""
    return (
        Case.select(Case.reference, Case.title, Case.updated_at, CaseStatus.name.alias("status_name"),
                    CaseStatus.category.alias("status_category"),
                    CaseStatus.customer_description.alias("status_description"),
                    CaseTemplate.name.alias("template_name"), Customer.first_name.alias("customer_first_name"),
                    Customer.last_name.alias("customer_last_name"), CaseReading.seen_at.alias("read_at"))
        .join(CaseTemplate)
        .switch(Case)
        .join(CaseStatus)
        .switch(Case)
        .join(Customer)
        .switch(Case)
        .join(CaseReading, peewee.JOIN.LEFT_OUTER,
              on=(CaseReading.case == Case.id) & (CaseReading.user == user.id))
        .objects(CaseRow)
    )


def cases_for_dashboard(user: User, filters: DashboardFilters, *, found=None):
    """The user's visible cases matching filters in the order asked (newest update first unless
    sorted otherwise), with template, status, customer and when user last read each."""
    sort = SORTS[filters.sort_key]
    columns = [column.desc() if filters.descending else column.asc() for column in sort.columns]
    return (
        _narrowed(_case_rows(user), user, filters, found=found)
        .order_by(*columns, Case.id.desc())
    )


def counts_by_category(user: User, filters: DashboardFilters, *, found=None) -> dict[str, int]:
    """How many visible cases are in each status category (template and keyword filters apply), in one
    query. Every category is present, zero or not."""
    query = (
        Case.select(CaseStatus.category, peewee.fn.COUNT(Case.id).alias("n"))
        .join(CaseStatus)
        .switch(Case)
        .join(CaseTemplate)
    )
    rows = _narrowed(query, user, filters, by_status=False, found=found).group_by(CaseStatus.category).tuples()
    counts = dict.fromkeys(STATUS_CATEGORIES, 0)
    counts.update({category: n for category, n in rows})
    return counts


def templates_in_use(user: User) -> list[dashboard_sql.Choice]:
    """The templates of the cases the user may see, for the template filter (uuid and name, by name)."""
    return dashboard_sql.templates_in_use(case_scope(user))


def statuses_for_filter() -> list[dashboard_sql.Choice]:
    return dashboard_sql.statuses()


def shows_action_group(user: User) -> bool:
    """Customers and proxies are the ones who act on waiting and resolved cases."""
    return policy.has_role(user, "customer", "proxy")


def _total(counts: dict[str, int], filters: DashboardFilters) -> int | None:
    """The list's length from the counts by category (no second count, no second keyword match);
    None when a single status is chosen, which the counts do not tell."""
    if filters.status:
        return None
    if filters.category == ACTION_FILTER:
        return sum(counts[c] for c in ACTION_CATEGORIES)
    if filters.category:
        return counts.get(filters.category, 0)
    return sum(counts.values())


def _categories(category: str) -> tuple[str, ...]:
    if category == ACTION_FILTER:
        return ACTION_CATEGORIES
    return (category,) if category else ()


def _listed(user: User, filters: DashboardFilters, total: int | None, *, preview: bool = False) -> tuple[Page, list]:
    """The page of the list filters ask for (no keyword), in hand-written statements: the rows, and
    the count only when a single status is chosen (the counts by category do not tell it). With preview
    (the unfiltered list), also the first ACTION_PREVIEW cases needing action: on PostgreSQL in the same
    statement as the rows when the list is in the default order (one round trip fewer), else in a
    statement of their own (on SQLite, which has no round trips, the two plain statements cost less CPU
    than the combined one: 0.29-0.32 against 0.37-0.43 ms of SQL execution a page, measured)."""
    scope = case_scope(user)
    chosen = {"template": filters.template, "categories": _categories(filters.category), "status": filters.status}
    if total is None:
        total = dashboard_sql.count(scope, **chosen)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(1, filters.page), pages)
    action = DashboardFilters(category=ACTION_FILTER)
    preview = preview and number == 1 and bool(total)
    in_default_order = (filters.sort_key, filters.descending) == ("updated", True) == (action.sort_key,
                                                                                       action.descending)
    if preview and in_default_order and is_postgres(database):
        items, previewed = dashboard_sql.rows_and_preview(scope, user.id, CaseRow, limit=PAGE_SIZE, offset=0,
                                                          preview_limit=ACTION_PREVIEW,
                                                          preview_categories=ACTION_CATEGORIES)
    else:
        items = dashboard_sql.rows(scope, user.id, CaseRow, sort_key=filters.sort_key, descending=filters.descending,
                                   limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE, **chosen) if total else []
        previewed = dashboard_sql.rows(
            scope, user.id, CaseRow, sort_key=action.sort_key, descending=action.descending,
            limit=ACTION_PREVIEW, categories=ACTION_CATEGORIES) if preview else []
    return Page(items=items, number=number, size=PAGE_SIZE, has_next=number < pages, total=total), previewed


def filter_data(user: User) -> dashboard_sql.FilterData:
    """The statuses and templates of the filter and the cases in scope counted by form and category, in
    one statement: what the page reads before it knows which filters are valid."""
    return dashboard_sql.filter_data(case_scope(user))


def dashboard_for(user: User, filters: DashboardFilters, *, statuses: list | None = None,
                  templates: list | None = None, data: dashboard_sql.FilterData | None = None) -> Dashboard:
    """Everything the dashboard page shows, in a fixed number of queries (pass statuses and templates
    when already loaded for the filter form, or all of filter_data(user)). Anyone signed in may call
    it; it only ever holds cases policy.case_visibility(user) selects."""
    if data is not None:
        statuses, templates = data.statuses, data.templates
    counts = dict.fromkeys(STATUS_CATEGORIES, 0)
    if filters.q:
        # A keyword search reads its matches once, for the counts and the page.
        found = search_condition(user, filters.q, staff=policy.is_staff(user))
        counts.update(counts_by_category(user, filters, found=found))
        page = paginate(cases_for_dashboard(user, filters, found=found), filters.page, PAGE_SIZE,
                        total=_total(counts, filters))
        previewed = []  # a search is narrowed: no action group
    else:
        if data is not None:
            counts.update(data.counts_by_category(filters.template))
        else:
            counts.update(dashboard_sql.counts_by_category(case_scope(user), template=filters.template))
        preview = _shows_action_group(user, filters) and any(counts[c] for c in ACTION_CATEGORIES)
        page, previewed = _listed(user, filters, _total(counts, filters), preview=preview)
    board = Dashboard(
        page=page,
        counts=counts,
        templates=templates if templates is not None else templates_in_use(user),
        statuses=statuses if statuses is not None else statuses_for_filter(),
    )
    if _shows_action_group(user, filters):
        board.shows_action_group = True
        board.action_total = sum(counts[c] for c in ACTION_CATEGORIES)
        board.action_needed = previewed if board.action_total else []
    return board


def _shows_action_group(user: User, filters: DashboardFilters) -> bool:
    """The group leads the unfiltered first page; a filter or search means the user looks for something else."""
    return shows_action_group(user) and not filters.narrowed and filters.page == 1
