"""case_template.asks_asset: whether a template's form asks which of the account's products or assets the case
is about (the question moved from the proxy's contact step into the form, so it is asked once, by the form
that needs it). Existing templates keep asking, as they did before."""

from portal.db import run_statements

SQLITE = [
    'ALTER TABLE "case_template" ADD COLUMN "asks_asset" INTEGER NOT NULL DEFAULT 1',
]

POSTGRESQL = [
    'ALTER TABLE "case_template" ADD COLUMN "asks_asset" BOOLEAN NOT NULL DEFAULT TRUE',
]


def upgrade(db):
    run_statements(db, SQLITE, POSTGRESQL)
