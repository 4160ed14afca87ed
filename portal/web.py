"""Wiring the Flask app: database per request, request gate, sign-in, CSRF, error pages, filters, headers.

The feature blueprints are registered by portal.create_app; this module imports no feature's pages."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from uuid import UUID

import peewee
from flask import (
    Flask,
    appcontext_popped,
    appcontext_pushed,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask.globals import _cv_request
from flask.sessions import SecureCookieSessionInterface
from flask.wrappers import Request
from flask_babel import format_decimal
from flask_login import LoginManager, current_user
from flask_login.utils import login_url
from flask_wtf.csrf import CSRFError, generate_csrf
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import i18n, languages, outage, request_memo, settings
from portal.accounts.routes import browser
from portal.contact import format_phone
from portal.db import bind, connect, end_request
from portal.errors import DomainError
from portal.files.rules import human_size
from portal.fragments import RememberExtension
from portal.i18n import _l
from portal.navigation import nav_links, nav_markup
from portal.people.rules import role_name
from portal.templating import remember_sync_functions
from portal.web_helpers import csrf

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    use_database(app, connect(app.config["DATABASE_URL"]))
    share_settings(app)
    _trust_proxies(app)
    app.request_class = StrictFormRequest
    app.session_interface = RememberingSessionInterface()
    remember_sync_functions(app)

    @app.before_request
    def _open_db():
        app.extensions["caseport_db"].connect(reuse_if_open=True)
        request_memo.begin(read_only=request.method in ("GET", "HEAD"))
        # Per-request state (the signed-in user, the CSRF token) lives on g. When a caller (a test,
        # a job) keeps one app context open across requests, start each request with a clean g so
        # nothing of one request leaks into the next.
        for key in list(vars(g)):
            g.pop(key, None)

    # After the reset above: their refusals render pages that read g (the signed-in user).
    app.before_request(_refuse_unreadable_bodies)
    app.before_request(_refuse_nul_bytes)

    @app.teardown_request
    def _close_db(exc):
        request_memo.end()
        end_request(app.extensions["caseport_db"])

    _init_login(app)
    languages.init_app(app)
    csrf.init_app(app)
    app.jinja_env.globals["csrf_token"] = _remembering_csrf_token(app)
    _register_error_pages(app)
    _register_filters(app)
    app.after_request(_security_headers)


UNSTORABLE_INPUT = _l("Something you sent contains invisible control characters that cannot be stored. "
                      "Remove them (retyping the text is the surest way) and send it again.")


def _refuse_nul_bytes():
    """No text anywhere may hold a NUL byte: it is never typed on purpose, and PostgreSQL refuses to
    store or even compare it. Checked once here for the path, query string and form of every request,
    instead of in each query that might meet one."""
    values = [request.path]
    # A body that is not a form gives an empty request.form: it is not loaded for nothing (most requests
    # are GETs without a body, whose views never read a form).
    sources = (request.args, request.form) if request.mimetype in FORM_TYPES else (request.args,)
    for source in sources:
        for key, items in source.lists():
            values.append(key)
            values.extend(items)
    if any("\x00" in value for value in values):
        raise DomainError(UNSTORABLE_INPUT)


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client address and scheme from the headers
    they add (the n-th X-Forwarded-For value from the right). Without the setting those headers are
    ignored: anyone can send them, and the throttles key on the client address."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


class StrictFormRequest(Request):
    """A request whose form parser reports a body it cannot read (Werkzeug's default quietly hands the
    view an empty form), so the request gate can refuse it with a message."""

    def make_form_data_parser(self):
        parser = super().make_form_data_parser()
        parser.silent = False
        return parser


class RememberingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, each cookie's content remembered once its signature was checked.

    Every request read its cookie afresh: base64, zlib, the HMAC and Flask's tagged JSON, about 70 µs
    (profiled, issue 12), for the same few values on every request of a signed-in browser. The exact
    cookie text, under the same signing keys, always reads the same: it is kept (values that are plain
    text, numbers or flags only, so no request can change a kept value in place) with the moment it was
    signed, and its age is checked on every use as loads() checks it. A different, altered or forged
    text is checked in full; at most KEPT cookies are kept, then the memo starts over."""

    KEPT = 4096
    _PLAIN = (str, int, bool, type(None))

    def __init__(self):
        self._kept: dict[tuple, tuple[dict, int]] = {}

    def open_session(self, app: Flask, request: Request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        key = (value, app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = self._kept.get(key)
        if kept is not None and 0 <= int(time.time()) - kept[1] <= max_age:
            return self.session_class(kept[0])  # a copy: the request's changes stay its own
        try:
            data, signed_at = self.get_signing_serializer(app).loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(type(item) in self._PLAIN for item in data.values()):
            if len(self._kept) >= self.KEPT:
                self._kept.clear()
            self._kept[key] = (dict(data), int(signed_at.timestamp()))
        return self.session_class(data)


class UnreadableBody(DomainError):
    status = 400
    code = "unreadable_body"


class UnsupportedBody(DomainError):
    status = 415
    code = "unsupported_media_type"


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _refuse_unreadable_bodies():
    """Pages take form posts only. A form body that cannot be read is refused on every path and method;
    any other body (JSON, plain text ...) sent to change something is refused too, except under /api/,
    which will read its own bodies. This runs before CSRF and before any view, so no view meets input
    it cannot handle, and nothing changes."""
    if request.mimetype in FORM_TYPES:
        try:
            request.form  # noqa: B018 -- parsing is the check
        except ValueError:
            raise UnreadableBody(_l("We could not read the form you sent. Go back, reload the page and send "
                                    "it again.")) from None
        return
    if request.method not in WRITE_METHODS or request.path.startswith("/api/"):
        return
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if has_body or request.mimetype:
        raise UnsupportedBody(_l("This page accepts only forms sent from Caseport's pages (%(types)s). Go back, "
                                 "reload the page and send the form again.", types=", ".join(FORM_TYPES)))


def use_database(app: Flask, db) -> None:
    """Point the app (and every model, portal's and notifier's) at db."""
    bind(db)
    app.extensions["caseport_db"] = db


def _init_login(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please sign in to see that page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.init_app(app)

    # Every request resolves the server-side session named in the cookie (portal/accounts/routes/browser.py).
    manager.user_loader(browser.load_user)

    @manager.unauthorized_handler
    def unauthorized():
        # When the session just ended by itself, the loader has said why; one message is enough.
        if not g.get("session_ended"):
            flash(manager.login_message, manager.login_message_category)
        return redirect(login_url(manager.login_view, next_url=request.url))


def _register_error_pages(app: Flask) -> None:
    def page(status: int, title, message, *, code: str | None = None, fields: dict | None = None):
        json = wants_json()
        try:
            # Put into words here, in the request's language (which may take the signed-in user from
            # the database): a lazy message holding a name someone typed must reach the page as text,
            # to be escaped like any other.
            if json:
                return _json_error(status, message, code, fields), status
            title, message = str(title), str(message)
            return render_template("errors/error.html", status=status, title=title, message=message), status
        except Exception as exc:  # the page shows who is signed in, which takes the database
            if outage.database_unavailable(exc):
                return outage.unavailable_response(exc, wants_json=json)
            raise

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if exc.status == 404:
            return page(404, _l("Page not found"), NOT_FOUND_MESSAGE)
        return page(exc.status, _l("That did not work"), exc.message, code=exc.code, fields=exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return page(400, _l("Please try again"), _l("This form has expired or was not sent from Caseport. Go back, "
                                                  "reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        titles = {400: _l("Bad request"), 403: _l("Not allowed"), 404: _l("Page not found"),
                  405: _l("Not allowed here"), 413: _l("That upload is too large")}
        messages = {
            400: _l("The request could not be understood. Go back, reload the page and try again."),
            404: NOT_FOUND_MESSAGE,
            403: _l("You are not allowed to do that."),
            405: _l("This address does not take that kind of request. Go back and use the page's links and "
                   "buttons."),
            413: _l("The files you sent are larger than Caseport accepts. Try fewer or smaller files."),
        }
        # Other statuses keep Werkzeug's English name and description: none of them is answered to
        # something a person does on the pages.
        response = make_response(page(exc.code or 500, titles.get(exc.code, exc.name),
                                      messages.get(exc.code, exc.description)))
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # RFC 9110: what the address takes
        return response

    @app.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if outage.database_unavailable(exc):
            return outage.unavailable_response(exc, wants_json=wants_json())
        log.exception("unhandled error on %s %s", request.method, request.path)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_UNEXPECTED", True):
            raise exc
        return page(500, _l("Something went wrong"), _l("Something went wrong on our side. Go back (your browser "
                                                      "keeps what you typed) and send it again in a moment."))


def _json_error(status: int, message, code: str | None, fields: dict | None) -> dict:
    """An API error body, its words in the reader's language. A JSON answer needs nothing else from the
    database: when the signed-in user's language cannot be read, the browser's is used."""
    code = code or {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                    409: "conflict", 413: "too_large", 422: "invalid", 429: "rate_limited"}.get(status, "error")

    def body() -> dict:
        return {"error": {"code": code, "message": str(message),
                          "fields": {name: str(problem) for name, problem in (fields or {}).items()}}}

    try:
        return body()
    except Exception as exc:
        if not outage.database_unavailable(exc):
            raise
        with outage.browser_language():
            return body()


NOT_FOUND_MESSAGE = _l("We could not find that page. It may have moved, or you may not have access to it.")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _register_filters(app: Flask) -> None:
    app.add_template_filter(i18n.localtime, "localtime")
    app.add_template_filter(i18n.localdate, "localdate")
    app.add_template_filter(i18n.reltime, "reltime")
    app.add_template_filter(format_phone, "phone")
    app.add_template_filter(_filesize, "filesize")
    app.add_template_filter(format_decimal, "number")
    app.add_template_global(languages.plural_samples)
    app.add_template_global(languages.count_texts)

    @app.template_filter("isotime")
    def isotime(value: datetime | None) -> str:
        return value.isoformat() if value else ""

    app.jinja_env.add_extension(RememberExtension)
    remembering = _remembering_url_for(app)
    # layout_url: what the layout's constant addresses (the stylesheet, the home page, the sign-out form)
    # were built with before templates' url_for remembered every address; the same function now.
    app.jinja_env.globals.update(url_for=remembering, layout_url=remembering)

    # Flask-WTF's own context processor hands templates its generate_csrf, and a context value wins
    # over a global: this processor runs after it and hands them the remembering csrf_token instead.
    csrf_token = app.jinja_env.globals["csrf_token"]

    @app.context_processor
    def portal_globals():
        return {"portal_name": app.config["PORTAL_NAME"], "signup_enabled": app.config["SIGNUP_ENABLED"],
                "nav_links": nav_links, "nav_markup": nav_markup, "role_name": role_name,
                "csrf_token": csrf_token}


_BUILT_URLS_KEPT = 4096
_PLAIN_VALUES = (str, int, float, bool, type(None), UUID)


def _remembering_url_for(app: Flask):
    """Templates' url_for: app.url_for, each address remembered for the application once built.

    Werkzeug's URL building (rule lookup, converters, the query string) cost 6-8 µs a link, and a list
    page has dozens (sortable headings, status groups, pages), mostly the same from one request to the
    next. An address depends only on the URL map, the request's script root and the arguments, so it
    is remembered under those; anything else (a blueprint-relative endpoint, _external, _anchor and the
    like, values other than plain text and numbers) is built each time."""
    build = app.url_for
    built: dict[tuple, str] = {}

    def url_for(endpoint: str, /, **values) -> str:
        context = _cv_request.get(None)  # the request's context itself: not through the proxies
        if endpoint[:1] == "." or context is None:
            return build(endpoint, **values)
        for name, value in values.items():
            if name[:1] == "_" or type(value) not in _PLAIN_VALUES:
                return build(endpoint, **values)
        # in the order given (the query string keeps it), each value with its type: True == 1 == 1.0,
        # but they are written "True", "1" and "1.0"
        key = (context.request.script_root, endpoint,
               *((name, type(value), value) for name, value in values.items()))
        url = built.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(built) >= _BUILT_URLS_KEPT:
                built.clear()
            built[key] = url
        return url

    return url_for


_CSRF_TOKENS_KEPT = 4096


def _remembering_csrf_token(app: Flask):
    """Templates' csrf_token(): Flask-WTF's generate_csrf, each signed token remembered for the second it
    was signed in.

    Every signed-in page has a form (signing out) and signed its CSRF token afresh: JSON, base64 and an
    HMAC, about 50 us of CPU a page (profiled, issue 12), for the same text all through a second. The
    signed token depends only on the secret key, the session's raw token and the second it is signed
    in (itsdangerous stamps whole seconds; the salt is fixed), so it is kept under those and handed out
    within the same second only: exactly the text generate_csrf would sign then. A token signed across
    a second's turn is not kept. At most _CSRF_TOKENS_KEPT are kept, then the memo starts over."""
    kept: dict[tuple, str] = {}

    def csrf_token() -> str:
        config = app.config
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        secret = config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
        raw = None if field is None or field in g else session.get(field)
        if type(raw) is not str or secret is None:  # a first token, or one generate_csrf must refuse
            return generate_csrf()
        second = int(time.time())
        key = (secret, field, raw, second)
        token = kept.get(key)
        if token is not None:
            setattr(g, field, token)
            return token
        token = generate_csrf()
        if int(time.time()) == second:
            if len(kept) >= _CSRF_TOKENS_KEPT:
                kept.clear()
            kept[key] = token
        return token

    return csrf_token


def _filesize(size: int) -> str:
    return human_size(size, i18n.current_locale())


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


_SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                     ("Referrer-Policy", "same-origin"))


def _security_headers(response):
    """Each header unless the view set it already (the response's header names read once: Werkzeug's
    setdefault scanned them twice per header)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for name, value in _SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    # A page with single sign-on buttons posts to the portal, which redirects to the provider:
    # form-action covers that redirect too, so such a page names the providers (portal/sso/routes.py).
    if "content-security-policy" not in present:
        origins = g.get("form_action_origins")
        headers.add("Content-Security-Policy", CONTENT_SECURITY_POLICY + "".join(
            f" {origin}" for origin in origins) if origins else CONTENT_SECURITY_POLICY)
    # Pages for a signed-in user hold personal data: no copy in any cache, the browser's included.
    # A view that chose its own Cache-Control keeps it; so do static files (send_file always sets one).
    if "cache-control" not in present and (
        (request.endpoint or "").startswith(("accounts.", "admin.")) or _signed_in()
    ):
        headers.add("Cache-Control", "no-store")
    return response


def _signed_in() -> bool:
    try:
        return current_user.is_authenticated
    except peewee.PeeweeException as exc:  # the database failed: an error page already; stay on the safe side
        log.warning("could not tell whether %s %s was signed in: %s", request.method, request.path, exc)
        return True


def share_settings(app: Flask) -> None:
    """Services read the configuration and URL map through portal.settings, never through Flask: this
    app becomes the process's configuration, and each of its application contexts (every request
    pushes one) names it for its duration, so a request to one app never reads another app's values."""
    settings.configure(app.config, app.url_map)
    appcontext_pushed.connect(_enter_app_settings, app)
    appcontext_popped.connect(_leave_app_settings, app)


def _enter_app_settings(app: Flask, **_) -> None:
    settings.enter(app.config, app.url_map)


def _leave_app_settings(app: Flask, **_) -> None:
    settings.leave()
