"""event and event_counter: the typed, append-only record of every case change in one global, gap-free order
(the API's event stream, webhooks, reports and service-level clocks read it)."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "event" ("id" INTEGER NOT NULL PRIMARY KEY, "position" INTEGER NOT NULL, "uuid" VARCHAR(36) NOT NULL, "type" VARCHAR(60) NOT NULL, "case_id" INTEGER, "actor_id" INTEGER, "internal" INTEGER NOT NULL, "data" TEXT NOT NULL, "occurred_at" DATETIME NOT NULL, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "event_position" ON "event" ("position")',
    'CREATE UNIQUE INDEX "event_uuid" ON "event" ("uuid")',
    'CREATE INDEX "event_case_id" ON "event" ("case_id")',
    'CREATE INDEX "event_actor_id" ON "event" ("actor_id")',
    'CREATE TABLE "event_counter" ("name" VARCHAR(20) NOT NULL PRIMARY KEY, "value" INTEGER NOT NULL)',
    'INSERT INTO "event_counter" ("name", "value") VALUES (\'events\', 0)',
]

POSTGRESQL = [
    'CREATE TABLE "event" ("id" SERIAL NOT NULL PRIMARY KEY, "position" BIGINT NOT NULL, "uuid" VARCHAR(36) NOT NULL, "type" VARCHAR(60) NOT NULL, "case_id" INTEGER, "actor_id" INTEGER, "internal" BOOLEAN NOT NULL, "data" TEXT NOT NULL, "occurred_at" TIMESTAMP NOT NULL, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE CASCADE, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "event_position" ON "event" ("position")',
    'CREATE UNIQUE INDEX "event_uuid" ON "event" ("uuid")',
    'CREATE INDEX "event_case_id" ON "event" ("case_id")',
    'CREATE INDEX "event_actor_id" ON "event" ("actor_id")',
    'CREATE TABLE "event_counter" ("name" VARCHAR(20) NOT NULL PRIMARY KEY, "value" BIGINT NOT NULL)',
    'INSERT INTO "event_counter" ("name", "value") VALUES (\'events\', 0)',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
