"""A proxy's dashboard list in order from the index that counts their cases (issue 12).

0035 indexed (internal_contact_id, template_id, status_id, id) for a proxy's counts; their list (latest
update first, then the later id) still read every one of their cases and sorted them: 12-14 ms for a proxy
with 5,006 of 100,000 cases on SQLite, ten times that with 50,000. One index serves both, as
(internal_contact_id, updated_at, id, template_id, status_id): a page is its first 25 entries for the
proxy, read in order, and the counts remain an index-only scan of the proxy's part of it.

Measured at 1,000,000 cases, a seeded proxy with 50,266 cases, PostgreSQL (EXPLAIN ANALYZE, the index built
in a rolled-back transaction): the list's page 0.28 ms, the counts 17-28 ms (index only; 294 ms before 0035).
PostgreSQL gets fresh planner statistics for the table (ANALYZE).
"""

from portal.db import run_statements

INDEX = ('CREATE INDEX "case_internal_contact_id_updated_at_id_template_id_status_id" ON "case" '
         '("internal_contact_id", "updated_at", "id", "template_id", "status_id")')

SQLITE = [INDEX, 'DROP INDEX "case_internal_contact_id_template_id_status_id_id"']

POSTGRESQL = [INDEX, 'DROP INDEX "case_internal_contact_id_template_id_status_id_id"', 'ANALYZE "case"']


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
