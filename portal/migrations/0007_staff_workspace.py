"""Create case_task."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "case_task" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "case_id" INTEGER NOT NULL, "title" VARCHAR(200) NOT NULL, "assignee_id" INTEGER, "due_date" DATE, "status" VARCHAR(10) NOT NULL, "customer_visible" INTEGER NOT NULL, "created_by_id" INTEGER, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "completed_at" DATETIME, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE, FOREIGN KEY ("assignee_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "case_task_uuid" ON "case_task" ("uuid")',
    'CREATE INDEX "case_task_case_id" ON "case_task" ("case_id")',
    'CREATE INDEX "case_task_assignee_id" ON "case_task" ("assignee_id")',
    'CREATE INDEX "case_task_created_by_id" ON "case_task" ("created_by_id")',
    'CREATE INDEX "case_task_case_id_created_at" ON "case_task" ("case_id", "created_at")',
    'CREATE INDEX "case_task_assignee_id_status" ON "case_task" ("assignee_id", "status")',
]

POSTGRESQL = [
    'CREATE TABLE "case_task" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "case_id" INTEGER NOT NULL, "title" VARCHAR(200) NOT NULL, "assignee_id" INTEGER, "due_date" DATE, "status" VARCHAR(10) NOT NULL, "customer_visible" BOOLEAN NOT NULL, "created_by_id" INTEGER, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, "completed_at" TIMESTAMP, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE, FOREIGN KEY ("assignee_id") REFERENCES "user" ("id") ON DELETE SET NULL, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "case_task_uuid" ON "case_task" ("uuid")',
    'CREATE INDEX "case_task_case_id" ON "case_task" ("case_id")',
    'CREATE INDEX "case_task_assignee_id" ON "case_task" ("assignee_id")',
    'CREATE INDEX "case_task_created_by_id" ON "case_task" ("created_by_id")',
    'CREATE INDEX "case_task_case_id_created_at" ON "case_task" ("case_id", "created_at")',
    'CREATE INDEX "case_task_assignee_id_status" ON "case_task" ("assignee_id", "status")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
