"""passkey and passkey_challenge: WebAuthn credentials (portal/passkeys) and the single-use
challenges of registrations and passkey sign-ins under way."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "passkey" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "user_id" INTEGER NOT NULL, "credential_id" VARCHAR(1400) NOT NULL, "public_key" TEXT NOT NULL, "sign_count" INTEGER NOT NULL, "transports" TEXT NOT NULL, "name" VARCHAR(60) NOT NULL, "created_at" DATETIME NOT NULL, "last_used_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "passkey_uuid" ON "passkey" ("uuid")',
    'CREATE INDEX "passkey_user_id" ON "passkey" ("user_id")',
    'CREATE UNIQUE INDEX "passkey_credential_id" ON "passkey" ("credential_id")',
    'CREATE TABLE "passkey_challenge" ("id" INTEGER NOT NULL PRIMARY KEY, "challenge_hash" VARCHAR(64) NOT NULL, "purpose" VARCHAR(20) NOT NULL, "user_id" INTEGER, "created_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "passkey_challenge_challenge_hash" ON "passkey_challenge" ("challenge_hash")',
    'CREATE INDEX "passkey_challenge_user_id" ON "passkey_challenge" ("user_id")',
    'CREATE INDEX "passkey_challenge_created_at" ON "passkey_challenge" ("created_at")',
]

POSTGRESQL = [
    'CREATE TABLE "passkey" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "user_id" INTEGER NOT NULL, "credential_id" VARCHAR(1400) NOT NULL, "public_key" TEXT NOT NULL, "sign_count" BIGINT NOT NULL, "transports" TEXT NOT NULL, "name" VARCHAR(60) NOT NULL, "created_at" TIMESTAMP NOT NULL, "last_used_at" TIMESTAMP, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "passkey_uuid" ON "passkey" ("uuid")',
    'CREATE INDEX "passkey_user_id" ON "passkey" ("user_id")',
    'CREATE UNIQUE INDEX "passkey_credential_id" ON "passkey" ("credential_id")',
    'CREATE TABLE "passkey_challenge" ("id" SERIAL NOT NULL PRIMARY KEY, "challenge_hash" VARCHAR(64) NOT NULL, "purpose" VARCHAR(20) NOT NULL, "user_id" INTEGER, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "passkey_challenge_challenge_hash" ON "passkey_challenge" ("challenge_hash")',
    'CREATE INDEX "passkey_challenge_user_id" ON "passkey_challenge" ("user_id")',
    'CREATE INDEX "passkey_challenge_created_at" ON "passkey_challenge" ("created_at")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
