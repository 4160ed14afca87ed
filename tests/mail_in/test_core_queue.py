"""The staff queue of received mail that was held or failed: supervisors and admins read it (headers and text,
never the HTML), retry and discard, each once; everyone else is told it does not exist."""

from __future__ import annotations

import pytest

from portal.mail_in import outcomes
from portal.mail_in.process import process_message
from portal.mail_in.store import store_message
from portal.models.mail_in import DISCARDED, DONE, FAILED, HELD, InboundMessage
from tests.fixtures import csrf_token_from, post_form, sign_in
from tests.mail_in.core_helpers import (  # noqa: F401 - fixtures
    comments,
    mail_in_config_fixture,
    mime,
    open_case_fixture,
    team_fixture,
)

pytestmark = pytest.mark.usefixtures("mail_in_config")


def receive(raw: bytes):
    return process_message(store_message(raw).message.id)


@pytest.fixture
def held(app, people, open_case) -> InboundMessage:
    """A message held because its sender went over the rate limit."""
    app.config["MAIL_IN_RATE"] = 1
    assert receive(mime(subject=f"Case {open_case.reference}", body="First.")).state == outcomes.COMMENTED
    raw = mime(subject=f"Case {open_case.reference}", body="Second, <b>bold</b> and no HTML rendered.",
               headers=[("X-Mailer", "Thunderbird")])
    outcome = receive(raw)
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "rate_limited")
    return InboundMessage.get(InboundMessage.state == HELD)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_held_mail_with_the_reason_in_words(client, people, held, role):
    sign_in(client, people.by_role(role))
    page = client.get("/staff/mail-in").get_data(as_text=True)
    assert "cora@example.com" in page and "more messages than the limit allows" in page
    detail = client.get(f"/staff/mail-in/{held.uuid}").get_data(as_text=True)
    assert "X-Mailer" in detail and "Thunderbird" in detail
    assert "&lt;b&gt;bold&lt;/b&gt;" in detail and "<b>bold</b>" not in detail


@pytest.mark.parametrize("role", ["customer", "proxy", "agent"])
def test_everyone_else_gets_not_found(client, people, held, role):
    sign_in(client, people.by_role(role))
    assert client.get("/staff/mail-in").status_code == 404
    assert client.get(f"/staff/mail-in/{held.uuid}").status_code == 404
    response = post_form(client, f"/staff/mail-in/{held.uuid}/discard", {}, page="/profile")
    assert response.status_code == 404
    assert InboundMessage.get_by_id(held.id).state == HELD


def test_retry_after_the_cause_is_fixed_adds_the_comment(app, client, people, open_case, held):
    app.config["MAIL_IN_RATE"] = 20
    sign_in(client, people.supervisor)
    response = post_form(client, f"/staff/mail-in/{held.uuid}/retry", {}, page=f"/staff/mail-in/{held.uuid}")
    assert response.status_code == 302
    row = InboundMessage.get_by_id(held.id)
    assert (row.state, row.outcome_state, row.attempts) == (DONE, outcomes.COMMENTED, 2)
    assert [c.body for c in comments(open_case)][-1].startswith("Second,")
    page = client.get("/staff/mail-in").get_data(as_text=True)
    assert "No held or failed email" in page


def test_discard_acts_once(client, people, held):
    sign_in(client, people.supervisor)
    post_form(client, f"/staff/mail-in/{held.uuid}/discard", {}, page=f"/staff/mail-in/{held.uuid}")
    assert InboundMessage.get_by_id(held.id).state == DISCARDED
    # A second click (from the page as it was) changes nothing and says why.
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    for action in ("discard", "retry"):
        response = client.post(f"/staff/mail-in/{held.uuid}/{action}", data={"csrf_token": token},
                               follow_redirects=True)
        assert "Only held or failed messages" in response.get_data(as_text=True)
    assert InboundMessage.get_by_id(held.id).state == DISCARDED


def test_a_processing_error_leaves_the_message_failed_with_the_error(app, people, open_case):
    app.config["UPLOAD_DIR"] = "/proc/no-such-place/uploads"  # the upload directory refuses every write
    raw = mime(subject=f"Case {open_case.reference}",
               attachments=[("notes.txt", "text/plain", b"plain notes\n")])
    assert receive(raw) is None
    row = InboundMessage.get()
    assert row.state == FAILED and row.outcome_reason == "error" and row.outcome_detail
    assert comments(open_case) == []
