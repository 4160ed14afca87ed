"""Shared fixtures: a fresh real database per test (a SQLite file, or a PostgreSQL schema when
DATABASE_URL points to PostgreSQL), and the app, client and users built on it."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from argon2.profiles import CHEAPEST

from portal import passwords
from portal.catalogues import compile_catalogues
from portal.db import connect

# The catalogues are compiled at build time; a checkout's tests read its .po files as they are now.
compile_catalogues()

# Hashing at production cost would make every test that creates a user take ~50 ms more.
passwords.use_parameters(CHEAPEST)

pytest_plugins = ["tests.fixtures"]


def _postgres_base_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in ("postgres", "postgresql") else None


@contextmanager
def fresh_database_url(tmp_path, name: str = "caseport"):
    """A URL to an empty database that lives until the block ends."""
    base = _postgres_base_url()
    if base is None:
        yield f"sqlite:///{tmp_path}/{name}.db"
        return
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    conninfo = base.split("?", 1)[0]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def database_url(tmp_path):
    """A URL to an empty database that exists for this test only."""
    with fresh_database_url(tmp_path) as url:
        yield url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}", query="").geturl()


def _admin_connection(base: str):
    import psycopg

    return psycopg.connect(base.split("?", 1)[0], autocommit=True)


@pytest.fixture(scope="session")
def prepared_template_url(tmp_path_factory):
    """A database migrated and seeded once per test session (system statuses, default message templates).

    Each test then starts from that state (prepared_database_url): on SQLite by copying the file, on
    PostgreSQL by emptying the tables and restoring the seeded rows from a snapshot schema. Both are
    far cheaper than running every migration and validating every default template for each test.
    """
    from portal import create_app
    from portal.bootstrap import prepare_database

    base = _postgres_base_url()
    folder = tmp_path_factory.mktemp("template")
    if base is None:
        url = f"sqlite:///{folder}/template.db"
    else:
        name = f"caseport_tpl_{os.getpid()}"
        with _admin_connection(base) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = _with_database(base, name)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "x" * 40})
    prepare_database(app)
    db = app.extensions["caseport_db"]
    if base is None:
        with db.connection_context():
            db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        db.close_all()
        _snapshot_seed(url)
    yield url
    if base is not None:
        with _admin_connection(base) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _snapshot_seed(url: str) -> None:
    with _admin_connection(url) as conn:
        conn.execute("CREATE SCHEMA seed")
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall():
            conn.execute(f'CREATE TABLE seed."{table}" AS SELECT * FROM public."{table}"')


def _reset_to_seed(url: str) -> None:
    """Empty every table, then put the seeded rows back, in one round trip.

    DELETE, not TRUNCATE: on tables this small it is some twenty times faster. Foreign-key triggers
    are off for this transaction only (session_replication_role), so the order does not matter; the
    sequences only ever move forward, so the restored ids never collide with new ones. The script is
    written once per session (the prepared database's tables do not change) and sent as one simple
    query: some 140 statements one by one took a third more time, in every PostgreSQL test.
    """
    with _admin_connection(url) as conn:
        script = _RESET_SCRIPTS.get(url)
        if script is None:
            tables = {schema: [name for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (schema,))]
                for schema in ("public", "seed")}
            script = _RESET_SCRIPTS[url] = ";\n".join([
                "SET lock_timeout = '10s'",  # a leaked connection fails loudly instead of hanging
                "BEGIN",
                "SET LOCAL session_replication_role = replica",
                *(f'DELETE FROM public."{table}"' for table in tables["public"]),
                *(f'INSERT INTO public."{table}" SELECT * FROM seed."{table}"' for table in tables["seed"]),
                "COMMIT",
            ])
        conn.execute(script)


_RESET_SCRIPTS: dict[str, str] = {}


@pytest.fixture
def prepared_database_url(prepared_template_url, tmp_path):
    """A URL to a migrated and seeded database for this test alone."""
    if _postgres_base_url() is None:
        source = urlsplit(prepared_template_url).path[1:]
        target = tmp_path / "caseport.db"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    _reset_to_seed(prepared_template_url)
    return prepared_template_url


@pytest.fixture
def empty_database(database_url):
    """A peewee Database (not bound to any model) on a fresh, empty database."""
    db = connect(database_url)
    db.connect()
    yield db
    if not db.is_closed():
        db.close()
    if hasattr(db, "close_all"):
        db.close_all()


@pytest.fixture
def on_postgres() -> bool:
    return _postgres_base_url() is not None


def pytest_collection_modifyitems(session, config, items):
    """Every test has its own id: pytest-xdist (the README's test command) schedules tests by id, so of
    two tests with one id only one would run."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.nodeid] = counts.get(item.nodeid, 0) + 1
    duplicated = sorted(nodeid for nodeid, count in counts.items() if count > 1)
    if duplicated:
        raise pytest.UsageError("tests share an id, so only one of them would run in parallel: "
                                + ", ".join(duplicated))
