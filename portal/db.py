"""Database connection, the shared DatabaseProxy and the schema migrations runner.

One URL setting chooses the backend:
    sqlite:///relative/path.db   sqlite:////absolute/path.db
    postgresql://user:password@host:port/dbname?option=value
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Iterable
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee
from playhouse.pool import PooledPostgresqlDatabase

_transactions_opened: ContextVar[int] = ContextVar("caseport_transactions_opened", default=0)


class _CountingProxy(peewee.DatabaseProxy):
    """The proxy every model uses; it counts the transactions opened through it in this thread/context, so a
    value remembered for a request (portal.config_cache's configuration stamp) can tell that a write may have
    happened since."""

    def atomic(self, *args, **kwargs):
        _transactions_opened.set(_transactions_opened.get() + 1)
        return super().atomic(*args, **kwargs)

    def transaction(self, *args, **kwargs):
        _transactions_opened.set(_transactions_opened.get() + 1)
        return super().transaction(*args, **kwargs)


def transactions_opened() -> int:
    """How many transactions (or savepoints) this thread/context opened through `database` so far."""
    return _transactions_opened.get()


database = _CountingProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # Writers queue for SQLite's one write lock; under a burst of submissions a wait of a few seconds
    # is far better than refusing what someone sent.
    "busy_timeout": 15000,
    "synchronous": "normal",
    "cache_size": -16000,
}


class DatabaseURLError(ValueError):
    pass


def connect(url: str) -> peewee.Database:
    """Build (not open) a peewee Database for a DATABASE_URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc:
            raise DatabaseURLError("SQLite URLs look like sqlite:///relative.db or sqlite:////absolute.db")
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise DatabaseURLError("the SQLite URL names no file")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Every transaction takes the write lock when it begins (BEGIN IMMEDIATE). A deferred
        # transaction that reads and then writes fails at once with "database is locked" when
        # another connection committed in between: busy_timeout cannot rescue it. Waiting for the
        # lock up front serialises writers, which SQLite does anyway.
        return peewee.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=15, lock_type="IMMEDIATE")
    if scheme in ("postgres", "postgresql"):
        options: dict[str, object] = dict(parse_qsl(parts.query))
        max_connections = int(options.pop("max_connections", 20))
        return PostgresPool(
            unquote(parts.path.lstrip("/")),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname or None,
            port=parts.port or None,
            max_connections=max_connections,
            stale_timeout=300,
            timeout=10,
            **options,
        )
    raise DatabaseURLError(f"unsupported database URL scheme {parts.scheme!r}: use sqlite or postgresql")


class PostgresPool(PooledPostgresqlDatabase):
    """peewee's PostgreSQL pool, without a round trip on every checkout for a connection that was in use
    a moment ago.

    The pool checks a connection before handing it out: its local status, then `SELECT 1` to the
    server, since only a round trip tells whether the server still holds it. Every web request checks
    one out, so that was one statement more on every page (and a third of the pool's CPU). A
    connection checked in less than RECHECK_AFTER seconds ago is taken on its local status alone;
    one that waited longer (through an outage, a server restart, an idle timeout) is still asked. If a
    server dies within that second, the request using such a connection fails like any request
    during an outage (portal/outage.py: the 503 page) and the broken connection is closed when it
    is checked in, so the next request opens a new one."""

    RECHECK_AFTER = 1.0  # seconds

    def __init__(self, *args, **kwargs):
        self._checked_in: dict[int, float] = {}
        super().__init__(*args, **kwargs)

    def _is_closed(self, conn):
        if conn.closed:
            return True
        checked_in = self._checked_in.get(self.conn_key(conn))
        if checked_in is None or time.monotonic() - checked_in >= self.RECHECK_AFTER:
            return super()._is_closed(conn)
        status = self._adapter.txn_status(conn)
        if status == self._adapter.txn_unknown:
            return True
        if status != self._adapter.txn_idle:  # as the pool does: no transaction is handed on
            try:
                self._adapter.rollback(conn)
            except Exception:  # noqa: BLE001 -- a connection that cannot roll back is not handed out
                return True
        return False

    def _close(self, conn, close_conn=False):
        self._checked_in[self.conn_key(conn)] = time.monotonic()
        super()._close(conn, close_conn=close_conn)

    def _close_raw(self, conn):
        self._checked_in.pop(self.conn_key(conn), None)
        super()._close_raw(conn)


def end_request(db: peewee.Database) -> None:
    """After a web request: no transaction outlives it. A SQLite connection stays open for the
    worker thread's next request (opening one costs its pragmas, a schema read and an empty statement
    cache on every request); a pooled PostgreSQL connection goes back to the pool."""
    if db.is_closed():
        return
    raw = db.connection()
    leaked = db.in_transaction() or getattr(raw, "in_transaction", False)
    if leaked:
        # Only a bug leaves one open (every transaction is a `with db.atomic()`): undo it and start over.
        raw.rollback()
        db._state.transactions.clear()
    if leaked or not isinstance(db, peewee.SqliteDatabase):
        db.close()


def is_postgres(db: peewee.Database) -> bool:
    db = db.obj if isinstance(db, peewee.DatabaseProxy) else db
    return isinstance(db, peewee.PostgresqlDatabase)


# --- migrations ---------------------------------------------------------------------------------
#
# Each module portal/migrations/NNNN_name.py defines upgrade(db). New tables are written as frozen
# DDL for both backends (generated by `caseport db makemigration`), so a later model change can never
# alter what an old migration does; column changes use playhouse.migrate by hand.


class SchemaMigration(peewee.Model):
    name = peewee.CharField(max_length=200, primary_key=True)
    applied_at = peewee.CharField(max_length=40)

    class Meta:
        database = database
        table_name = "schema_migration"


def migration_names() -> list[str]:
    import portal.migrations as package

    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name[:4].isdigit())


def applied_migrations(db: peewee.Database) -> set[str]:
    if not db.table_exists("schema_migration"):
        return set()
    return {row[0] for row in db.execute_sql("SELECT name FROM schema_migration")}


def upgrade(db: peewee.Database, log=None) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction. Returns the names applied."""
    from portal.clock import utcnow

    with SchemaMigration.bind_ctx(db):
        db.create_tables([SchemaMigration], safe=True)
        done = applied_migrations(db)
        applied = []
        for name in migration_names():
            if name in done:
                continue
            module = importlib.import_module(f"portal.migrations.{name}")
            with db.atomic():
                module.upgrade(db)
                SchemaMigration.create(name=name, applied_at=utcnow().isoformat())
            applied.append(name)
            if log:
                log(f"applied {name}")
        return applied


def run_statements(db: peewee.Database, sqlite: Iterable[str], postgresql: Iterable[str]) -> None:
    for statement in postgresql if is_postgres(db) else sqlite:
        db.execute_sql(statement)


def create_statements(models: Iterable[type[peewee.Model]], db: peewee.Database) -> list[str]:
    """The CREATE TABLE / CREATE INDEX statements peewee would run for models on db's backend."""
    statements = []
    for model in peewee.sort_models(list(models)):
        with model.bind_ctx(db, bind_refs=False, bind_backrefs=False):
            queries = [model._schema._create_table(safe=False), *model._schema._create_indexes(safe=False)]
            for query in queries:
                sql, params = db.get_sql_context().sql(query).query()
                assert not params, "DDL must not take parameters"
                statements.append(sql)
    return statements


def render_migration(title: str, models: list[type[peewee.Model]]) -> str:
    """Source of a migration module that creates the given models' tables, frozen for both backends."""
    sqlite = create_statements(models, peewee.SqliteDatabase(None))
    postgresql = create_statements(models, peewee.PostgresqlDatabase(None))

    def block(name, statements):
        body = "".join(f"    {s!r},\n" for s in statements)
        return f"{name} = [\n{body}]\n"

    return (
        f'"""{title}"""\n\n'
        "from portal.db import run_statements\n\n"
        f"{block('SQLITE', sqlite)}\n{block('POSTGRESQL', postgresql)}\n\n"
        "def upgrade(db):\n"
        "    run_statements(db, SQLITE, POSTGRESQL)\n"
    )


def missing_models(db: peewee.Database, models: Iterable[type[peewee.Model]]) -> list[type[peewee.Model]]:
    tables = set(db.get_tables())
    return [m for m in models if m._meta.table_name not in tables]


def bind(db: peewee.Database) -> None:
    """Point the portal's and the notifier's models at db."""
    import notifier

    database.initialize(db)
    notifier.bind_database(db)
