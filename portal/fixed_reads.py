"""Reads whose SQL never changes shape, compiled to SQL once instead of on every request.

peewee turns a query object into SQL text on every execution: for the case page's joined reads that
cost more CPU than running them (issue 12). A FixedRead is written as an ordinary peewee query with
its parameters as arguments; the first call for each kind of database builds it once with marker
values, keeps the SQL text and where each argument goes among its parameters, and later calls only
put the arguments in and execute. The rows come back through the same query object's peewee
cursor wrapper, so callers get the model instances (joined ones attached) they would have got.

Arguments must be what the database receives as they are (ints and strs: ids, references), since
no field conversion runs on them. A query whose shape depends on an argument (an IN list of any
length, a condition only for some viewers) is not fixed: build one FixedRead per shape.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import peewee

from portal.db import database

# Marker values no real id or reference takes: negative ints and strings with a NUL in them.
_INT_MARKER = -7_301_917_000
_STR_MARKER = "\x00fixed-read-{}\x00"


class FixedRead:
    """build(*markers) returns the peewee query; calling the FixedRead with the real arguments (each
    an int or a str, in `kinds`' order: "int" or "str") runs the SQL compiled once per database kind."""

    def __init__(self, build: Callable[..., peewee.BaseQuery], *kinds: str):
        if any(kind not in ("int", "str") for kind in kinds):
            raise ValueError(f"argument kinds are 'int' or 'str', not {kinds!r}")
        self._build = build
        self._kinds = kinds
        self._compiled: dict[type, tuple] = {}
        # Per database kind: what peewee's cursor wrapper works out from the first execution's columns
        # (each column's model, field and converter, the join graph): the same for every execution.
        self._columns: dict[type, dict] = {}
        self._lock = threading.Lock()

    def _markers(self) -> list:
        return [_INT_MARKER - i if kind == "int" else _STR_MARKER.format(i) for i, kind in enumerate(self._kinds)]

    def _compile(self, kind: type) -> tuple:
        markers = self._markers()
        query = self._build(*markers)
        sql, params = database.get_sql_context().sql(query).query()
        slots = []  # for each parameter: the argument's index, or the constant itself (a LIMIT ...)
        for value in params:
            found = [i for i, marker in enumerate(markers) if type(value) is type(marker) and value == marker]
            slots.append(("arg", found[0]) if found else ("const", value))
        used = {slot[1] for slot in slots if slot[0] == "arg"}
        if used != set(range(len(markers))):
            raise ValueError("every argument of a FixedRead must reach the SQL as a parameter, unconverted")
        compiled = (query, sql, tuple(slots))
        with self._lock:
            self._compiled[kind] = compiled
        return compiled

    def _execute(self, args: tuple) -> tuple:
        if len(args) != len(self._kinds):
            raise TypeError(f"{len(self._kinds)} arguments expected, {len(args)} given")
        kind = type(database.obj)
        compiled = self._compiled.get(kind) or self._compile(kind)
        query, sql, slots = compiled
        params = tuple(args[where] if what == "arg" else where for what, where in slots)
        return kind, query, database.execute_sql(sql, params)

    def rows(self, *args):
        """The database's own rows (a DB-API cursor: tuples as the driver gives them, no field's
        conversion), for a caller that converts the few columns that need it itself."""
        return self._execute(args)[2]

    def cursor(self, *args) -> peewee.CursorWrapper:
        """The rows as peewee's cursor wrapper for this query (iterate it once)."""
        kind, query, raw = self._execute(args)
        wrapper = query._get_cursor_wrapper(raw)
        columns = self._columns.get(kind)
        if columns is None:
            # peewee's lazy initialize(), done now and remembered: for a read that joins ten models
            # it cost more than building the row's objects (issue 12)
            fresh = dict(vars(wrapper))
            wrapper.initialize()
            columns = {name: value for name, value in vars(wrapper).items()
                       if name not in fresh or fresh[name] is not value}
            with self._lock:
                self._columns[kind] = columns
        else:
            vars(wrapper).update(columns)
        wrapper.initialized = True
        return wrapper

    def __call__(self, *args) -> Iterator:
        return iter(self.cursor(*args))

    def list(self, *args) -> list:
        return list(self.cursor(*args))

    def first(self, *args):
        """The first row, or None."""
        return next(iter(self.cursor(*args)), None)
