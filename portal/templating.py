"""What every request pays for around its view, made cheaper without changing what it does.

Profiled (issue 12, `time.thread_time` around Flask's and Jinja's steps, PostgreSQL dashboard):
- Jinja's Template keeps its globals as a ChainMap (the template's own over the environment's, so a
  global added later is still seen). Every render copies them into the context with
  `dict(ChainMap)`, which looks each of the ~55 names up through ChainMap's Python-level
  `__getitem__`: about 50 µs on every page. `FlatGlobalsTemplate` hands Jinja the same names and
  values as a plain dict, merged afresh on each render (so it is still live).
- Flask asks `inspect.iscoroutinefunction` of every hook, context processor and view on every request
  (`Flask.ensure_sync`, 18 times for a signed-in page). `remember_sync_functions` remembers the
  functions that are plain (a function's code never changes from plain to async).
"""

from __future__ import annotations

from collections import ChainMap

from flask import Flask
from jinja2 import Template
from jinja2.runtime import new_context


class FlatGlobalsTemplate(Template):
    """A Jinja Template whose contexts get the globals as one dict instead of a ChainMap: the same
    names with the same values (the template's own over the environment's), read at each render."""

    def new_context(self, vars=None, shared=False, locals=None):
        scope = self.globals
        if type(scope) is ChainMap:
            flat: dict = {}
            for mapping in reversed(scope.maps):
                flat.update(mapping)
            scope = flat
        return new_context(self.environment, self.name, self.blocks, vars, shared, scope, locals)


SYNC_FUNCTIONS_KEPT = 4096


def remember_sync_functions(app: Flask) -> None:
    """app.ensure_sync, remembering the callables it handed back as they were (plain functions).

    Keyed by the callable itself (hooks, views and context processors live as long as the app); one
    that cannot be hashed is checked each time. An async function is wrapped by Flask each time, as
    before. At most SYNC_FUNCTIONS_KEPT are kept, then the memo starts over."""
    check = app.ensure_sync
    plain: set = app.extensions.setdefault("caseport_sync_functions", set())

    def ensure_sync(func):
        try:
            if func in plain:
                return func
        except TypeError:  # unhashable: not kept
            return check(func)
        result = check(func)
        if result is func:
            if len(plain) >= SYNC_FUNCTIONS_KEPT:
                plain.clear()
            plain.add(func)
        return result

    app.ensure_sync = ensure_sync
