"""Service-level targets stored on the case (issue 16): per target (first response, next response, resolution,
the escalation workgroup's OLA) when it is due, when to warn, and when the breach job warned and recorded the
breach; whether the clock is paused; the earliest due moment (lists sort and filter on it) and the earliest moment
the breach job has something to do, both indexed.

Existing cases get their targets the next time something they depend on changes (status, priority, workgroup,
a comment)."""

from portal.db import run_statements

SQLITE = [
    'ALTER TABLE "case" ADD COLUMN "awaiting_reply_since" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "first_response_due" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "first_response_warn_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "first_response_warned_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "first_response_breached_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "next_response_due" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "next_response_warn_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "next_response_warned_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "next_response_breached_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "resolution_due" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "resolution_warn_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "resolution_warned_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "resolution_breached_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "ola_due" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "ola_warn_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "ola_warned_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "ola_breached_at" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "sla_paused" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "case" ADD COLUMN "sla_due" DATETIME',
    'ALTER TABLE "case" ADD COLUMN "sla_action_at" DATETIME',
    'CREATE INDEX "case_sla_due" ON "case" ("sla_due")',
    'CREATE INDEX "case_sla_action_at" ON "case" ("sla_action_at")',
]

POSTGRESQL = [
    'ALTER TABLE "case" ADD COLUMN "awaiting_reply_since" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "first_response_due" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "first_response_warn_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "first_response_warned_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "first_response_breached_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "next_response_due" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "next_response_warn_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "next_response_warned_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "next_response_breached_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "resolution_due" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "resolution_warn_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "resolution_warned_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "resolution_breached_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "ola_due" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "ola_warn_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "ola_warned_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "ola_breached_at" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "sla_paused" BOOLEAN NOT NULL DEFAULT FALSE',
    'ALTER TABLE "case" ADD COLUMN "sla_due" TIMESTAMP',
    'ALTER TABLE "case" ADD COLUMN "sla_action_at" TIMESTAMP',
    'CREATE INDEX "case_sla_due" ON "case" ("sla_due")',
    'CREATE INDEX "case_sla_action_at" ON "case" ("sla_action_at")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
