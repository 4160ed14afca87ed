"""Services read the configuration and build links without Flask: called from a job's thread, the CLI
or an email with no application context they work; and each application's requests read that
application's values, never those of another app built in the same process."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import flask
import pytest
from werkzeug.datastructures import FileStorage

from notifier.models import Message
from portal import create_app, settings
from portal.accounts.service import request_password_reset
from portal.cases.service import lifecycle, opening
from portal.clock import utcnow
from portal.db import database
from portal.files import storage
from portal.jobs import portal_jobs
from portal.models.cases import Attachment
from portal.models.people import Customer
from portal.web import use_database
from tests import factories
from tests.cases.filing_setup import (
    GOOD,
    PNG_BYTES,
    world_fixture,  # noqa: F401 - the world fixture
)
from tests.fixtures import BASE_CONFIG, link_in, post_form


def outside_flask(fn):
    """fn's result, run as a scheduler job runs: in a thread of its own, with no application or request
    context and its own database connection."""
    outcome: dict = {}

    def run():
        try:
            outcome["flask_context"] = flask.has_app_context() or flask.has_request_context()
            database.connect(reuse_if_open=True)
            try:
                outcome["value"] = fn()
            finally:
                database.close()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert outcome["flask_context"] is False
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def only_message(event: str) -> Message:
    """The one email of event in the outbox."""
    return Message.select().where((Message.event == event) & (Message.channel == "email")).get()


def test_a_password_reset_requested_outside_flask_mails_a_working_link(app, client, people):
    outside_flask(lambda: request_password_reset(people.customer.email))
    link = only_message("password_reset").context["reset_url"]
    assert link.startswith("http://portal.test/reset-password/")
    page = client.get(link_in(link, "/reset-password/"))
    assert page.status_code == 200 and "New password" in page.get_data(as_text=True)


def test_a_case_opened_outside_flask_stores_its_files_in_the_configured_folder(app, people, world):
    customer = Customer.get(Customer.user == people.customer)
    upload = FileStorage(stream=io.BytesIO(PNG_BYTES), filename="photo.png")
    case = outside_flask(lambda: opening.open_case(people.customer, world.template, GOOD, customer=customer,
                                                   files=[upload]))
    stored = Attachment.get(Attachment.case == case.id)
    assert stored.original_name == "photo.png"
    assert storage.path_of(app.config["UPLOAD_DIR"], stored.stored_name).read_bytes() == PNG_BYTES


def test_the_resolution_reminder_runs_outside_flask_and_links_to_the_case(app, people):
    team = factories.workgroup(people.agent, name="Service desk")
    case = factories.case(people.customer, workgroup=team, assignee=people.agent)
    lifecycle.propose_resolution(people.agent, case, "Fixed.", now=utcnow() - timedelta(days=6))
    assert outside_flask(lifecycle.remind_unanswered_resolutions) == 1
    link = only_message("case_resolution_reminder").context["respond_url"]
    assert link == f"http://portal.test/cases/{case.reference}#resolution"


@pytest.fixture
def other_app(app, prepared_database_url, tmp_path):
    """A second app in the process, on the same database, with its own address and reset-link lifetime.
    Building it makes it the process's configuration (and binds the models to its database, which
    is put back afterwards)."""
    own_db = app.extensions["caseport_db"]
    other = create_app({**BASE_CONFIG, "DATABASE_URL": prepared_database_url, "INSTANCE_PATH": str(tmp_path / "b"),
                        "BASE_URL": "https://other.test/desk", "PASSWORD_RESET_MINUTES": 7})
    use_database(app, own_db)
    yield other
    other_db = other.extensions["caseport_db"]
    if not other_db.is_closed():
        other_db.close()
    if hasattr(other_db, "close_all"):
        other_db.close_all()


def test_each_app_reads_its_own_configuration(app, people, other_app):
    assert settings.setting("BASE_URL") == "http://portal.test"  # the test's app context wins
    with other_app.test_request_context():
        assert settings.setting("BASE_URL") == "https://other.test/desk"
        assert settings.setting("PASSWORD_RESET_MINUTES") == 7
    assert settings.setting("PASSWORD_RESET_MINUTES") == app.config["PASSWORD_RESET_MINUTES"] != 7


@pytest.mark.parametrize("which", ["app", "other_app"])
def test_a_request_to_one_app_never_reads_another_apps_configuration(request, app, people, other_app, which):
    chosen = request.getfixturevalue(which)
    post_form(chosen.test_client(), "/reset-password", {"email": people.customer.email})
    context = only_message("password_reset").context
    if which == "app":
        assert context["reset_url"].startswith("http://portal.test/reset-password/")
        assert context["expires_in_minutes"] == app.config["PASSWORD_RESET_MINUTES"]
    else:
        assert context["reset_url"].startswith("https://other.test/desk/reset-password/")
        assert context["expires_in_minutes"] == 7


@pytest.mark.parametrize(("which", "address"), [("app", "http://portal.test"),
                                                  ("other_app", "https://other.test/desk")])
def test_a_job_built_for_one_app_reads_that_apps_configuration(request, app, people, other_app, which, address):
    """The scheduler runs jobs in threads of its own: they read the configuration of the app they
    were built for, whichever app is the process's configuration."""
    team = factories.workgroup(people.agent, name="Service desk")
    case = factories.case(people.customer, workgroup=team, assignee=people.agent)
    lifecycle.propose_resolution(people.agent, case, "Fixed.", now=utcnow() - timedelta(days=6))
    jobs = portal_jobs(request.getfixturevalue(which))
    remind = next(job for job, _ in jobs if job.__name__ == "remind_unanswered_resolutions")
    assert outside_flask(remind) == 1
    link = only_message("case_resolution_reminder").context["respond_url"]
    assert link == f"{address}/cases/{case.reference}#resolution"


def test_without_any_app_reading_a_setting_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(settings, "_process", None)
    with pytest.raises(settings.NotConfigured, match="create_app"):
        outside_flask(lambda: settings.setting("BASE_URL"))
