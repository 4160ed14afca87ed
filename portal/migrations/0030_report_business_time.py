"""Reports in business time and by channel (issue 16): per case, the business seconds from opening to the first
staff answer and to the last closing (case.first_response_business_s, case.resolution_business_s); the report
indexes again with the channel and those seconds in them (so every report stays an index-only read whatever the
filters), and two for SLA compliance (targets due in a period per workgroup or form).

Existing cases get their seconds (and open cases opened before service levels existed their targets) from
`caseport sla backfill`, which computes them in Python in batches: business time needs each workgroup's calendar,
which SQL does not have."""

from portal.db import run_statements

OLD_INDEXES = [
    'DROP INDEX "case_opened_at_workgroup_id_template_id_status_id_last_c_5a799f9"',
    'DROP INDEX "case_last_closed_at_status_id_workgroup_id_template_id_a_ba5a688"',
    'DROP INDEX "case_status_id_template_id_workgroup_id_escalated"',
]
INDEXES = [
    'CREATE INDEX "case_opened_at_workgroup_id_template_id_status_id_last_c_5fe82b9" ON "case" ("opened_at", "workgroup_id", "template_id", "status_id", "last_closed_at", "first_response_at", "channel", "first_response_business_s")',
    'CREATE INDEX "case_last_closed_at_status_id_workgroup_id_template_id_a_419dfe7" ON "case" ("last_closed_at", "status_id", "workgroup_id", "template_id", "assignee_id", "opened_at", "channel", "resolution_business_s")',
    'CREATE INDEX "case_status_id_template_id_workgroup_id_escalated_channel" ON "case" ("status_id", "template_id", "workgroup_id", "escalated", "channel")',
    'CREATE INDEX "case_first_response_due_workgroup_id_template_id_channel_2c8f55d" ON "case" ("first_response_due", "workgroup_id", "template_id", "channel", "first_response_breached_at")',
    'CREATE INDEX "case_resolution_due_workgroup_id_template_id_channel_res_fec24fb" ON "case" ("resolution_due", "workgroup_id", "template_id", "channel", "resolution_breached_at")',
]

SQLITE = [
    'ALTER TABLE "case" ADD COLUMN "first_response_business_s" INTEGER',
    'ALTER TABLE "case" ADD COLUMN "resolution_business_s" INTEGER',
    *OLD_INDEXES,
    *INDEXES,
]
POSTGRESQL = [
    'ALTER TABLE "case" ADD COLUMN "first_response_business_s" INTEGER',
    'ALTER TABLE "case" ADD COLUMN "resolution_business_s" INTEGER',
    *OLD_INDEXES,
    *INDEXES,
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
