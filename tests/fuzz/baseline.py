"""Proof that a request changed nothing, and a way back when it changed something: a snapshot of
every table (row count and a hash of the rows), and a Baseline that restores the rows it saved."""

from __future__ import annotations

import hashlib

from portal.db import database, is_postgres

# Rows a refused request may legitimately write: the record of the refusal itself. They are still
# restored between walked requests, so one refusal never throttles the next.
BOOKKEEPING_TABLES = {
    "throttle_slot": "a refused sign-in or account-mail request takes a throttle slot, so that guessing slows down",
    "user_session": "a request refreshes its session's last-seen time (at most once a minute)",
}
_FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")


def _tables(db) -> dict[str, str]:
    """Table name -> the SELECT that reads all of it (with the rowid of SQLite's FTS tables, whose
    internal shadow tables are left out: the virtual table's rows are what they index)."""
    if is_postgres(db):
        return {t: f'SELECT * FROM "{t}"' for t in db.get_tables()}  # noqa: S608 - names from the catalogue
    virtual = {name for (name,) in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")}
    tables = {}
    for name in db.get_tables():
        if name.startswith("sqlite_") or any(name == v + suffix for v in virtual for suffix in _FTS_SHADOWS):
            continue
        tables[name] = f'SELECT {"rowid, " if name in virtual else ""}* FROM "{name}"'  # noqa: S608
    return tables


def _read(db, query: str) -> tuple[list[str], list[tuple]]:
    cursor = db.execute_sql(query)
    return [c[0] for c in cursor.description], [tuple(row) for row in cursor.fetchall()]


def _digest(rows: list[tuple]) -> str:
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()


def snapshot(db=None) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row, by table."""
    db = db or database
    return {table: (len(rows), _digest(rows)) for table, (_, rows) in
            ((table, _read(db, query)) for table, query in sorted(_tables(db).items()))}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


def data_tables(tables: list[str]) -> list[str]:
    """The tables that hold data, not the bookkeeping of requests (which a refusal may write)."""
    return [t for t in tables if t not in BOOKKEEPING_TABLES]


class Baseline:
    """The database as it was, to compare with and to go back to: every walked request then meets
    the same world, so one request's success (escalating the case away, retiring the template)
    cannot stop the next from reaching its view, nor a count of refusals throttle the next."""

    def __init__(self, db=None):
        self.db = db or database
        self.rows = {t: _read(self.db, q) for t, q in _tables(self.db).items()}
        self.state = {t: (len(rows), _digest(rows)) for t, (_, rows) in self.rows.items()}

    def changed(self) -> list[str]:
        """Every table whose rows differ from the baseline's, bookkeeping included."""
        return changed_tables(self.state, snapshot(self.db))

    def restore(self, tables: list[str]) -> None:
        """Put the rows of tables back as they were. Foreign keys are off meanwhile (no cascades),
        as in conftest's reset between tests."""
        db = self.db
        sqlite = not is_postgres(db)
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = OFF")  # only outside a transaction
        try:
            with db.atomic():
                if not sqlite:
                    db.execute_sql("SET LOCAL session_replication_role = replica")
                # The configuration stamp last: on SQLite, putting configuration rows back fires the triggers that
                # change it (migration 0033), and the baseline's rows are what its stamp names.
                for table in sorted(tables, key=lambda t: t == "configuration_version"):
                    db.execute_sql(f'DELETE FROM "{table}"')  # noqa: S608
                    columns, rows = self.rows[table]
                    if rows:
                        names = ", ".join(f'"{c}"' for c in columns)
                        marks = ", ".join([db.param] * len(columns))
                        db.cursor().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)  # noqa: S608
        finally:
            if sqlite:
                db.execute_sql("PRAGMA foreign_keys = ON")


def refused(response, flashes) -> bool:
    """A refusal: an error status, or a redirect that carries an error message."""
    return response.status_code >= 400 or any(category == "error" for category, _ in flashes)


def pop_flashes(client) -> list:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])
