"""sso_identity and sso_login: single sign-on with OpenID Connect (portal/sso).

sso_identity links (issuer, subject) at an identity provider to a user, uniquely; sso_login keeps each
sign-in under way on the server (state, nonce, PKCE verifier; single use) and, once it signed someone
in, the ID token for RP-initiated logout. Users who sign in only with a provider have no password:
user.password_hash is then "" (NO_PASSWORD), the one marker for "no password", which pending
invitations ("!invited" until now) take too.
"""

from portal.db import run_statements

NO_PASSWORD_FOR_INVITEES = """UPDATE "user" SET "password_hash" = '' WHERE "password_hash" = '!invited'"""  # noqa: S105

SQLITE = [
    'CREATE TABLE "sso_identity" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "issuer" VARCHAR(500) NOT NULL, "subject" VARCHAR(255) NOT NULL, "provider" VARCHAR(40) NOT NULL, "email" VARCHAR(254), "created_at" DATETIME NOT NULL, "last_used_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "sso_identity_user_id" ON "sso_identity" ("user_id")',
    'CREATE UNIQUE INDEX "sso_identity_issuer_subject" ON "sso_identity" ("issuer", "subject")',
    'CREATE TABLE "sso_login" ("id" INTEGER NOT NULL PRIMARY KEY, "state_hash" VARCHAR(64) NOT NULL, "provider" VARCHAR(40) NOT NULL, "nonce" VARCHAR(100) NOT NULL, "code_verifier" VARCHAR(128) NOT NULL, "next_url" VARCHAR(500) NOT NULL, "created_at" DATETIME NOT NULL, "used_at" DATETIME, "user_id" INTEGER, "id_token" TEXT, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "sso_login_state_hash" ON "sso_login" ("state_hash")',
    'CREATE INDEX "sso_login_created_at" ON "sso_login" ("created_at")',
    'CREATE INDEX "sso_login_user_id" ON "sso_login" ("user_id")',
    NO_PASSWORD_FOR_INVITEES,
]

POSTGRESQL = [
    'CREATE TABLE "sso_identity" ("id" SERIAL NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "issuer" VARCHAR(500) NOT NULL, "subject" VARCHAR(255) NOT NULL, "provider" VARCHAR(40) NOT NULL, "email" VARCHAR(254), "created_at" TIMESTAMP NOT NULL, "last_used_at" TIMESTAMP, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "sso_identity_user_id" ON "sso_identity" ("user_id")',
    'CREATE UNIQUE INDEX "sso_identity_issuer_subject" ON "sso_identity" ("issuer", "subject")',
    'CREATE TABLE "sso_login" ("id" SERIAL NOT NULL PRIMARY KEY, "state_hash" VARCHAR(64) NOT NULL, "provider" VARCHAR(40) NOT NULL, "nonce" VARCHAR(100) NOT NULL, "code_verifier" VARCHAR(128) NOT NULL, "next_url" VARCHAR(500) NOT NULL, "created_at" TIMESTAMP NOT NULL, "used_at" TIMESTAMP, "user_id" INTEGER, "id_token" TEXT, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "sso_login_state_hash" ON "sso_login" ("state_hash")',
    'CREATE INDEX "sso_login_created_at" ON "sso_login" ("created_at")',
    'CREATE INDEX "sso_login_user_id" ON "sso_login" ("user_id")',
    NO_PASSWORD_FOR_INVITEES,
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
