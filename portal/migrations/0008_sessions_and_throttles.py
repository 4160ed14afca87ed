"""Create user_session and throttle_slot; drop login_failure and user.session_version.

Signed-in browsers become server-side sessions (user_session) that sign-out, "sign out everywhere",
a password change and the idle and absolute limits end; they replace the session_version counter
that was part of the cookie. Sign-in failures and account-mail requests are counted in throttle_slot,
which limits them without races; the old failure log (at most one throttling window of history) goes.
Everyone signs in again after this migration.
"""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "throttle_slot" ("id" INTEGER NOT NULL PRIMARY KEY, "scope_key" VARCHAR(300) NOT NULL, "slot" INTEGER NOT NULL, "used_at" DATETIME NOT NULL)',
    'CREATE INDEX "throttle_slot_used_at" ON "throttle_slot" ("used_at")',
    'CREATE UNIQUE INDEX "throttle_slot_scope_key_slot" ON "throttle_slot" ("scope_key", "slot")',
    'CREATE TABLE "user_session" ("id" INTEGER NOT NULL PRIMARY KEY, "token_hash" VARCHAR(64) NOT NULL, "user_id" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "last_seen_at" DATETIME NOT NULL, "revoked_at" DATETIME, "user_agent" VARCHAR(200) NOT NULL, "client_address" VARCHAR(64) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "user_session_token_hash" ON "user_session" ("token_hash")',
    'CREATE INDEX "user_session_user_id" ON "user_session" ("user_id")',
    'CREATE INDEX "user_session_last_seen_at" ON "user_session" ("last_seen_at")',
    'DROP TABLE "login_failure"',
    'ALTER TABLE "user" DROP COLUMN "session_version"',
]

POSTGRESQL = [
    'CREATE TABLE "throttle_slot" ("id" SERIAL NOT NULL PRIMARY KEY, "scope_key" VARCHAR(300) NOT NULL, "slot" INTEGER NOT NULL, "used_at" TIMESTAMP NOT NULL)',
    'CREATE INDEX "throttle_slot_used_at" ON "throttle_slot" ("used_at")',
    'CREATE UNIQUE INDEX "throttle_slot_scope_key_slot" ON "throttle_slot" ("scope_key", "slot")',
    'CREATE TABLE "user_session" ("id" SERIAL NOT NULL PRIMARY KEY, "token_hash" VARCHAR(64) NOT NULL, "user_id" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "last_seen_at" TIMESTAMP NOT NULL, "revoked_at" TIMESTAMP, "user_agent" VARCHAR(200) NOT NULL, "client_address" VARCHAR(64) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "user_session_token_hash" ON "user_session" ("token_hash")',
    'CREATE INDEX "user_session_user_id" ON "user_session" ("user_id")',
    'CREATE INDEX "user_session_last_seen_at" ON "user_session" ("last_seen_at")',
    'DROP TABLE "login_failure"',
    'ALTER TABLE "user" DROP COLUMN "session_version"',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
