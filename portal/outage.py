"""What the web answers while its database cannot be reached: 503, the product's own page, one log line.

The ordinary error pages extend base.html, and rendering any page through Flask runs Flask-Login's
context processor, which loads the signed-in user from the database. During an outage that second
failure used to replace the error page with the server's bare "Internal Server Error", and each
request logged several chained tracebacks. This page is rendered straight from the Jinja environment
with only the values it names, so it needs nothing the outage took away.
"""

from __future__ import annotations

import logging
import sqlite3

import peewee
from flask import Flask, current_app, request, url_for
from flask_babel import force_locale
from playhouse.pool import MaxConnectionsExceeded

from portal import i18n, languages
from portal.i18n import _l

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

UNAVAILABLE_MESSAGE = _l("Caseport cannot reach its records right now. Try again in a minute. If you were "
                         "sending a form, go back (your browser keeps what you typed) and send it again "
                         "once pages load.")

# SQLite answers SQLITE_ERROR for mistakes in the SQL itself (a bug, which must stay a 500 and a
# traceback) as well as for a database file that is not there: opening a moved-away file creates an
# empty one, and the first query then finds no tables.
_SQLITE_MISSING_SCHEMA = "no such table"


def database_unavailable(exc: BaseException) -> bool:
    """Whether exc says the database cannot be used for now (unreachable, unreadable, full, locked
    past the busy timeout, out of pooled connections), as opposed to a bug in a query."""
    if isinstance(exc, MaxConnectionsExceeded):
        return True
    if not isinstance(exc, (peewee.OperationalError, peewee.InterfaceError)):
        return False
    original = _driver_error(exc)
    if isinstance(original, sqlite3.Error) and getattr(original, "sqlite_errorname", "") == "SQLITE_ERROR":
        return str(original).startswith(_SQLITE_MISSING_SCHEMA)
    return True


def _driver_error(exc: BaseException) -> BaseException | None:
    # peewee re-raises a driver's error as its own class and keeps the original as `orig`.
    return getattr(exc, "orig", None) or exc.__cause__ or exc.__context__


def _reason(exc: BaseException) -> str:
    original = _driver_error(exc) or exc
    text = str(original).strip().splitlines()
    return (text[0] if text else type(original).__name__)[:200]


def unavailable_response(exc: BaseException, *, wants_json: bool):
    """The 503 answer for a request that met a database outage. Logs one line, no traceback: the
    outage is one fact, and a traceback per request would bury it."""
    log.warning("database unavailable, answered 503 to %s %s: %s", request.method, request.path, _reason(exc))
    _drop_connection(current_app)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    with browser_language():
        if wants_json:
            body = {"error": {"code": "unavailable", "message": str(UNAVAILABLE_MESSAGE), "fields": {}}}
            return body, 503, headers
        return _render_page(current_app), 503, headers


def browser_language():
    """Speak the browser's language (Accept-Language, else DEFAULT_LANGUAGE) for the rest of the block:
    the signed-in user's own choice is in the database that failed."""
    return force_locale(_visitor_locale())


def _visitor_locale() -> str:
    for tag, _quality in request.accept_languages:
        chosen = i18n.match_language(tag)
        if chosen:
            return chosen
    return current_app.config.get("DEFAULT_LANGUAGE", "en")


def _render_page(app: Flask) -> str:
    # Not render_template: that runs the context processors, and Flask-Login's reads the database.
    template = app.jinja_env.get_template("errors/unavailable.html")
    # "Try again" repeats a page view; after a failed form post it leads to the start page instead.
    retry_url = request.full_path.rstrip("?") if request.method == "GET" else url_for("home.index")
    return template.render(portal_name=app.config["PORTAL_NAME"], message=str(UNAVAILABLE_MESSAGE),
                           retry_url=retry_url, html_lang=languages.html_lang(), text_dir=languages.text_direction())


def _drop_connection(app: Flask) -> None:
    """Close this thread's connection: web workers keep a SQLite connection between requests, and one
    opened during the outage (on an empty file created where the database was, or half broken) must
    not serve the next request once the database is back."""
    db = app.extensions.get("caseport_db")
    if db is None or db.is_closed():
        return
    try:
        db._state.transactions.clear()
        db.close()
    except peewee.PeeweeException:
        db._state.reset()
