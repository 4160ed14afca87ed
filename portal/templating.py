"""The pages' Jinja environment: Flask's, with the template globals shared, not copied through a ChainMap.

Jinja gives each template a ChainMap of its own globals over the environment's. Every render then
copies it into the template's context: dict() of a ChainMap is a Python-level loop that looks each
of the app's ~55 globals up in the template's empty map first (a KeyError each) and then in the
environment's, 34 µs of every page (measured, issue 12: an empty template rendered in 37 µs, in
3 µs with the environment's dict). A template loaded without globals of its own, as Flask loads
every page, gets the environment's globals dict itself: the same names and values, seen live, at a
dict copy's cost. Templates are never loaded with globals of their own here; doing so on a cached
template would write them into every page's globals, so it is refused.

Flask also asks `inspect.iscoroutinefunction` of every hook, context processor and view on every
request (`Flask.ensure_sync`, 18 times for a signed-in page, ~45 µs measured with profile_request.py):
`remember_sync_functions` remembers the ones that are plain (a function never turns async).
"""

from __future__ import annotations

from flask import Flask
from flask.templating import Environment as FlaskEnvironment


class Environment(FlaskEnvironment):
    def make_globals(self, d):
        if not d:
            return self.globals
        return super().make_globals(d)

    def get_template(self, name, parent=None, globals=None):  # noqa: A002 -- Jinja's own parameter name
        _refuse(globals)
        return super().get_template(name, parent)

    def select_template(self, names, parent=None, globals=None):  # noqa: A002
        _refuse(globals)
        return super().select_template(names, parent)

    def get_or_select_template(self, template_name_or_list, parent=None, globals=None):  # noqa: A002
        _refuse(globals)
        return super().get_or_select_template(template_name_or_list, parent)


def _refuse(globals_) -> None:
    if globals_:
        raise TypeError("the pages' templates share the app's globals: pass values to render() instead")


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
