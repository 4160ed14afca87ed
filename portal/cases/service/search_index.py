"""Keeping the keyword search index of cases up to date: two documents per case, one for the customer
side and one for staff, rebuilt inside the transaction of every change to a case's searchable text.

The public document holds what customers and proxies can read on the case page (reference, title,
summary, public comments, proposed resolutions, customer-visible field values as displayed); the staff
document adds internal notes, internal-only fields and the customer's name. Searching the public
document (portal.cases.queries.search) can therefore never reveal a case by text its reader could not
see. The text is cut into words and stemmed in the case's language by portal.cases.rules, the same
for both backends.
"""

from __future__ import annotations

from portal.cases.queries.search import PG_SEARCH, PUBLIC_FTS, STAFF_FTS
from portal.cases.rules import SearchDocuments, build_documents, display_value, tsvector
from portal.db import database, is_postgres
from portal.models.cases import Case, CaseEvent, CaseFieldValue
from portal.models.configuration import CaseField, FieldOption
from portal.models.people import Customer

# Event kinds whose body customers read on the case page (when the event is public).
PUBLIC_TEXT_KINDS = ("comment", "resolution_proposed")


def _field_texts(case_ids: list[int]) -> dict[int, tuple[list[str], list[str]]]:
    """Each case's field values as people see them (option labels, Yes/No, dates also as written on
    the page), public and internal."""
    rows = list(
        CaseFieldValue.select(CaseFieldValue, CaseField)
        .join(CaseField)
        .where(CaseFieldValue.case.in_(case_ids))
        .order_by(CaseFieldValue.id)
    )
    select_ids = {r.field.id for r in rows if r.field.field_type == "select"}
    labels = {}
    if select_ids:
        options = FieldOption.select().where(FieldOption.field.in_(list(select_ids)))
        labels = {(o.field_id, o.value): o.label for o in options}
    values: dict[int, list[tuple[CaseField, str]]] = {}
    for row in rows:
        values.setdefault(row.case_id, []).append((row.field, row.value))
    return {case_id: _value_texts(pairs, labels) for case_id, pairs in values.items()}


def _value_texts(values: list[tuple[CaseField, str]], labels: dict[tuple[int, str], str]
                 ) -> tuple[list[str], list[str]]:
    public, internal = [], []
    for field, value in values:
        shown = display_value(field, value, labels)
        texts = [shown] if shown == value or field.field_type == "select" else [shown, value]
        (internal if field.is_internal else public).extend(texts)
    return public, internal


def documents_for_new_case(case: Case, values: list[tuple[CaseField, str]],
                           options: list[FieldOption]) -> SearchDocuments:
    """Both documents of a case being opened, from what the opening has in hand (its fields'
    values and options; no event has text yet): the same documents documents_for_case reads back,
    built before the transaction instead of read inside it."""
    labels = {(o.field_id, o.value): o.label for o in options}
    public_values, internal_values = _value_texts(values, labels)
    return build_documents(
        reference=case.reference, title=case.title, summary=case.summary, resolution=case.resolution,
        customer_name=case.customer.full_name, public_texts=[], internal_texts=[],
        public_values=public_values, internal_values=internal_values, language=case.language,
    )


def documents_for_case(case_id: int) -> SearchDocuments | None:
    """Both documents of a case, read from the database (None when the case does not exist)."""
    return documents_for_cases([case_id]).get(case_id)


def documents_for_cases(case_ids: list[int]) -> dict[int, SearchDocuments]:
    """The documents of the cases of case_ids that exist, read from the database in a few statements."""
    cases = list(
        Case.select(Case.id, Case.reference, Case.title, Case.summary, Case.resolution, Case.language,
                    Customer.id, Customer.first_name, Customer.last_name)
        .join(Customer)
        .where(Case.id.in_(case_ids))
    )
    if not cases:
        return {}
    events = (
        CaseEvent.select(CaseEvent.case, CaseEvent.kind, CaseEvent.public, CaseEvent.body)
        .where(CaseEvent.case.in_([case.id for case in cases]) & (CaseEvent.body != ""))
        .order_by(CaseEvent.created_at, CaseEvent.id)
    )
    texts: dict[int, tuple[list[str], list[str]]] = {case.id: ([], []) for case in cases}
    for event in events:
        is_public = event.public and event.kind in PUBLIC_TEXT_KINDS
        texts[event.case_id][0 if is_public else 1].append(event.body)
    values = _field_texts([case.id for case in cases])
    documents = {}
    for case in cases:
        public_texts, internal_texts = texts[case.id]
        public_values, internal_values = values.get(case.id, ([], []))
        documents[case.id] = build_documents(
            reference=case.reference, title=case.title, summary=case.summary, resolution=case.resolution,
            customer_name=case.customer.full_name, public_texts=public_texts, internal_texts=internal_texts,
            public_values=public_values, internal_values=internal_values, language=case.language,
        )
    return documents


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


# Cases rebuilt per batch by reindex_all_cases: a few statements each, a bounded amount of text in memory.
REINDEX_BATCH = 500


def reindex_all_cases() -> int:
    """Rebuild the documents of every case (after a change to how documents are built, such as the
    stems of migration 0012). The caller holds the transaction. Returns how many cases were indexed."""
    done, last_id = 0, 0
    while True:
        ids = [case_id for (case_id,) in
               Case.select(Case.id).where(Case.id > last_id).order_by(Case.id).limit(REINDEX_BATCH).tuples()]
        if not ids:
            return done
        documents = documents_for_cases(ids)
        store_documents(sorted(documents.items()))
        done, last_id = done + len(documents), ids[-1]


def delete_documents(case_ids: list[int]) -> None:
    if not case_ids:
        return
    if is_postgres(database):
        PG_SEARCH.delete().where(PG_SEARCH.case_id.in_(case_ids)).execute(database)
        return
    for table in (PUBLIC_FTS, STAFF_FTS):
        table.delete().where(table.rowid.in_(case_ids)).execute(database)


def store_documents(rows: list[tuple[int, SearchDocuments]], *, new: bool = False) -> None:
    """Write (replace) the documents of many cases at once; the caller holds the transaction. `new`:
    the cases were inserted in this transaction, so they have no documents to replace yet."""
    if not rows:
        return
    if is_postgres(database):
        # tsvector literals, not to_tsvector(): the words and stems are already the lexemes (rules.tsvector)
        values = ", ".join(["(%s, CAST(%s AS tsvector), CAST(%s AS tsvector))"] * len(rows))
        params = [p for case_id, docs in rows for p in (case_id, tsvector(docs.public), tsvector(docs.staff))]
        database.execute_sql(
            f"INSERT INTO case_search (case_id, public_document, staff_document) VALUES {values} "  # noqa: S608
            "ON CONFLICT (case_id) DO UPDATE SET public_document = EXCLUDED.public_document, "
            "staff_document = EXCLUDED.staff_document",
            params,
        )
        return
    # FTS5 has no upsert: remove any old row, then insert (plain SQL: the seed writes 100,000s of these).
    if not new:
        delete_documents([case_id for case_id, _ in rows])
    values = ", ".join(["(?, ?, ?)"] * len(rows))
    for table, pick in (("case_search_public", lambda d: d.public), ("case_search_staff", lambda d: d.staff)):
        params = [p for case_id, docs in rows for p in (case_id, pick(docs).words, pick(docs).stems)]
        database.execute_sql(f"INSERT INTO {table} (rowid, document, stems) VALUES {values}", params)  # noqa: S608
