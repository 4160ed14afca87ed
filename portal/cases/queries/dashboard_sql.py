"""The dashboard's statements as hand-written SQL: the list's rows, the counts by category, the statuses
and forms of the filter, and the length of a list filtered by one status.

Their shape is fixed by a few choices (the viewer's kind of scope and how many ids it lists, which
filters are set, the sort), so the text is put together from constant pieces and its parameters are
bound, instead of peewee compiling query objects on every request (profiled: peewee's SQL generation
was the largest cost of the dashboard after rendering). Visibility is case_scope.visibility_sql, the
same condition policy.case_visibility states (tests/cases/test_visibility_sql.py checks they agree).
Rows come back as plain tuples turned into the dashboard's own small types.

A keyword search is not done here: its match (portal.cases.queries.search) goes through peewee.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from portal.case_scope import CaseScope, sql_for, visibility_sql
from portal.db import database
from portal.models.cases import Case
from portal.models.readings import CaseReading


class Choice(NamedTuple):
    """A status or a form as the filter offers it."""

    uuid: str
    name: str


# The columns of SORTS (portal/cases/queries/dashboard.py) by sort key.
_ORDER_COLUMNS = {
    "reference": ("c.reference",),
    "title": ("c.title",),
    "status": ("s.name",),
    "form": ("t.name",),
    "customer": ("cu.last_name", "cu.first_name"),
    "updated": ("c.updated_at",),
}

_ROWS = (
    "SELECT c.reference, c.title, c.updated_at, s.name, s.category, s.customer_description, t.name, "
    "cu.first_name, cu.last_name, r.seen_at "
    'FROM "case" c '
    "JOIN case_template t ON c.template_id = t.id "
    "JOIN case_status s ON c.status_id = s.id "
    "JOIN customer cu ON c.customer_id = cu.id "
    "LEFT JOIN case_reading r ON r.case_id = c.id AND r.user_id = ? "
    "WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
)
# A page of the list and the "action needed" preview in one statement (one round trip instead of two on
# PostgreSQL), when both are in the default order (latest update first, then the later id): each part
# is read as _ROWS reads it (walking an index in that order and stopping at its limit), and the outer
# ORDER BY (part, then updated_at and id, by position) states the order of the few rows read.
_ARM = (
    "SELECT {part} AS part, c.reference, c.title, c.updated_at, s.name AS status_name, s.category, "
    "s.customer_description, t.name AS template_name, cu.first_name, cu.last_name, r.seen_at, c.id "
    'FROM "case" c '
    "JOIN case_template t ON c.template_id = t.id "
    "JOIN case_status s ON c.status_id = s.id "
    "JOIN customer cu ON c.customer_id = cu.id "
    "LEFT JOIN case_reading r ON r.case_id = c.id AND r.user_id = ? "
    "WHERE {where} ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?"
)
_ROWS_AND_PREVIEW = "SELECT * FROM ({list}) a UNION ALL SELECT * FROM ({preview}) b ORDER BY 1, 4 DESC, 12 DESC"
_COUNTS = ('SELECT s.category, COUNT(c.id) FROM "case" c JOIN case_status s ON c.status_id = s.id '
           "WHERE {where} GROUP BY s.category")
_COUNT = 'SELECT COUNT(c.id) FROM "case" c JOIN case_status s ON c.status_id = s.id WHERE {where}'
_TEMPLATES = ('SELECT t.uuid, t.name FROM case_template t WHERE t.id IN '
              '(SELECT c.template_id FROM "case" c WHERE {where}) ORDER BY t.name')
_STATUSES = "SELECT uuid, name FROM case_status ORDER BY position, name"
# _STATUSES, _TEMPLATES and _COUNTS by form in one statement (a round trip each on PostgreSQL): every
# status (part 0, by position and name), then each form of the cases in scope with the number of those
# cases in each category (part 1, by form name). Ties among equal names: by id (unordered before).
# The cases are counted by their (form, status) ids first, which an index on those columns answers,
# and only those groups are joined to names (measured at 100,000 cases: an admin's 56 ms of the three
# statements before became 20 ms, a workgroup agent's 185 ms 105 ms, a customer's the same 0.7 ms).
_FILTER_DATA = (
    "SELECT 0, s.position, s.name, s.id, s.uuid, NULL, NULL FROM case_status s "
    "UNION ALL "
    "SELECT 1, NULL, t.name, t.id, t.uuid, s.category, SUM(g.n) "
    'FROM (SELECT c.template_id, c.status_id, COUNT(c.id) AS n FROM "case" c WHERE {where} '
    "GROUP BY c.template_id, c.status_id) g "
    "JOIN case_template t ON t.id = g.template_id JOIN case_status s ON s.id = g.status_id "
    "GROUP BY t.id, t.name, t.uuid, s.category "
    "ORDER BY 1, 2, 3, 4"
)


@lru_cache(maxsize=64)
def _order(sort_key: str, descending: bool) -> str:
    direction = " DESC" if descending else " ASC"
    return ", ".join(column + direction for column in _ORDER_COLUMNS[sort_key]) + ", c.id DESC"


def _where(scope: CaseScope, *, template: str = "", categories: tuple[str, ...] = (),
           status: str = "") -> tuple[str, tuple]:
    """The visibility condition and the filters (a form's uuid, status categories, a status's uuid)."""
    text, params = visibility_sql(scope)
    parts, values = [text], list(params)
    if template:
        parts.append("c.template_id IN (SELECT id FROM case_template WHERE uuid = ?)")
        values.append(template)
    if categories:
        parts.append(f"s.category IN ({', '.join('?' * len(categories))})")
        values.extend(categories)
    if status:
        parts.append("s.uuid = ?")
        values.append(status)
    return " AND ".join(parts), tuple(values)


_MOMENTS_KEPT = 8192


@lru_cache(maxsize=8)
def _moment_reader(field):
    """field.python_value (an aware UTC datetime from what the driver returns), each value converted
    once: a list reads two moments a row, each through peewee's text parsing and the UTC field, and the
    same stored values come back on every view. Only immutable values (datetimes, text) are kept."""
    convert = field.python_value
    kept: dict = {}

    def read(value):
        if value is None:
            return None
        moment = kept.get(value)
        if moment is None:
            moment = convert(value)
            if len(kept) >= _MOMENTS_KEPT:
                kept.clear()
            kept[value] = moment
        return moment

    return read


def _run(statement: str, params: tuple) -> list[tuple]:
    return database.execute_sql(sql_for(statement), params).fetchall()


def statuses() -> list[Choice]:
    """Every status, in the order admins gave them (the status filter's choices)."""
    return [Choice(*row) for row in _run(_STATUSES, ())]


class FilterData(NamedTuple):
    """What the dashboard's filter and status counts need, read in one statement (filter_data)."""

    statuses: list[Choice]  # as statuses()
    templates: list[Choice]  # as templates_in_use(scope)
    counts_by_form: dict[str, dict[str, int]]  # form uuid -> {category: cases in scope}, categories with cases

    def counts_by_category(self, template: str = "") -> list[tuple[str, int]]:
        """What counts_by_category(scope, template=template) reads, from the counts by form."""
        totals: dict[str, int] = {}
        for form, counts in self.counts_by_form.items():
            if not template or form == template:
                for category, n in counts.items():
                    totals[category] = totals.get(category, 0) + n
        return list(totals.items())


def filter_data(scope: CaseScope) -> FilterData:
    """statuses(), templates_in_use(scope) and the counts by category of each form, in one statement."""
    where, params = _where(scope)
    statuses, templates, counts = [], [], {}
    for part, _position, name, _id, uuid, category, n in _run(_FILTER_DATA.format(where=where), params):
        if part == 0:
            statuses.append(Choice(uuid, name))
            continue
        if uuid not in counts:
            templates.append(Choice(uuid, name))
            counts[uuid] = {}
        counts[uuid][category] = int(n)  # SUM of counts: a Decimal on PostgreSQL
    return FilterData(statuses, templates, counts)


def templates_in_use(scope: CaseScope) -> list[Choice]:
    """The forms of the cases in scope, by name (the form filter's choices)."""
    where, params = _where(scope)
    return [Choice(*row) for row in _run(_TEMPLATES.format(where=where), params)]


def counts_by_category(scope: CaseScope, *, template: str = "") -> list[tuple[str, int]]:
    """(category, number of cases in scope) for the categories that have cases, of one form if given."""
    where, params = _where(scope, template=template)
    return [(category, n) for category, n in _run(_COUNTS.format(where=where), params)]


def count(scope: CaseScope, *, template: str = "", categories: tuple[str, ...] = (), status: str = "") -> int:
    where, params = _where(scope, template=template, categories=categories, status=status)
    return _run(_COUNT.format(where=where), params)[0][0]


def rows_and_preview(scope: CaseScope, viewer_id: int, row_type, *, limit: int, offset: int,
                     preview_limit: int, preview_categories: tuple[str, ...]) -> tuple[list, list]:
    """rows(scope, viewer_id, row_type, sort_key="updated", descending=True, limit=limit, offset=offset)
    and the same with limit=preview_limit, categories=preview_categories (no other filter), in one
    statement: (the page's rows, the preview's rows)."""
    where, params = _where(scope)
    preview_where, preview_params = _where(scope, categories=preview_categories)
    statement = _ROWS_AND_PREVIEW.format(list=_ARM.format(part=0, where=where),
                                         preview=_ARM.format(part=1, where=preview_where))
    updated, seen = _moment_reader(Case.updated_at), _moment_reader(CaseReading.seen_at)
    parts: tuple[list, list] = ([], [])
    for (part, reference, title, updated_at, status_name, category, description, form, first_name, last_name,
         seen_at, _id) in _run(statement, (viewer_id, *params, limit, offset, viewer_id, *preview_params,
                                           preview_limit, 0)):
        parts[part].append(row_type(reference, title, updated(updated_at), status_name, category, description, form,
                                    first_name, last_name, seen(seen_at)))
    return parts


def rows(scope: CaseScope, viewer_id: int, row_type, *, sort_key: str, descending: bool, limit: int,
         offset: int = 0, template: str = "", categories: tuple[str, ...] = (), status: str = "") -> list:
    """One page of the cases in scope matching the filters, in the order asked (ties: newest case
    first), as row_type(reference, title, updated_at, status name, category, status description, form
    name, customer's first and last name, when viewer_id last read the case)."""
    where, params = _where(scope, template=template, categories=categories, status=status)
    statement = _ROWS.format(where=where, order=_order(sort_key, descending))
    updated, seen = _moment_reader(Case.updated_at), _moment_reader(CaseReading.seen_at)
    return [row_type(reference, title, updated(updated_at), status_name, category, description, form,
                     first_name, last_name, seen(seen_at))
            for (reference, title, updated_at, status_name, category, description, form, first_name, last_name,
                 seen_at) in _run(statement, (viewer_id, *params, limit, offset))]
