"""Reports in calendar time from stored seconds (issue 16): per case, the calendar seconds from opening to the first
staff answer and to the last closing (case.first_response_s, case.resolution_s), written beside the business seconds
of 0030 by the same code (portal.service_levels.elapsed), and the two report indexes again with them in, so the
means and medians of time to first response and to close read integers from the index instead of subtracting two
times for every case.

Existing cases get them from `caseport sla backfill` (the figures are computed once, in Python, by the code that
writes them for new cases)."""

from portal.db import run_statements

OLD_INDEXES = [
    'DROP INDEX "case_opened_at_workgroup_id_template_id_status_id_last_c_5fe82b9"',
    'DROP INDEX "case_last_closed_at_status_id_workgroup_id_template_id_a_419dfe7"',
]
INDEXES = [
    'CREATE INDEX "case_opened_at_workgroup_id_template_id_status_id_last_c_a020cd1" ON "case" ("opened_at", "workgroup_id", "template_id", "status_id", "last_closed_at", "first_response_at", "channel", "first_response_business_s", "first_response_s")',
    'CREATE INDEX "case_last_closed_at_status_id_workgroup_id_template_id_a_e8641ca" ON "case" ("last_closed_at", "status_id", "workgroup_id", "template_id", "assignee_id", "opened_at", "channel", "resolution_business_s", "resolution_s")',
]

SQLITE = [
    'ALTER TABLE "case" ADD COLUMN "first_response_s" INTEGER',
    'ALTER TABLE "case" ADD COLUMN "resolution_s" INTEGER',
    *OLD_INDEXES,
    *INDEXES,
]
POSTGRESQL = [
    'ALTER TABLE "case" ADD COLUMN "first_response_s" INTEGER',
    'ALTER TABLE "case" ADD COLUMN "resolution_s" INTEGER',
    *OLD_INDEXES,
    *INDEXES,
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
