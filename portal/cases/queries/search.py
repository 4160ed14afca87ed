"""Keyword search over cases: the ids of cases whose search document matches what someone typed.

Each case has two documents (portal.cases.service.search_index writes them): the public one holds
only what customers and proxies can read on the case page, the staff one adds internal notes, fields
and the customer's name. Callers combine the result with policy.case_visibility(user).

- SQLite: FTS5 tables case_search_public / case_search_staff (rowid = case id).
- PostgreSQL: table case_search (case_id, public_document tsvector, staff_document tsvector), GIN indexed.
Both are created by migration 0006_case_search.
"""

from __future__ import annotations

import peewee

from portal.cases.rules import fts5_query, query_terms, tsquery
from portal.db import database, is_postgres
from portal.models.cases import Case

PUBLIC_FTS = peewee.Table("case_search_public", ("rowid", "document"))
STAFF_FTS = peewee.Table("case_search_staff", ("rowid", "document"))
PG_SEARCH = peewee.Table("case_search", ("case_id", "public_document", "staff_document"))


def matching_case_ids(text: str | None, *, staff: bool):
    """A subquery of the ids of cases whose document matches every term of text; use it in
    Case.id.in_(...) together with the visibility condition. staff=False searches only what customers
    and proxies can see. Text without any word matches nothing. Ordering is left to the caller."""
    terms = query_terms(text)
    if not terms:
        return Case.select(Case.id).where(Case.id.is_null())
    if is_postgres(database):
        document = PG_SEARCH.staff_document if staff else PG_SEARCH.public_document
        match = peewee.Expression(document, "@@", peewee.fn.to_tsquery(peewee.SQL("'simple'"), tsquery(terms)))
        return PG_SEARCH.select(PG_SEARCH.case_id).where(match)
    table = STAFF_FTS if staff else PUBLIC_FTS
    return table.select(table.rowid).where(peewee.Expression(table.document, "MATCH", fts5_query(terms)))
