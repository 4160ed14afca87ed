"""The database layer: URLs, pragmas, and migrations that build exactly the models' schema."""

import pytest

from portal.db import DatabaseURLError, connect, is_postgres, migration_names, upgrade
from portal.models import all_models
from tests.conftest import fresh_database_url

# The case search index (portal/cases/queries/search.py) is hand-written DDL no peewee model declares: FTS5
# virtual tables and their shadow tables on SQLite, a tsvector table on PostgreSQL.
SEARCH_TABLES = ("case_search", "case_search_public", "case_search_staff")


def is_search_table(table: str) -> bool:
    return table in SEARCH_TABLES or table.startswith(("case_search_public_", "case_search_staff_"))


def schema_of(db):
    """Tables with their columns (name, type, nullable, primary key), indexes and foreign keys."""
    schema = {}
    for table in sorted(db.get_tables()):
        if table == "schema_migration" or is_search_table(table):
            continue
        columns = sorted((c.name, c.data_type.lower(), c.null, c.primary_key) for c in db.get_columns(table))
        indexes = sorted((tuple(i.columns), i.unique) for i in db.get_indexes(table))
        keys = sorted((k.column, k.dest_table, k.dest_column) for k in db.get_foreign_keys(table))
        schema[table] = (columns, indexes, keys)
    return schema


def test_applying_every_migration_gives_the_schema_the_models_declare(tmp_path):
    with fresh_database_url(tmp_path, "migrated") as migrated_url, fresh_database_url(tmp_path, "models") as models_url:
        migrated, declared = connect(migrated_url), connect(models_url)
        try:
            assert upgrade(migrated) == migration_names()
            with declared.bind_ctx(all_models()):
                declared.create_tables(all_models())
            assert schema_of(migrated) == schema_of(declared)
        finally:
            migrated.close()
            declared.close()
            for db in (migrated, declared):
                if hasattr(db, "close_all"):
                    db.close_all()


def test_upgrading_twice_applies_nothing_the_second_time(empty_database):
    upgrade(empty_database)
    assert upgrade(empty_database) == []


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    db = connect(f"sqlite:///{tmp_path}/x.db")
    db.connect()
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 15000
    db.close()


def test_postgres_urls_give_a_postgres_database():
    db = connect("postgresql://user:secret@127.0.0.1:5432/caseport?max_connections=5")
    assert is_postgres(db)
    assert db.database == "caseport" and db.connect_params["host"] == "127.0.0.1"


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://host/x.db", "sqlite:///", "nonsense"])
def test_unsupported_database_urls_are_refused_with_a_reason(url):
    with pytest.raises(DatabaseURLError):
        connect(url)
