"""Indexes for the reports: cases by when they opened and closed, feed entries by kind and time, feedback by
time, so each report reads a date range through an index instead of every row."""

from portal.db import run_statements

STATEMENTS = [
    'CREATE INDEX "case_opened_at" ON "case" ("opened_at")',
    'CREATE INDEX "case_last_closed_at" ON "case" ("last_closed_at")',
    'CREATE INDEX "case_event_kind_created_at" ON "case_event" ("kind", "created_at")',
    'CREATE INDEX "case_feedback_created_at" ON "case_feedback" ("created_at")',
]


def upgrade(db):
    run_statements(db, STATEMENTS, STATEMENTS)
