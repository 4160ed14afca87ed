"""api_token and api_idempotency: bearer tokens for the JSON API (hashed, scoped, expiring, revocable) and the
answers kept for Idempotency-Key retries."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "api_idempotency" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key" VARCHAR(255) NOT NULL, "fingerprint" VARCHAR(64) NOT NULL, "status" INTEGER, "body" TEXT, "headers" TEXT, "created_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "api_idempotency_created_at" ON "api_idempotency" ("created_at")',
    'CREATE UNIQUE INDEX "api_idempotency_user_id_key" ON "api_idempotency" ("user_id", "key")',
    'CREATE TABLE "api_token" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "user_id" INTEGER NOT NULL, "name" VARCHAR(100) NOT NULL, "prefix" VARCHAR(16) NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "scopes" TEXT NOT NULL, "created_by_id" INTEGER, "created_at" DATETIME NOT NULL, "expires_at" DATETIME NOT NULL, "last_used_at" DATETIME, "revoked_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "api_token_uuid" ON "api_token" ("uuid")',
    'CREATE INDEX "api_token_user_id" ON "api_token" ("user_id")',
    'CREATE UNIQUE INDEX "api_token_token_hash" ON "api_token" ("token_hash")',
    'CREATE INDEX "api_token_created_by_id" ON "api_token" ("created_by_id")',
]

POSTGRESQL = [
    'CREATE TABLE "api_idempotency" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "key" VARCHAR(255) NOT NULL, "fingerprint" VARCHAR(64) NOT NULL, "status" INTEGER, "body" TEXT, "headers" TEXT, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "api_idempotency_created_at" ON "api_idempotency" ("created_at")',
    'CREATE UNIQUE INDEX "api_idempotency_user_id_key" ON "api_idempotency" ("user_id", "key")',
    'CREATE TABLE "api_token" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "user_id" INTEGER NOT NULL, "name" VARCHAR(100) NOT NULL, "prefix" VARCHAR(16) NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "scopes" TEXT NOT NULL, "created_by_id" INTEGER, "created_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, "last_used_at" TIMESTAMP, "revoked_at" TIMESTAMP, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("created_by_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "api_token_uuid" ON "api_token" ("uuid")',
    'CREATE INDEX "api_token_user_id" ON "api_token" ("user_id")',
    'CREATE UNIQUE INDEX "api_token_token_hash" ON "api_token" ("token_hash")',
    'CREATE INDEX "api_token_created_by_id" ON "api_token" ("created_by_id")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
