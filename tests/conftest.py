"""Shared fixtures: a fresh real database per test (a SQLite file, or a PostgreSQL schema when
DATABASE_URL points to PostgreSQL), and the app, client and users built on it."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from argon2.profiles import CHEAPEST

from portal import passwords
from portal.db import connect

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
