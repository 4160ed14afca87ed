"""inbound_message: the inbound mail queue (stored raw before the MTA hears "250", then processed), and
the notifier message's bounce marks (bounced_at, bounce_status) set when a bounce names an email we sent."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "inbound_message" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "message_id" VARCHAR(500), "sha256" VARCHAR(64) NOT NULL, "raw" BLOB NOT NULL, "size" INTEGER NOT NULL, "envelope_sender" VARCHAR(320), "envelope_recipients" TEXT NOT NULL, "received_at" DATETIME NOT NULL, "sender" VARCHAR(320), "subject" TEXT, "state" VARCHAR(12) NOT NULL, "claim_token" VARCHAR(32), "claimed_at" DATETIME, "attempts" INTEGER NOT NULL, "outcome_state" VARCHAR(12), "outcome_reason" VARCHAR(60), "outcome_detail" TEXT, "case_id" INTEGER, "processed_at" DATETIME, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "inbound_message_uuid" ON "inbound_message" ("uuid")',
    'CREATE UNIQUE INDEX "inbound_message_message_id" ON "inbound_message" ("message_id")',
    'CREATE UNIQUE INDEX "inbound_message_sha256" ON "inbound_message" ("sha256")',
    'CREATE INDEX "inbound_message_received_at" ON "inbound_message" ("received_at")',
    'CREATE INDEX "inbound_message_sender" ON "inbound_message" ("sender")',
    'CREATE INDEX "inbound_message_case_id" ON "inbound_message" ("case_id")',
    'CREATE INDEX "inbound_message_state_received_at" ON "inbound_message" ("state", "received_at")',
    'ALTER TABLE "notifier_message" ADD COLUMN "bounced_at" DATETIME',
    'ALTER TABLE "notifier_message" ADD COLUMN "bounce_status" VARCHAR(20)',
]

POSTGRESQL = [
    'CREATE TABLE "inbound_message" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "message_id" VARCHAR(500), "sha256" VARCHAR(64) NOT NULL, "raw" BYTEA NOT NULL, "size" INTEGER NOT NULL, "envelope_sender" VARCHAR(320), "envelope_recipients" TEXT NOT NULL, "received_at" TIMESTAMP NOT NULL, "sender" VARCHAR(320), "subject" TEXT, "state" VARCHAR(12) NOT NULL, "claim_token" VARCHAR(32), "claimed_at" TIMESTAMP, "attempts" INTEGER NOT NULL, "outcome_state" VARCHAR(12), "outcome_reason" VARCHAR(60), "outcome_detail" TEXT, "case_id" INTEGER, "processed_at" TIMESTAMP, FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "inbound_message_uuid" ON "inbound_message" ("uuid")',
    'CREATE UNIQUE INDEX "inbound_message_message_id" ON "inbound_message" ("message_id")',
    'CREATE UNIQUE INDEX "inbound_message_sha256" ON "inbound_message" ("sha256")',
    'CREATE INDEX "inbound_message_received_at" ON "inbound_message" ("received_at")',
    'CREATE INDEX "inbound_message_sender" ON "inbound_message" ("sender")',
    'CREATE INDEX "inbound_message_case_id" ON "inbound_message" ("case_id")',
    'CREATE INDEX "inbound_message_state_received_at" ON "inbound_message" ("state", "received_at")',
    'ALTER TABLE "notifier_message" ADD COLUMN "bounced_at" TIMESTAMP',
    'ALTER TABLE "notifier_message" ADD COLUMN "bounce_status" VARCHAR(20)',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
