"""Keeping the keyword search index of cases up to date: two documents per case, one for the customer
side and one for staff, rebuilt inside the transaction of every change to a case's searchable text.

The public document holds what customers and proxies can read on the case page (reference, title,
summary, public comments, proposed resolutions, customer-visible field values as displayed); the staff
document adds internal notes, internal-only fields and the customer's name. Searching the public
document (portal.cases.queries.search) can therefore never reveal a case by text its reader could not
see. The text is cut into words by portal.cases.rules, the same for both backends.
"""

from __future__ import annotations

from portal.cases.queries.search import PG_SEARCH, PUBLIC_FTS, STAFF_FTS
from portal.cases.rules import SearchDocuments, build_documents, display_value
from portal.db import database, is_postgres
from portal.models.cases import Case, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseField, FieldOption
from portal.models.people import Customer

# Event kinds whose body customers read on the case page (when the event is public).
PUBLIC_TEXT_KINDS = ("comment", "resolution_proposed")


def _field_texts(case_id: int) -> tuple[list[str], list[str]]:
    """Field values as people see them (option labels, Yes/No, dates also as written on the page)."""
    rows = list(
        CaseFieldValue.select(CaseFieldValue, CaseField)
        .join(CaseField)
        .where(CaseFieldValue.case == case_id)
    )
    select_ids = [r.field.id for r in rows if r.field.field_type == "select"]
    labels = {}
    if select_ids:
        options = FieldOption.select().where(FieldOption.field.in_(select_ids))
        labels = {(o.field_id, o.value): o.label for o in options}
    public, internal = [], []
    for row in rows:
        shown = display_value(row.field, row.value, labels)
        texts = [shown] if shown == row.value or row.field.field_type == "select" else [shown, row.value]
        (internal if row.field.is_internal else public).extend(texts)
    return public, internal


def documents_for_case(case_id: int) -> SearchDocuments | None:
    """Both documents of a case, read from the database (None when the case does not exist)."""
    case = (
        Case.select(Case, Customer)
        .join(Customer)
        .where(Case.id == case_id)
        .first()
    )
    if case is None:
        return None
    events = (
        CaseEvent.select(CaseEvent.kind, CaseEvent.public, CaseEvent.body)
        .where((CaseEvent.case == case_id) & (CaseEvent.body != ""))
        .order_by(CaseEvent.created_at, CaseEvent.id)
    )
    public_texts, internal_texts = [], []
    for event in events:
        is_public = event.public and event.kind in PUBLIC_TEXT_KINDS
        (public_texts if is_public else internal_texts).append(event.body)
    public_values, internal_values = _field_texts(case_id)
    return build_documents(
        reference=case.reference, title=case.title, summary=case.summary, resolution=case.resolution,
        customer_name=case.customer.full_name, public_texts=public_texts, internal_texts=internal_texts,
        public_values=public_values, internal_values=internal_values,
    )


def reindex_case(case_id: int) -> None:
    """Rebuild both search documents of a case from the database.

    Call it inside the transaction of every change to a case's searchable text (opening, comments,
    notes, resolutions, field values, title/summary edits), so the index commits with the change.
    A case that no longer exists loses its documents.
    """
    documents = documents_for_case(case_id)
    if documents is None:
        delete_documents([case_id])
        return
    store_documents([(case_id, documents)])


def delete_documents(case_ids: list[int]) -> None:
    if not case_ids:
        return
    if is_postgres(database):
        PG_SEARCH.delete().where(PG_SEARCH.case_id.in_(case_ids)).execute(database)
        return
    for table in (PUBLIC_FTS, STAFF_FTS):
        table.delete().where(table.rowid.in_(case_ids)).execute(database)


def store_documents(rows: list[tuple[int, SearchDocuments]]) -> None:
    """Write (replace) the documents of many cases at once; the caller holds the transaction."""
    if not rows:
        return
    if is_postgres(database):
        values = ", ".join(["(%s, to_tsvector('simple', %s), to_tsvector('simple', %s))"] * len(rows))
        params = [p for case_id, docs in rows for p in (case_id, docs.public, docs.staff)]
        database.execute_sql(
            f"INSERT INTO case_search (case_id, public_document, staff_document) VALUES {values} "  # noqa: S608
            "ON CONFLICT (case_id) DO UPDATE SET public_document = EXCLUDED.public_document, "
            "staff_document = EXCLUDED.staff_document",
            params,
        )
        return
    # FTS5 has no upsert: remove any old row, then insert (plain SQL: the seed writes 100,000s of these).
    delete_documents([case_id for case_id, _ in rows])
    values = ", ".join(["(?, ?)"] * len(rows))
    for table, pick in (("case_search_public", lambda d: d.public), ("case_search_staff", lambda d: d.staff)):
        params = [p for case_id, docs in rows for p in (case_id, pick(docs))]
        database.execute_sql(f"INSERT INTO {table} (rowid, document) VALUES {values}", params)  # noqa: S608
