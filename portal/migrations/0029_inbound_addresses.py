"""inbound_address, inbound_address_change and auto_reply_slot: the addresses mail to which opens cases (template, workgroup, language, what to do with unknown senders), their audit log, and the throttle of automatic answers to senders (one per address and kind an hour)."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "auto_reply_slot" ("id" INTEGER NOT NULL PRIMARY KEY, "address_key" VARCHAR(254) NOT NULL, "kind" VARCHAR(40) NOT NULL, "sent_at" DATETIME NOT NULL)',
    'CREATE UNIQUE INDEX "auto_reply_slot_address_key_kind" ON "auto_reply_slot" ("address_key", "kind")',
    'CREATE TABLE "inbound_address" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "address" VARCHAR(254) NOT NULL, "case_template_id" INTEGER NOT NULL, "workgroup_id" INTEGER, "language" VARCHAR(16) NOT NULL, "unknown_senders" VARCHAR(10) NOT NULL, "active" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("case_template_id") REFERENCES "case_template" ("id") ON DELETE RESTRICT, FOREIGN KEY ("workgroup_id") REFERENCES "workgroup" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "inbound_address_uuid" ON "inbound_address" ("uuid")',
    'CREATE UNIQUE INDEX "inbound_address_address" ON "inbound_address" ("address")',
    'CREATE INDEX "inbound_address_case_template_id" ON "inbound_address" ("case_template_id")',
    'CREATE INDEX "inbound_address_workgroup_id" ON "inbound_address" ("workgroup_id")',
    'CREATE TABLE "inbound_address_change" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "inbound_address_id" INTEGER NOT NULL, "actor_id" INTEGER, "action" VARCHAR(40) NOT NULL, "old_value" TEXT, "new_value" TEXT, "created_at" DATETIME NOT NULL, FOREIGN KEY ("inbound_address_id") REFERENCES "inbound_address" ("id") ON DELETE CASCADE, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "inbound_address_change_uuid" ON "inbound_address_change" ("uuid")',
    'CREATE INDEX "inbound_address_change_inbound_address_id" ON "inbound_address_change" ("inbound_address_id")',
    'CREATE INDEX "inbound_address_change_actor_id" ON "inbound_address_change" ("actor_id")',
    'CREATE INDEX "inbound_address_change_created_at" ON "inbound_address_change" ("created_at")',
]

POSTGRESQL = [
    'CREATE TABLE "auto_reply_slot" ("id" SERIAL NOT NULL PRIMARY KEY, "address_key" VARCHAR(254) NOT NULL, "kind" VARCHAR(40) NOT NULL, "sent_at" TIMESTAMP NOT NULL)',
    'CREATE UNIQUE INDEX "auto_reply_slot_address_key_kind" ON "auto_reply_slot" ("address_key", "kind")',
    'CREATE TABLE "inbound_address" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "address" VARCHAR(254) NOT NULL, "case_template_id" INTEGER NOT NULL, "workgroup_id" INTEGER, "language" VARCHAR(16) NOT NULL, "unknown_senders" VARCHAR(10) NOT NULL, "active" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("case_template_id") REFERENCES "case_template" ("id") ON DELETE RESTRICT, FOREIGN KEY ("workgroup_id") REFERENCES "workgroup" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "inbound_address_uuid" ON "inbound_address" ("uuid")',
    'CREATE UNIQUE INDEX "inbound_address_address" ON "inbound_address" ("address")',
    'CREATE INDEX "inbound_address_case_template_id" ON "inbound_address" ("case_template_id")',
    'CREATE INDEX "inbound_address_workgroup_id" ON "inbound_address" ("workgroup_id")',
    'CREATE TABLE "inbound_address_change" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "inbound_address_id" INTEGER NOT NULL, "actor_id" INTEGER, "action" VARCHAR(40) NOT NULL, "old_value" TEXT, "new_value" TEXT, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("inbound_address_id") REFERENCES "inbound_address" ("id") ON DELETE CASCADE, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "inbound_address_change_uuid" ON "inbound_address_change" ("uuid")',
    'CREATE INDEX "inbound_address_change_inbound_address_id" ON "inbound_address_change" ("inbound_address_id")',
    'CREATE INDEX "inbound_address_change_actor_id" ON "inbound_address_change" ("actor_id")',
    'CREATE INDEX "inbound_address_change_created_at" ON "inbound_address_change" ("created_at")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
