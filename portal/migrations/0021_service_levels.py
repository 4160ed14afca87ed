"""Business calendars (time zone, weekly working hours, public holidays, closed days), a calendar per workgroup,
SLA policies per case template and priority, and OLA targets per workgroup (issue 16).

Seeds the 24x7 calendar every installation has (open around the clock, no holidays): a workgroup without a
calendar of its own works on it."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "business_calendar" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "name" VARCHAR(120) NOT NULL, "time_zone" VARCHAR(64) NOT NULL, "country" VARCHAR(3), "subdivision" VARCHAR(10), "is_system" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL)',
    'CREATE UNIQUE INDEX "business_calendar_uuid" ON "business_calendar" ("uuid")',
    'CREATE UNIQUE INDEX "business_calendar_name" ON "business_calendar" ("name")',
    'CREATE TABLE "closed_day" ("id" INTEGER NOT NULL PRIMARY KEY, "calendar_id" INTEGER NOT NULL, "day" DATE NOT NULL, "label" VARCHAR(120) NOT NULL, FOREIGN KEY ("calendar_id") REFERENCES "business_calendar" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "closed_day_calendar_id" ON "closed_day" ("calendar_id")',
    'CREATE UNIQUE INDEX "closed_day_calendar_id_day" ON "closed_day" ("calendar_id", "day")',
    'CREATE TABLE "working_hours" ("id" INTEGER NOT NULL PRIMARY KEY, "calendar_id" INTEGER NOT NULL, "weekday" INTEGER NOT NULL, "start_minute" INTEGER NOT NULL, "end_minute" INTEGER NOT NULL, FOREIGN KEY ("calendar_id") REFERENCES "business_calendar" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "working_hours_calendar_id" ON "working_hours" ("calendar_id")',
    'CREATE UNIQUE INDEX "working_hours_calendar_id_weekday_start_minute" ON "working_hours" ("calendar_id", "weekday", "start_minute")',
    'ALTER TABLE "workgroup" ADD COLUMN "calendar_id" INTEGER REFERENCES "business_calendar" ("id") ON DELETE SET NULL',
    'CREATE INDEX "workgroup_calendar_id" ON "workgroup" ("calendar_id")',
    'CREATE TABLE "ola_target" ("id" INTEGER NOT NULL PRIMARY KEY, "workgroup_id" INTEGER NOT NULL, "minutes" INTEGER NOT NULL, "business_time" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("workgroup_id") REFERENCES "workgroup" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "ola_target_workgroup_id" ON "ola_target" ("workgroup_id")',
    'CREATE TABLE "sla_policy" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "template_id" INTEGER NOT NULL, "pause_categories" VARCHAR(60) NOT NULL, "warn_percent" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("template_id") REFERENCES "case_template" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "sla_policy_uuid" ON "sla_policy" ("uuid")',
    'CREATE UNIQUE INDEX "sla_policy_template_id" ON "sla_policy" ("template_id")',
    'CREATE TABLE "sla_target" ("id" INTEGER NOT NULL PRIMARY KEY, "policy_id" INTEGER NOT NULL, "priority" VARCHAR(10) NOT NULL, "metric" VARCHAR(20) NOT NULL, "minutes" INTEGER NOT NULL, "business_time" INTEGER NOT NULL, FOREIGN KEY ("policy_id") REFERENCES "sla_policy" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "sla_target_policy_id" ON "sla_target" ("policy_id")',
    'CREATE UNIQUE INDEX "sla_target_policy_id_priority_metric" ON "sla_target" ("policy_id", "priority", "metric")',
    'INSERT INTO "business_calendar" ("uuid", "name", "time_zone", "country", "subdivision", "is_system", "created_at", "updated_at") VALUES (\'00000000-0000-4000-8000-000000000024\', \'24x7\', \'UTC\', NULL, NULL, 1, \'2026-12-01 00:00:00\', \'2026-12-01 00:00:00\')',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 0, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 1, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 2, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 3, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 4, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 5, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 6, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
]

POSTGRESQL = [
    'CREATE TABLE "business_calendar" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "name" VARCHAR(120) NOT NULL, "time_zone" VARCHAR(64) NOT NULL, "country" VARCHAR(3), "subdivision" VARCHAR(10), "is_system" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL)',
    'CREATE UNIQUE INDEX "business_calendar_uuid" ON "business_calendar" ("uuid")',
    'CREATE UNIQUE INDEX "business_calendar_name" ON "business_calendar" ("name")',
    'CREATE TABLE "closed_day" ("id" SERIAL NOT NULL PRIMARY KEY, "calendar_id" INTEGER NOT NULL, "day" DATE NOT NULL, "label" VARCHAR(120) NOT NULL, FOREIGN KEY ("calendar_id") REFERENCES "business_calendar" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "closed_day_calendar_id" ON "closed_day" ("calendar_id")',
    'CREATE UNIQUE INDEX "closed_day_calendar_id_day" ON "closed_day" ("calendar_id", "day")',
    'CREATE TABLE "working_hours" ("id" SERIAL NOT NULL PRIMARY KEY, "calendar_id" INTEGER NOT NULL, "weekday" INTEGER NOT NULL, "start_minute" INTEGER NOT NULL, "end_minute" INTEGER NOT NULL, FOREIGN KEY ("calendar_id") REFERENCES "business_calendar" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "working_hours_calendar_id" ON "working_hours" ("calendar_id")',
    'CREATE UNIQUE INDEX "working_hours_calendar_id_weekday_start_minute" ON "working_hours" ("calendar_id", "weekday", "start_minute")',
    'ALTER TABLE "workgroup" ADD COLUMN "calendar_id" INTEGER REFERENCES "business_calendar" ("id") ON DELETE SET NULL',
    'CREATE INDEX "workgroup_calendar_id" ON "workgroup" ("calendar_id")',
    'CREATE TABLE "ola_target" ("id" SERIAL NOT NULL PRIMARY KEY, "workgroup_id" INTEGER NOT NULL, "minutes" INTEGER NOT NULL, "business_time" BOOLEAN NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("workgroup_id") REFERENCES "workgroup" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "ola_target_workgroup_id" ON "ola_target" ("workgroup_id")',
    'CREATE TABLE "sla_policy" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "template_id" INTEGER NOT NULL, "pause_categories" VARCHAR(60) NOT NULL, "warn_percent" INTEGER NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("template_id") REFERENCES "case_template" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "sla_policy_uuid" ON "sla_policy" ("uuid")',
    'CREATE UNIQUE INDEX "sla_policy_template_id" ON "sla_policy" ("template_id")',
    'CREATE TABLE "sla_target" ("id" SERIAL NOT NULL PRIMARY KEY, "policy_id" INTEGER NOT NULL, "priority" VARCHAR(10) NOT NULL, "metric" VARCHAR(20) NOT NULL, "minutes" INTEGER NOT NULL, "business_time" BOOLEAN NOT NULL, FOREIGN KEY ("policy_id") REFERENCES "sla_policy" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "sla_target_policy_id" ON "sla_target" ("policy_id")',
    'CREATE UNIQUE INDEX "sla_target_policy_id_priority_metric" ON "sla_target" ("policy_id", "priority", "metric")',
    'INSERT INTO "business_calendar" ("uuid", "name", "time_zone", "country", "subdivision", "is_system", "created_at", "updated_at") VALUES (\'00000000-0000-4000-8000-000000000024\', \'24x7\', \'UTC\', NULL, NULL, TRUE, \'2026-12-01 00:00:00\', \'2026-12-01 00:00:00\')',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 0, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 1, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 2, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 3, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 4, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 5, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
    'INSERT INTO "working_hours" ("calendar_id", "weekday", "start_minute", "end_minute") SELECT "id", 6, 0, 1440 FROM "business_calendar" WHERE "uuid" = \'00000000-0000-4000-8000-000000000024\'',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
