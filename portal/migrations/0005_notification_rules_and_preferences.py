"""Create notification_rule, notification_preference."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "notification_preference" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "event" VARCHAR(100) NOT NULL, "email" INTEGER NOT NULL, "sms" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "notification_preference_user_id" ON "notification_preference" ("user_id")',
    'CREATE UNIQUE INDEX "notification_preference_user_id_event" ON "notification_preference" ("user_id", "event")',
    'CREATE TABLE "notification_rule" ("id" INTEGER NOT NULL PRIMARY KEY, "case_template_id" INTEGER, "event" VARCHAR(100) NOT NULL, "audience" VARCHAR(30) NOT NULL, "email" INTEGER NOT NULL, "sms" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("case_template_id") REFERENCES "case_template" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "notification_rule_case_template_id" ON "notification_rule" ("case_template_id")',
    'CREATE UNIQUE INDEX "notification_rule_case_template_id_event_audience" ON "notification_rule" ("case_template_id", "event", "audience")',
    'CREATE UNIQUE INDEX "notification_rule_event_audience" ON "notification_rule" ("event", "audience") WHERE ("case_template_id" IS NULL)',
]

POSTGRESQL = [
    'CREATE TABLE "notification_preference" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "event" VARCHAR(100) NOT NULL, "email" BOOLEAN NOT NULL, "sms" BOOLEAN NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "notification_preference_user_id" ON "notification_preference" ("user_id")',
    'CREATE UNIQUE INDEX "notification_preference_user_id_event" ON "notification_preference" ("user_id", "event")',
    'CREATE TABLE "notification_rule" ("id" SERIAL NOT NULL PRIMARY KEY, "case_template_id" INTEGER, "event" VARCHAR(100) NOT NULL, "audience" VARCHAR(30) NOT NULL, "email" BOOLEAN NOT NULL, "sms" BOOLEAN NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("case_template_id") REFERENCES "case_template" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "notification_rule_case_template_id" ON "notification_rule" ("case_template_id")',
    'CREATE UNIQUE INDEX "notification_rule_case_template_id_event_audience" ON "notification_rule" ("case_template_id", "event", "audience")',
    'CREATE UNIQUE INDEX "notification_rule_event_audience" ON "notification_rule" ("event", "audience") WHERE ("case_template_id" IS NULL)',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
