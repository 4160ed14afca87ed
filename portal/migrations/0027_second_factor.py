"""totp_factor, recovery_code and remembered_device: a second factor for signing in (portal/mfa).

totp_factor holds one confirmed authenticator secret per user and the time step of the last code
accepted (no code works twice); recovery_code the hashes of single-use recovery codes;
remembered_device the hashed tokens of browsers that may skip the second factor until they expire.
"""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "recovery_code" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "code_hash" VARCHAR(64) NOT NULL, "created_at" DATETIME NOT NULL, "used_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "recovery_code_user_id_code_hash" ON "recovery_code" ("user_id", "code_hash")',
    'CREATE TABLE "remembered_device" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "user_id" INTEGER NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "label" VARCHAR(200) NOT NULL, "created_at" DATETIME NOT NULL, "last_used_at" DATETIME NOT NULL, "expires_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "remembered_device_uuid" ON "remembered_device" ("uuid")',
    'CREATE INDEX "remembered_device_user_id" ON "remembered_device" ("user_id")',
    'CREATE UNIQUE INDEX "remembered_device_token_hash" ON "remembered_device" ("token_hash")',
    'CREATE INDEX "remembered_device_expires_at" ON "remembered_device" ("expires_at")',
    'CREATE TABLE "totp_factor" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "secret" VARCHAR(64) NOT NULL, "confirmed_at" DATETIME NOT NULL, "last_used_step" INTEGER NOT NULL, "last_used_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "totp_factor_user_id" ON "totp_factor" ("user_id")',
]

POSTGRESQL = [
    'CREATE TABLE "recovery_code" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "code_hash" VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT NULL, "used_at" TIMESTAMP, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "recovery_code_user_id_code_hash" ON "recovery_code" ("user_id", "code_hash")',
    'CREATE TABLE "remembered_device" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "user_id" INTEGER NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "label" VARCHAR(200) NOT NULL, "created_at" TIMESTAMP NOT NULL, "last_used_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "remembered_device_uuid" ON "remembered_device" ("uuid")',
    'CREATE INDEX "remembered_device_user_id" ON "remembered_device" ("user_id")',
    'CREATE UNIQUE INDEX "remembered_device_token_hash" ON "remembered_device" ("token_hash")',
    'CREATE INDEX "remembered_device_expires_at" ON "remembered_device" ("expires_at")',
    'CREATE TABLE "totp_factor" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "secret" VARCHAR(64) NOT NULL, "confirmed_at" TIMESTAMP NOT NULL, "last_used_step" BIGINT NOT NULL, "last_used_at" TIMESTAMP, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "totp_factor_user_id" ON "totp_factor" ("user_id")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)

