"""Create case_reading: when each person last read each case, for the dashboard's "updated since your last visit"."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "case_reading" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "case_id" INTEGER NOT NULL, "seen_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "case_reading_user_id" ON "case_reading" ("user_id")',
    'CREATE INDEX "case_reading_case_id" ON "case_reading" ("case_id")',
    'CREATE UNIQUE INDEX "case_reading_user_id_case_id" ON "case_reading" ("user_id", "case_id")',
]

POSTGRESQL = [
    'CREATE TABLE "case_reading" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "case_id" INTEGER NOT NULL, "seen_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "case_reading_user_id" ON "case_reading" ("user_id")',
    'CREATE INDEX "case_reading_case_id" ON "case_reading" ("case_id")',
    'CREATE UNIQUE INDEX "case_reading_user_id_case_id" ON "case_reading" ("user_id", "case_id")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
