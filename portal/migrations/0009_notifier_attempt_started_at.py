"""Add notifier_message.attempt_started_at: marks an attempt under way, so an attempt is counted when
it is made (not when the row is claimed) and a worker lost mid-send leaves "outcome unknown" behind.

Written by hand with playhouse.migrate; the field is spelled out so later model changes cannot alter it.
"""

from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from notifier.fields import UTCDateTimeField
from portal.db import is_postgres


def upgrade(db):
    migrator = PostgresqlMigrator(db) if is_postgres(db) else SqliteMigrator(db)
    migrate(migrator.add_column("notifier_message", "attempt_started_at", UTCDateTimeField(null=True)))
