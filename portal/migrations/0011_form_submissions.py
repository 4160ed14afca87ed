"""Create form_submission: the keys of forms that must act once (portal.submissions), so a double
click on "Submit case", "Add comment", "Log contact" or "Add task" does it once."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "form_submission" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key" VARCHAR(36) NOT NULL, "result" VARCHAR(100) NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "form_submission_created_at" ON "form_submission" ("created_at")',
    'CREATE UNIQUE INDEX "form_submission_user_id_key" ON "form_submission" ("user_id", "key")',
]

POSTGRESQL = [
    'CREATE TABLE "form_submission" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key" VARCHAR(36) NOT NULL, "result" VARCHAR(100) NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "form_submission_created_at" ON "form_submission" ("created_at")',
    'CREATE UNIQUE INDEX "form_submission_user_id_key" ON "form_submission" ("user_id", "key")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
