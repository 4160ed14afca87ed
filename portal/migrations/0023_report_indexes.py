"""The reports' storage: case.first_response_at (when staff first answered the customer, filled here from the
activity feed for existing cases) and indexes that hold every column the reports filter or group on, so each
report reads one index over its date range instead of the cases themselves."""

from portal.db import run_statements

INDEXES = [
    'CREATE INDEX "case_opened_at_workgroup_id_template_id_status_id_last_c_5a799f9" ON "case" ("opened_at", "workgroup_id", "template_id", "status_id", "last_closed_at", "first_response_at")',
    'CREATE INDEX "case_last_closed_at_status_id_workgroup_id_template_id_a_ba5a688" ON "case" ("last_closed_at", "status_id", "workgroup_id", "template_id", "assignee_id", "opened_at")',
    'CREATE INDEX "case_status_id_template_id_workgroup_id_escalated" ON "case" ("status_id", "template_id", "workgroup_id", "escalated")',
    'CREATE INDEX "case_event_kind_created_at" ON "case_event" ("kind", "created_at")',
    'CREATE INDEX "case_feedback_created_at" ON "case_feedback" ("created_at")',
]
BACKFILL = (
    'UPDATE "case" SET "first_response_at" = ('
    'SELECT MIN(e."created_at") FROM "case_event" e JOIN "user" u ON u."id" = e."actor_id" '
    'WHERE e."case_id" = "case"."id" AND e."kind" = \'comment\' AND e."public" = {true} '
    'AND u."role" IN (\'agent\', \'supervisor\', \'admin\'))'
)
SQLITE = ['ALTER TABLE "case" ADD COLUMN "first_response_at" DATETIME', BACKFILL.format(true=1), *INDEXES]
POSTGRESQL = ['ALTER TABLE "case" ADD COLUMN "first_response_at" TIMESTAMP', BACKFILL.format(true="TRUE"), *INDEXES]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
