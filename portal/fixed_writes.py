"""Inserts of a model row whose SQL is built once, the write side of portal.fixed_reads (issue 12).

`instance.save(force_insert=True)` and `Model.create(...)` have peewee build an INSERT query object and turn it
into SQL text on every call: for the case row (some fifty columns) that cost more CPU in a submission than
running it, inside SQLite's write lock. insert_row(instance) writes what save(force_insert=True) would (the
columns the instance holds values for, each converted by its field's db_value, the primary key read back the same
way), from SQL kept per (database kind, model, set of columns).
"""

from __future__ import annotations

import threading

import peewee

from portal.db import database

_compiled: dict[tuple, str] = {}
_lock = threading.Lock()


def _sql(model: type[peewee.Model], names: tuple[str, ...]) -> str:
    db = database.obj
    key = (type(db), model, names)
    sql = _compiled.get(key)
    if sql is None:
        fields = model._meta.fields

        def quoted(name: str) -> str:
            return f"{db.quote[0]}{name}{db.quote[1]}"

        columns = ", ".join(quoted(fields[name].column_name) for name in names)
        marks = ", ".join([db.param] * len(names))
        sql = f"INSERT INTO {quoted(model._meta.table_name)} ({columns}) VALUES ({marks})"  # noqa: S608 - model names
        primary_key = model._meta.primary_key
        if db.returning_clause and primary_key is not False:
            sql += f" RETURNING {quoted(primary_key.column_name)}"
        with _lock:
            _compiled[key] = sql
    return sql


def insert_row(instance: peewee.Model) -> peewee.Model:
    """Insert instance as save(force_insert=True) does and return it with its primary key set. For models with
    an auto-incrementing key and no unsaved related instances (their ids must be set already)."""
    meta = instance._meta
    primary_key = meta.primary_key
    data = dict(instance.__data__)
    if meta.auto_increment and instance._pk is None:
        data.pop(primary_key.name, None)
    for ref in meta.refs:  # as save(): a related instance assigned before it had an id
        if ref.name in data and data[ref.name] is None and instance.__rel__.get(ref.name) is not None:
            setattr(instance, ref.name, instance.__rel__[ref.name])
            data[ref.name] = instance.__data__[ref.name]
    names = tuple(data)
    fields = meta.fields
    params = tuple(fields[name].db_value(data[name]) for name in names)
    cursor = database.execute_sql(_sql(type(instance), names), params)
    if meta.auto_increment and instance._pk is None:
        instance._pk = cursor.fetchone()[0] if database.obj.returning_clause else cursor.lastrowid
    instance._dirty.clear()
    return instance
