"""Create the keyword search index of cases (hand-written: peewee models cannot describe it).

SQLite: two FTS5 tables (rowid = case id), one per audience, and a trigger that drops a deleted case's
documents (FTS5 tables cannot hold foreign keys). PostgreSQL: one table with a tsvector per audience,
GIN indexed, removed with its case by the foreign key. See portal/cases/queries/search.py.
"""

from portal.db import run_statements

SQLITE = [
    "CREATE VIRTUAL TABLE case_search_public USING fts5(document, tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE case_search_staff USING fts5(document, tokenize='unicode61 remove_diacritics 2')",
    'CREATE TRIGGER case_search_forget_deleted AFTER DELETE ON "case" BEGIN '
    "DELETE FROM case_search_public WHERE rowid = OLD.id; "
    "DELETE FROM case_search_staff WHERE rowid = OLD.id; END",
]

POSTGRESQL = [
    'CREATE TABLE "case_search" ("case_id" INTEGER NOT NULL PRIMARY KEY REFERENCES "case" ("id") ON DELETE CASCADE, '
    '"public_document" TSVECTOR NOT NULL, "staff_document" TSVECTOR NOT NULL)',
    'CREATE INDEX "case_search_public_document" ON "case_search" USING GIN ("public_document")',
    'CREATE INDEX "case_search_staff_document" ON "case_search" USING GIN ("staff_document")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
