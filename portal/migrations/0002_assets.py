"""Create asset."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "asset" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "account_id" INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "identifier" VARCHAR(100), "active" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "asset_uuid" ON "asset" ("uuid")',
    'CREATE INDEX "asset_account_id" ON "asset" ("account_id")',
    'CREATE UNIQUE INDEX "asset_account_id_identifier" ON "asset" ("account_id", "identifier")',
]

POSTGRESQL = [
    'CREATE TABLE "asset" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "account_id" INTEGER NOT NULL, "name" VARCHAR(200) NOT NULL, "identifier" VARCHAR(100), "active" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("account_id") REFERENCES "account" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "asset_uuid" ON "asset" ("uuid")',
    'CREATE INDEX "asset_account_id" ON "asset" ("account_id")',
    'CREATE UNIQUE INDEX "asset_account_id_identifier" ON "asset" ("account_id", "identifier")',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
