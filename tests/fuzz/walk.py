"""Walking every route of the app: real URLs from the URL map, visitors of each role with valid
tokens, the forms the pages really show, and a record of which views read the submitted form.

Nothing here lists pages by hand: a new route is walked as soon as it is registered, with the real
identifiers of tests/fuzz/world.py for its URL variables (a variable name the world does not know
fails loudly, so nobody can add a page the walk silently skips).
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from flask import g, url_for

from tests.fixtures import csrf_token_from, sign_in
from tests.fuzz.pages import Harvest

# Reachable without signing in, each for its own reason.
PUBLIC_ENDPOINTS = {
    "static": "stylesheets, scripts and images",
    "home.index": "the start page sends everyone to sign in or to their dashboard",
    "accounts.login": "signing in",
    "accounts.signup": "signing up",
    "accounts.resend_verification": "asking for a new verification mail",
    "accounts.verify_email_form": "the link in the verification mail",
    "accounts.verify_email": "the link in the verification mail (the token is the authority)",
    "accounts.request_reset": "asking for a password reset",
    "accounts.reset_password": "the link in the reset mail (the token is the authority)",
    "people.accept_invitation": "the link in the invitation mail (the token is the authority)",
    "notification_preferences.unsubscribe": "the unsubscribe link in every mail (the signed token is the authority)",
    "notification_preferences.unsubscribe_now": "one-click unsubscribe (RFC 8058) posted by mail clients",
    "sso.start": "starting a sign-in with an identity provider",
    "sso.callback": "the identity provider's answer (the state bound to this browser is the authority)",
    "sso.signed_out": "after signing out: the offer to sign out at the identity provider too",
    "passkeys.sign_in_options": "the challenge for signing in with a passkey (JSON for static/js/passkeys.js)",
    "passkeys.sign_in": "signing in with a passkey (the signed answer to this browser's challenge is the authority)",
    "passkeys.second_factor_options": "the challenge for a pending sign-in's second step (401 without one)",
}


@dataclass(frozen=True)
class Route:
    endpoint: str
    url: str
    methods: frozenset


def routes(app, world) -> list[Route]:
    """Every rule with every variable filled with a real identifier; a rule with an any(...)
    converter once per word it accepts (publish and retire are different actions)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            continue  # the JSON API takes tokens, not sessions: tests/api walk it through its OpenAPI document
        choices = []
        for arg in sorted(rule.arguments):
            converter = rule._converters[arg]
            if hasattr(converter, "items"):
                choices.append([(arg, item) for item in sorted(converter.items)])
                continue
            value = world.endpoint_values.get((rule.endpoint, arg), world.values.get(arg))
            if value is None:
                raise AssertionError(f"{rule.endpoint} has the URL variable <{arg}>, which tests/fuzz/world.py "
                                     "does not fill: add a real object for it there")
            choices.append([(arg, value)])
        for combination in itertools.product(*choices):
            with app.test_request_context():
                url = url_for(rule.endpoint, **dict(combination))
            found.append(Route(rule.endpoint, url, frozenset(rule.methods - {"HEAD", "OPTIONS"})))
    return sorted(found, key=lambda r: r.url)


def post_routes(app, world) -> list[Route]:
    return [r for r in routes(app, world) if "POST" in r.methods]


class Visitor:
    """A test client of one role (None: signed out) with a page token, kept ready between walked
    POSTs: a POST may end the session (signing out) or switch it (a password reset signs in as the
    account's owner), and then the visitor starts again. Reading the session cookie is far cheaper
    than opening a page before every POST."""

    def __init__(self, app, user):
        self.app, self.user = app, user
        self.client, self.token, self.session = None, "", None

    def _session(self) -> tuple:
        with self.client.session_transaction() as session:
            return session.get("_user_id"), session.get("csrf_token")

    def restarts(self) -> bool:
        """Whether the next ready() starts a new session (the last request ended or switched it)."""
        return self.client is None or self._session() != self.session

    def ready(self):
        """(client, token) for the next request."""
        if self.restarts():
            self.client = self.app.test_client()
            if self.user is not None:
                sign_in(self.client, self.user)
            page = self.client.get("/account" if self.user else "/login")
            self.token = csrf_token_from(page.get_data(as_text=True))
            self.session = self._session()
        return self.client, self.token


def walk_pages(app, client, world) -> Harvest:
    """GET every page (and the world's extra pages); no page may answer with a server error.
    Returns the forms and links they show."""
    harvest = Harvest()
    failures = []
    urls = [r.url for r in routes(app, world) if "GET" in r.methods and r.endpoint != "static"]
    for url in urls + world.extra_pages:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"GET {url} answered {response.status_code}")
        elif response.status_code == 200 and response.mimetype == "text/html":
            harvest.add_page(app, url, response.get_data(as_text=True))
    assert failures == []
    return harvest


_CATALOGUE = Harvest()


def form_catalogue(app, world, people) -> Harvest:
    """Every form on any page, by endpoint. An admin, a customer and a signed-out visitor see every
    form between them. Collected once per test session: the world is built the same way in every
    test, so the field names are the same (option values holding UUIDs are not: take those from
    the pages of the test's own world)."""
    if not _CATALOGUE.post_fields:
        for user in (people.admin, people.customer, None):
            client = app.test_client()
            if user is not None:
                sign_in(client, user)
            _CATALOGUE.merge(walk_pages(app, client, world))
    return _CATALOGUE


# --- which views read the form ----------------------------------------------------------------------


class FormReads:
    """Records each endpoint whose view read request.form or request.files while it ran.

    The NUL-byte gate and the CSRF check read the form before any view runs, so only reads made
    between the view's start and its end count: a request refused before its view never counts.
    """

    def __init__(self):
        self.read: set[str] = set()


@contextmanager
def recording_form_reads(app):
    reads = FormReads()
    original_request_class = app.request_class
    original_views = dict(app.view_functions)

    class RecordingRequest(original_request_class):
        def _note(self):
            if g.get("_walk_in_view"):
                reads.read.add(self.endpoint)

        @property
        def form(self):
            self._note()
            return super().form

        @property
        def files(self):
            self._note()
            return super().files

    def recording(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            g._walk_in_view = True
            try:
                return view(*args, **kwargs)
            finally:
                g._walk_in_view = False

        return wrapped

    app.request_class = RecordingRequest
    for endpoint, view in original_views.items():
        app.view_functions[endpoint] = recording(view)
    try:
        yield reads
    finally:
        app.request_class = original_request_class
        app.view_functions.clear()
        app.view_functions.update(original_views)
