"""Keyword search over cases: the ids of cases whose search document matches what someone typed.

Each case has two documents (portal.cases.service.search_index writes them): the public one holds
only what customers and proxies can read on the case page, the staff one adds internal notes, fields
and the customer's name. Callers combine the result with policy.case_visibility(user).

- SQLite: FTS5 tables case_search_public / case_search_staff (rowid = case id; columns document: the
  words, stems: their stems).
- PostgreSQL: table case_search (case_id, public_document tsvector, staff_document tsvector), GIN
  indexed; each tsvector holds the words and their marked stems (portal.cases.rules.tsvector).
Migration 0006_case_search created them, 0012_case_language gave them stems.
"""

from __future__ import annotations

import peewee

from portal.cases.rules import fts5_query, query_terms, tsquery
from portal.db import database, is_postgres
from portal.models.cases import Case

# Aliased by their own names: FTS5 takes a query for all columns (the query names them) only with the
# table's name left of MATCH, and peewee would otherwise alias them "t2".
PUBLIC_FTS = peewee.Table("case_search_public", ("rowid", "document", "stems"), alias="case_search_public")
STAFF_FTS = peewee.Table("case_search_staff", ("rowid", "document", "stems"), alias="case_search_staff")
PG_SEARCH = peewee.Table("case_search", ("case_id", "public_document", "staff_document"))


def matching_case_ids(text: str | None, *, staff: bool):
    """A subquery of the ids of cases whose document matches every term of text (its words, or their
    stems in any shipped language: "routers" finds "router"); use it in Case.id.in_(...) together with
    the visibility condition. staff=False searches only what customers and proxies can see. Text
    without any word matches nothing. Ordering is left to the caller."""
    terms = query_terms(text)
    if not terms:
        return Case.select(Case.id).where(Case.id.is_null())
    if is_postgres(database):
        document = PG_SEARCH.staff_document if staff else PG_SEARCH.public_document
        match = peewee.Expression(document, "@@", peewee.Cast(tsquery(terms), "tsquery"))
        return PG_SEARCH.select(PG_SEARCH.case_id).where(match)
    table = STAFF_FTS if staff else PUBLIC_FTS
    return table.select(table.rowid).where(peewee.Expression(table, "MATCH", fts5_query(terms)))


# A search whose visible matches are at most this many is evaluated once: their ids are read in one
# statement and the counts and the page are read by id. More (staff searching a common word): the
# match stays a sub-query of each statement.
MAX_LISTED_MATCHES = 1000


def search_condition(user, text: str | None, *, staff: bool):
    """A condition on Case: the cases user may see whose document matches text (visibility included).

    The keyword match is evaluated once, restricted to what the viewer may see, when that yields at
    most MAX_LISTED_MATCHES cases (customers and proxies reach their few cases through their own
    index): then the condition is a list of ids. Staff, who may see most cases, get the match as a
    sub-query, their visible cases looked up by the matches' ids."""
    from portal import policy

    visible = policy.case_visibility(user, found_by_id=policy.is_staff(user))
    matching = Case.id.in_(matching_case_ids(text, staff=staff))
    if policy.is_staff(user):
        # Staff may see most cases: listing their matches first would only add an evaluation to a
        # common word's search (their search page reads the count and the page in one statement).
        return visible & matching
    ids = [case_id for (case_id,) in
           Case.select(Case.id).where(visible & matching).limit(MAX_LISTED_MATCHES + 1).tuples()]
    if len(ids) <= MAX_LISTED_MATCHES:
        return Case.id.in_(ids) if ids else Case.id.is_null()
    return visible & matching
