"""Cases get a language (case.language), and the search index gets the stems of every word in it.

Existing cases take the language of the customer they are for (when the customer signs in), else the
filer's: what opening a case does now. The FTS5 tables are rebuilt with a stems column beside the
words; PostgreSQL keeps its tsvector columns. Then every case is indexed again, words and stems
(portal.cases.service.search_index: the one builder of documents, so that they match what a new case
gets; should a later migration change what it reads, the rebuild moves after that migration).
Written by hand: a column added to an existing table, and FTS5 tables peewee cannot describe.
"""

from contextlib import contextmanager

from portal.db import database, run_statements

LANGUAGE_OF_EXISTING_CASES = (
    'UPDATE "case" SET "language" = COALESCE('
    '(SELECT u."language" FROM "customer" c JOIN "user" u ON u."id" = c."user_id" WHERE c."id" = "case"."customer_id"), '
    '(SELECT u."language" FROM "user" u WHERE u."id" = "case"."created_by_id"), '
    "'en')"
)

SQLITE = [
    # SQLite adds a NOT NULL column only with a default; the models' schema compares without defaults
    """ALTER TABLE "case" ADD COLUMN "language" VARCHAR(16) NOT NULL DEFAULT 'en'""",
    LANGUAGE_OF_EXISTING_CASES,
    "DROP TABLE case_search_public",
    "DROP TABLE case_search_staff",
    "CREATE VIRTUAL TABLE case_search_public USING fts5(document, stems, tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE case_search_staff USING fts5(document, stems, tokenize='unicode61 remove_diacritics 2')",
]

POSTGRESQL = [
    """ALTER TABLE "case" ADD COLUMN "language" VARCHAR(16) NOT NULL DEFAULT 'en'""",
    LANGUAGE_OF_EXISTING_CASES,
    'ALTER TABLE "case" ALTER COLUMN "language" DROP DEFAULT',
]


@contextmanager
def _models_on(db):
    """The portal's models read and write db meanwhile (the migrations runner may be handed any database)."""
    previous = database.obj
    database.initialize(db)
    try:
        yield
    finally:
        database.initialize(previous)


def upgrade(db):
    from portal.cases.service.search_index import reindex_all_cases

    run_statements(db, SQLITE, POSTGRESQL)
    with _models_on(db):
        reindex_all_cases()
