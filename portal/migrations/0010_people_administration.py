"""People administration: the user_change audit log, and user.invited_at.

Admins invite staff (and account managers their colleagues) with a single-use link; until the invitee
accepts it, user.invited_at is set and the address is unverified. Every change an admin makes to a
user is a user_change row (who, when, old and new value).
"""

from portal.db import run_statements

SQLITE = [
    'CREATE TABLE "user_change" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "user_id" INTEGER NOT NULL, "actor_id" INTEGER, "action" VARCHAR(40) NOT NULL, "old_value" TEXT, "new_value" TEXT, "created_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "user_change_uuid" ON "user_change" ("uuid")',
    'CREATE INDEX "user_change_user_id" ON "user_change" ("user_id")',
    'CREATE INDEX "user_change_actor_id" ON "user_change" ("actor_id")',
    'CREATE INDEX "user_change_created_at" ON "user_change" ("created_at")',
    'ALTER TABLE "user" ADD COLUMN "invited_at" DATETIME',
]

POSTGRESQL = [
    'CREATE TABLE "user_change" ("id" SERIAL NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "user_id" INTEGER NOT NULL, "actor_id" INTEGER, "action" VARCHAR(40) NOT NULL, "old_value" TEXT, "new_value" TEXT, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("actor_id") REFERENCES "user" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "user_change_uuid" ON "user_change" ("uuid")',
    'CREATE INDEX "user_change_user_id" ON "user_change" ("user_id")',
    'CREATE INDEX "user_change_actor_id" ON "user_change" ("actor_id")',
    'CREATE INDEX "user_change_created_at" ON "user_change" ("created_at")',
    'ALTER TABLE "user" ADD COLUMN "invited_at" TIMESTAMP',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
