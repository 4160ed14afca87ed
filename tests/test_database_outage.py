"""A database outage, made from outside: the SQLite file or its folder moved away, or the TCP path to
PostgreSQL cut. Signed-in users get the product's 503 page (JSON for JSON clients) with Retry-After,
each failed request logs one line, nothing is half-saved, and pages come back with the database."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from urllib.parse import urlsplit

import peewee
import psycopg
import pytest

from portal.db import connect
from portal.models.cases import CaseEvent
from portal.outage import RETRY_AFTER_SECONDS, database_unavailable
from portal.web import use_database
from tests import factories
from tests.fixtures import csrf_token_from
from tests.relay import TcpRelay

SQLITE_FILES = ("caseport.db", "caseport.db-wal", "caseport.db-shm")


class MovedFolder:
    """The folder holding the SQLite file is renamed: SQLite cannot open the file at all."""

    opens = False

    def __init__(self, app, tmp_path):
        self.app, self.folder = app, tmp_path / "data"
        self.folder.mkdir()
        app.extensions["caseport_db"].close()  # the last connection checkpoints the WAL into the file
        for name in SQLITE_FILES:
            if (tmp_path / name).exists():
                os.rename(tmp_path / name, self.folder / name)
        url = f"sqlite:///{self.folder / 'caseport.db'}"
        self.db = connect(url)
        use_database(app, self.db)
        app.config["DATABASE_URL"] = url

    def down(self):
        self.db.close()  # a connection left open would keep reading the moved file
        os.rename(self.folder, self.folder.with_name("data-away"))

    def up(self):
        os.rename(self.folder.with_name("data-away"), self.folder)

    def close(self):
        self.db.close()


class MovedFile:
    """The SQLite file is moved away: opening the path creates a new, empty database without tables."""

    opens = True

    def __init__(self, app, tmp_path):
        self.folder, self.away = tmp_path, tmp_path / "away"
        self.away.mkdir()
        self.db = app.extensions["caseport_db"]

    def down(self):
        self.db.close()
        for name in SQLITE_FILES:
            if (self.folder / name).exists():
                os.rename(self.folder / name, self.away / name)

    def up(self):
        for name in SQLITE_FILES:  # the empty database the outage left behind
            (self.folder / name).unlink(missing_ok=True)
        for name in SQLITE_FILES:
            if (self.away / name).exists():
                os.rename(self.away / name, self.folder / name)

    def close(self):
        pass


class CutConnection:
    """A relay between the portal and PostgreSQL is stopped: connections are refused, open ones cut."""

    opens = False

    def __init__(self, app, tmp_path):
        url = app.config["DATABASE_URL"]
        parts = urlsplit(url)
        self.relay = TcpRelay(parts.hostname, parts.port or 5432)
        self.relay.start()
        netloc = parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{self.relay.port}"
        self.db = connect(parts._replace(netloc=netloc).geturl())
        # Every checkout asks the server, as it does for a connection that waited in the pool: these
        # tests see the outage at checkout (tests/test_postgres_pool.py: a connection used a moment ago).
        self.db.RECHECK_AFTER = 0
        use_database(app, self.db)

    def down(self):
        self.relay.stop()

    def up(self):
        self.relay.start()

    def close(self):
        self.relay.stop()
        self.db.close_all()


ON_POSTGRES = urlsplit(os.environ.get("DATABASE_URL", "")).scheme in ("postgres", "postgresql")
OUTAGES = {"connection cut": CutConnection} if ON_POSTGRES else {"folder moved": MovedFolder, "file moved": MovedFile}


@pytest.fixture(params=list(OUTAGES))
def outage(request, app, tmp_path):
    made = OUTAGES[request.param](app, tmp_path)
    yield made
    made.close()


@pytest.fixture
def case(people):
    return factories.case(people.customer)


def signed_in_client(app, user):
    from tests.fixtures import sign_in

    client = app.test_client()
    sign_in(client, user)
    return client


def log_lines(caplog):
    return [record for record in caplog.records if record.levelno >= logging.INFO]


def test_a_signed_in_user_gets_the_products_503_page_and_one_log_line(app, people, outage, caplog):
    client = signed_in_client(app, people.customer)
    assert client.get("/cases").status_code == 200
    outage.down()
    caplog.clear()
    caplog.set_level(logging.INFO)
    response = client.get("/cases?page=2")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["Cache-Control"] == "no-store"
    assert "<h1 id=\"error-title\">Unavailable for a moment</h1>" in page
    assert "cannot reach its records right now" in page
    assert 'href="/cases?page=2">Try again' in page
    assert "Sign out" not in page and people.customer.display_name not in page  # nothing the database holds
    [line] = log_lines(caplog)
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert "GET /cases" in line.getMessage()


def test_each_failed_request_logs_one_line(app, people, outage, caplog):
    client = signed_in_client(app, people.agent)
    outage.down()
    caplog.clear()
    caplog.set_level(logging.INFO)
    for path in ("/", "/staff/", "/cases/new", "/login"):
        assert client.get(path).status_code == 503
    assert len(log_lines(caplog)) == 4


@pytest.mark.parametrize("path, headers", [("/cases", {"Accept": "application/json"}),
                                           ("/api/cases", {})])
def test_json_clients_get_a_json_error(app, people, outage, path, headers):
    client = signed_in_client(app, people.customer)
    outage.down()
    response = client.get(path, headers=headers)
    if path.startswith("/api/") and outage.opens:  # no API page exists yet, and its 404 needs no table
        assert response.status_code == 404 and response.mimetype == "application/json"
        return
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.mimetype == "application/json"
    body = json.loads(response.get_data(as_text=True))
    assert body["error"]["code"] == "unavailable"
    assert "cannot reach its records" in body["error"]["message"]


def test_an_error_page_during_the_outage_needs_no_database(app, people, outage):
    client = signed_in_client(app, people.customer)
    outage.down()
    response = client.get("/no-such-page")
    assert response.status_code == 503
    assert "Unavailable for a moment" in response.get_data(as_text=True)


def test_the_outage_page_speaks_the_browsers_language(app, people, outage):
    # The user's own choice is in the database that failed: the browser's language is the next best.
    client = signed_in_client(app, people.customer)
    outage.down()
    response = client.get("/cases", headers={"Accept-Language": "de-CH, de;q=0.9"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert '<html lang="de-CH" dir="ltr">' in page
    assert "<h1 id=\"error-title\">Kurz nicht erreichbar</h1>" in page and "Erneut versuchen" in page
    json_answer = client.get("/cases", headers={"Accept": "application/json", "Accept-Language": "es"})
    assert json_answer.get_json()["error"]["message"].startswith("Caseport no puede acceder a sus datos")


def test_a_form_sent_during_the_outage_saves_nothing_and_pages_come_back(app, people, outage, case):
    client = signed_in_client(app, people.customer)
    token = csrf_token_from(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    events_before = CaseEvent.select().where(CaseEvent.case == case).count()
    outage.down()
    response = client.post(f"/cases/{case.reference}/comments",
                           data={"csrf_token": token, "body": "Sent while the database was away."})
    assert response.status_code == 503
    assert 'href="/">Try again' in response.get_data(as_text=True)
    outage.up()
    page = client.get(f"/cases/{case.reference}")  # the same browser, still signed in
    assert page.status_code == 200
    assert people.customer.display_name in page.get_data(as_text=True)
    assert "Sent while the database was away." not in page.get_data(as_text=True)
    assert CaseEvent.select().where(CaseEvent.case == case).count() == events_before


def test_pages_come_back_after_repeated_outages(app, people, outage):
    client = signed_in_client(app, people.customer)
    for _ in range(2):
        outage.down()
        assert client.get("/cases").status_code == 503
        outage.up()
        assert client.get("/cases").status_code == 200


# --- which database errors are an outage ---------------------------------------------------------


def raised_by(db, sql):
    with pytest.raises(peewee.PeeweeException) as caught:
        db.execute_sql(sql)
    return caught.value


def test_a_mistake_in_the_sql_is_a_bug_not_an_outage(empty_database):
    assert not database_unavailable(raised_by(empty_database, "SELECT FROM WHERE"))
    assert not database_unavailable(raised_by(empty_database, "SELECT no_such_column"))


def test_a_missing_table_on_sqlite_is_an_outage(empty_database, on_postgres):
    # On SQLite it is what a moved-away file looks like; PostgreSQL reports it as a programming error.
    assert database_unavailable(raised_by(empty_database, "SELECT * FROM no_such_table")) is not on_postgres


def test_an_unopenable_sqlite_file_and_a_refused_connection_are_outages(tmp_path):
    from tests.servers import free_port

    folder = tmp_path / "gone"
    db = connect(f"sqlite:///{folder}/caseport.db")  # connect() makes the folder; then it goes
    shutil.rmtree(folder)
    with pytest.raises(peewee.OperationalError) as unopenable:
        db.connect()
    assert isinstance(unopenable.value.orig, sqlite3.OperationalError)
    assert database_unavailable(unopenable.value)
    refused = connect(f"postgresql://caseport:caseport@127.0.0.1:{free_port()}/caseport")
    with pytest.raises(peewee.OperationalError) as closed_port:
        refused.connect()
    assert isinstance(closed_port.value.orig, psycopg.OperationalError)
    assert database_unavailable(closed_port.value)
