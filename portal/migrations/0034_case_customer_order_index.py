"""The customer's dashboard on PostgreSQL (issue 12): a customer's cases are read in list order from one index.

case_customer_id (customer_id) becomes case_customer_id_updated_at_id (customer_id, updated_at, id). The
dashboard's list shows a customer's cases latest update first, then the later id: with the index in that
order, a page is the first 25 entries of the customer's part of it, read in order, with no sort of all
their cases. Every other read by customer_id uses the same index by its first column, so the old one goes.

Measured on PostgreSQL at 20,000 cases (the customer with 200 cases; EXPLAIN ANALYZE, fresh statistics):
for the page of rows the planner walked case_updated_at_id until it met 25 of the customer's cases
(7.3 ms) or read all 200 through case_customer_id and sorted them (0.8 ms); with this index it reads 25
entries (0.14-0.26 ms), the "action needed" rows 0.56 -> 0.10 ms, the counts 0.3-0.4 ms either way. SQLite already searched case_customer_id and then sorted the 200 cases (a temporary B-tree): at
100,000 cases the rows went from 0.38 to 0.22 ms and the action rows from 0.21 to 0.14 ms.
PostgreSQL gets fresh planner statistics for the table (ANALYZE).
"""

from portal.db import run_statements

SQLITE = [
    'CREATE INDEX "case_customer_id_updated_at_id" ON "case" ("customer_id", "updated_at", "id")',
    'DROP INDEX "case_customer_id"',
]

POSTGRESQL = [
    'CREATE INDEX "case_customer_id_updated_at_id" ON "case" ("customer_id", "updated_at", "id")',
    'DROP INDEX "case_customer_id"',
    'ANALYZE "case"',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
