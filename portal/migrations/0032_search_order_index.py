"""An agent's keyword search over a million cases (issue 12): case lists walk (updated_at, id) in order,
and the search index is left compact.

- case_updated_at (updated_at) becomes case_updated_at_id (updated_at, id): every case list shows the
  latest update first, then the later id. On updated_at alone PostgreSQL must sort all cases that share
  an update time before it can stop at a page (a bulk load left 9,908 with one time: the staff search's
  page read 8,261 cases and their documents, 108 ms, instead of 326, 15 ms). SQLite's index already
  held the id (its rowid), so its order does not change.
- SQLite: each FTS5 index is merged into one segment ('optimize'), as the seed now leaves it: a search
  reads one list per word instead of one per segment (bulk loads and years of edits leave many).
- PostgreSQL: fresh planner statistics for the new index and the search table (ANALYZE).

Measured at 1,000,000 cases: under half a minute on SQLite (the two FTS5 merges, 11 s each), a few
seconds on PostgreSQL (CREATE INDEX 1.1 s at 1,200,000 cases).
"""

from portal.db import run_statements

SQLITE = [
    'DROP INDEX "case_updated_at"',
    'CREATE INDEX "case_updated_at_id" ON "case" ("updated_at", "id")',
    "INSERT INTO case_search_public(case_search_public) VALUES ('optimize')",
    "INSERT INTO case_search_staff(case_search_staff) VALUES ('optimize')",
]

POSTGRESQL = [
    'DROP INDEX "case_updated_at"',
    'CREATE INDEX "case_updated_at_id" ON "case" ("updated_at", "id")',
    'ANALYZE "case"',
    "ANALYZE case_search",
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
