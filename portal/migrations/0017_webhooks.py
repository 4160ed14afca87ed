"""webhook_endpoint, webhook_change and notifier_hold: endpoints that receive typed events as signed webhooks through the notifier's outbox, their audit log, and the notifier's holds (a paused endpoint's deliveries wait unclaimed)."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "notifier_hold" ("id" INTEGER NOT NULL PRIMARY KEY, "channel" VARCHAR(10) NOT NULL, "address_key" VARCHAR(320) NOT NULL, "reason" TEXT NOT NULL, "held_at" DATETIME NOT NULL)',
    'CREATE UNIQUE INDEX "notifier_hold_channel_address_key" ON "notifier_hold" ("channel", "address_key")',
    'CREATE TABLE "webhook_endpoint" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "url" VARCHAR(2000) NOT NULL, "description" VARCHAR(200) NOT NULL, "event_types" TEXT NOT NULL, "case_template_id" INTEGER, "secret" VARCHAR(100) NOT NULL, "previous_secret" VARCHAR(100), "previous_secret_expires_at" DATETIME, "active" INTEGER NOT NULL, "paused_at" DATETIME, "paused_reason" TEXT, "consecutive_failures" INTEGER NOT NULL, "failing_since" DATETIME, "created_by_id" INTEGER, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("case_template_id") REFERENCES "case_template" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "webhook_endpoint_uuid" ON "webhook_endpoint" ("uuid")',
    'CREATE INDEX "webhook_endpoint_case_template_id" ON "webhook_endpoint" ("case_template_id")',
    'CREATE INDEX "webhook_endpoint_created_by_id" ON "webhook_endpoint" ("created_by_id")',
    'CREATE TABLE "webhook_change" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "endpoint_id" INTEGER, "endpoint_uuid" VARCHAR(36) NOT NULL, "actor_id" INTEGER, "action" VARCHAR(40) NOT NULL, "old_value" TEXT, "new_value" TEXT, "created_at" DATETIME NOT NULL, FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint" ("id") ON DELETE SET NULL, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "webhook_change_uuid" ON "webhook_change" ("uuid")',
    'CREATE INDEX "webhook_change_endpoint_id" ON "webhook_change" ("endpoint_id")',
    'CREATE INDEX "webhook_change_endpoint_uuid" ON "webhook_change" ("endpoint_uuid")',
    'CREATE INDEX "webhook_change_actor_id" ON "webhook_change" ("actor_id")',
    'CREATE INDEX "webhook_change_created_at" ON "webhook_change" ("created_at")',
]

POSTGRESQL = [
    'CREATE TABLE "notifier_hold" ("id" SERIAL NOT NULL PRIMARY KEY, "channel" VARCHAR(10) NOT NULL, "address_key" VARCHAR(320) NOT NULL, "reason" TEXT NOT NULL, "held_at" TIMESTAMP NOT NULL)',
    'CREATE UNIQUE INDEX "notifier_hold_channel_address_key" ON "notifier_hold" ("channel", "address_key")',
    'CREATE TABLE "webhook_endpoint" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "url" VARCHAR(2000) NOT NULL, "description" VARCHAR(200) NOT NULL, "event_types" TEXT NOT NULL, "case_template_id" INTEGER, "secret" VARCHAR(100) NOT NULL, "previous_secret" VARCHAR(100), "previous_secret_expires_at" TIMESTAMP, "active" BOOLEAN NOT NULL, "paused_at" TIMESTAMP, "paused_reason" TEXT, "consecutive_failures" INTEGER NOT NULL, "failing_since" TIMESTAMP, "created_by_id" INTEGER, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("case_template_id") REFERENCES "case_template" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "webhook_endpoint_uuid" ON "webhook_endpoint" ("uuid")',
    'CREATE INDEX "webhook_endpoint_case_template_id" ON "webhook_endpoint" ("case_template_id")',
    'CREATE INDEX "webhook_endpoint_created_by_id" ON "webhook_endpoint" ("created_by_id")',
    'CREATE TABLE "webhook_change" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "endpoint_id" INTEGER, "endpoint_uuid" VARCHAR(36) NOT NULL, "actor_id" INTEGER, "action" VARCHAR(40) NOT NULL, "old_value" TEXT, "new_value" TEXT, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint" ("id") ON DELETE SET NULL, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "webhook_change_uuid" ON "webhook_change" ("uuid")',
    'CREATE INDEX "webhook_change_endpoint_id" ON "webhook_change" ("endpoint_id")',
    'CREATE INDEX "webhook_change_endpoint_uuid" ON "webhook_change" ("endpoint_uuid")',
    'CREATE INDEX "webhook_change_actor_id" ON "webhook_change" ("actor_id")',
    'CREATE INDEX "webhook_change_created_at" ON "webhook_change" ("created_at")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
