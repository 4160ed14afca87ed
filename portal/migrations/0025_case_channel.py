"""How a case came in: Case.channel (web, api or email; existing cases came in through the web portal)."""

from portal.db import run_statements

SQLITE = ['ALTER TABLE "case" ADD COLUMN "channel" VARCHAR(10) NOT NULL DEFAULT \'web\'']
POSTGRESQL = ['ALTER TABLE "case" ADD COLUMN "channel" VARCHAR(10) NOT NULL DEFAULT \'web\'']


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
