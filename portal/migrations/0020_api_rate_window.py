"""api_rate_window: each API token's request count in the current minute, so the per-token rate limit holds
across every web worker (one conditional upsert per request)."""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "api_rate_window" ("token_id" INTEGER NOT NULL PRIMARY KEY, "minute" INTEGER NOT NULL, "requests" INTEGER NOT NULL, "writes" INTEGER NOT NULL, FOREIGN KEY ("token_id") REFERENCES "api_token" ("id") ON DELETE CASCADE)',
]

POSTGRESQL = [
    'CREATE TABLE "api_rate_window" ("token_id" INTEGER NOT NULL PRIMARY KEY, "minute" BIGINT NOT NULL, "requests" INTEGER NOT NULL, "writes" INTEGER NOT NULL, FOREIGN KEY ("token_id") REFERENCES "api_token" ("id") ON DELETE CASCADE)',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
