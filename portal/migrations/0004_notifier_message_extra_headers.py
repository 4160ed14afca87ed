"""Add notifier_message.extra_headers: extra email headers stored with a message (List-Unsubscribe).

Written by hand with playhouse.migrate: a column added to an existing table, not a new table. The
field is spelled out here (not taken from the model) so later model changes cannot alter it.
"""

import peewee
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from portal.db import is_postgres


def upgrade(db):
    migrator = PostgresqlMigrator(db) if is_postgres(db) else SqliteMigrator(db)
    migrate(migrator.add_column("notifier_message", "extra_headers", peewee.TextField(null=True)))
