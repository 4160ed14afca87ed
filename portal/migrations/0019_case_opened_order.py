"""An index on case (opened_at, uuid): the API's case list pages newest first on that key (a keyset
cursor), so each page is read from the index instead of sorting every case the viewer may see."""

from portal.db import run_statements

SQLITE = [
    'CREATE INDEX "case_opened_at_uuid" ON "case" ("opened_at", "uuid")',
]

POSTGRESQL = [
    'CREATE INDEX "case_opened_at_uuid" ON "case" ("opened_at", "uuid")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
