"""App, client and people fixtures built on the per-test database from conftest.py.

CSRF protection stays on in tests: `post_form` reads the token from the page like a browser does.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from portal import create_app, settings
from portal.bootstrap import prepare_database
from portal.db import connect
from portal.web import use_database
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "BASE_URL": "http://portal.test",
    "MAIL_BACKEND": "devsink",
    "SMS_BACKEND": "devsink",
    # Signing in admins without a second factor keeps every other test's sign-in one step; tests/mfa
    # sets "admin" or "staff" (the default outside tests, and always in production).
    "MFA_REQUIRED_FOR": "nobody",
}


@pytest.fixture(scope="session")
def shared_app(prepared_template_url, tmp_path_factory):
    """One Flask app for the whole session: building one compiles every URL rule, which costs more
    than most tests. Each test gets its own database and a config restored afterwards (see `app`)."""
    folder = tmp_path_factory.mktemp("shared-app")
    return create_app({**BASE_CONFIG, "DATABASE_URL": prepared_template_url, "INSTANCE_PATH": str(folder),
                       "UPLOAD_DIR": str(folder / "uploads")})


@pytest.fixture
def app(shared_app, prepared_database_url, tmp_path):
    """The app on this test's own fresh, migrated and seeded database; config changes end with the test."""
    app = shared_app
    saved_config = dict(app.config)
    app.config.update({**BASE_CONFIG, "DATABASE_URL": prepared_database_url, "UPLOAD_DIR": str(tmp_path / "uploads")})
    db = connect(prepared_database_url)
    use_database(app, db)
    settings.configure(app.config, app.url_map)  # another test may have built its own app since
    prepare_database(app)
    with app.app_context():
        db.connect(reuse_if_open=True)
        yield app
        if not db.is_closed():
            db.close()
    if hasattr(db, "close_all"):
        db.close_all()
    app.config.clear()
    app.config.update(saved_config)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    """GET the page holding the form (url by default), then POST data with its CSRF token."""
    page_response = client.get(page or url)
    token = csrf_token_from(page_response.get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def sign_in(client, user, password: str = factories.PASSWORD):
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@dataclass
class People:
    customer: object
    other_customer: object
    proxy: object
    agent: object
    supervisor: object
    admin: object

    def by_role(self, role: str):
        return getattr(self, role)


@pytest.fixture
def people(app) -> People:
    return People(
        customer=factories.user(role="customer", email="cora@example.com", display_name="Cora Customer"),
        other_customer=factories.user(role="customer", email="otto@example.com", display_name="Otto Other"),
        proxy=factories.user(role="proxy", email="pia@example.com", display_name="Pia Proxy"),
        agent=factories.user(role="agent", email="aga@example.com", display_name="Aga Agent"),
        supervisor=factories.user(role="supervisor", email="sue@example.com", display_name="Sue Supervisor"),
        admin=factories.user(role="admin", email="ada@example.com", display_name="Ada Admin"),
    )


@pytest.fixture
def login(client):
    """login(user) signs the test client in as user."""

    def _login(user, password: str = factories.PASSWORD):
        return sign_in(client, user, password)

    return _login


@pytest.fixture
def deliver(app):
    """deliver() runs the notifier's delivery once, as the scheduler would, and returns its report."""
    import notifier
    from notifier.dispatcher import deliver_due
    from portal.jobs import delivery_check

    def _deliver(**kwargs):
        kwargs.setdefault("suppress", delivery_check(app))
        return deliver_due(notifier.Settings.from_mapping(app.config), **kwargs)

    return _deliver


def captured_mail(to: str):
    """Captured emails to an address, oldest first."""
    from notifier.models import CapturedMessage

    return list(
        CapturedMessage.select()
        .where(CapturedMessage.to_address == to)
        .order_by(CapturedMessage.captured_at, CapturedMessage.id)
    )


def link_in(text: str, path_fragment: str) -> str:
    """The path of the first link in text containing path_fragment (links in mail are absolute)."""
    match = re.search(r"https?://[^/\s]+(\S*" + re.escape(path_fragment) + r"\S*)", text)
    assert match, f"no link with {path_fragment!r} in:\n{text}"
    return match.group(1)



@pytest.fixture
def sql_log():
    """`with sql_log() as statements:` collects the SQL statements the database executes inside the
    block (peewee logs each one; playhouse.test_utils.count_queries gathers them)."""
    from playhouse.test_utils import count_queries

    @contextmanager
    def log():
        statements: list[str] = []
        with count_queries() as counted:
            yield statements
        statements.extend(record.msg[0] for record in counted.get_queries())

    return log


@pytest.fixture
def cli_env(database_url, tmp_path, monkeypatch):
    """A click runner for `caseport` commands against this test's own database, in an empty folder."""
    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-long-enough-0123456789")
    # The command speaks the operator's language: these tests read English whatever the machine's locale.
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return CliRunner()
