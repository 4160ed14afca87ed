"""What the pipeline answers and never answers: robots are ignored and never answered, a held sender hears once
an hour, a closed case's reply is held with a link to the case page, refused files are reported while the rest
of the reply is added, and a sender over the rate limit is held without an answer."""

from __future__ import annotations

import pytest

from notifier.models import Message
from portal.mail_in import outcomes
from portal.mail_in.process import process_message
from portal.mail_in.store import store_message
from portal.mail_in.threading import reply_address
from portal.models.cases import Attachment
from tests.mail_in.core_helpers import (  # noqa: F401 - fixtures
    comments,
    mail_in_config_fixture,
    mime,
    open_case_fixture,
    team_fixture,
)

pytestmark = pytest.mark.usefixtures("mail_in_config")


def receive(raw: bytes, recipients=()):
    return process_message(store_message(raw, envelope_recipients=recipients).message.id)


def answers_to(address: str) -> list[Message]:
    return list(Message.select().where((Message.event == "mail_in_reply") & (Message.address_key == address)))


@pytest.mark.parametrize("headers, kind", [
    ([("Auto-Submitted", "auto-replied")], "auto_reply"),
    ([("Precedence", "bulk"), ("List-Id", "<news.example.com>")], "bulk"),
])
def test_robots_are_ignored_and_never_answered(people, open_case, headers, kind):
    address = reply_address(open_case.uuid, people.customer.uuid)
    outcome = receive(mime(to=address, headers=headers, subject=f"Out of office {open_case.reference}"),
                      recipients=[address])
    assert (outcome.state, outcome.reason) == (outcomes.IGNORED, kind)
    assert comments(open_case) == [] and answers_to("cora@example.com") == []


def test_our_own_message_coming_back_is_ignored(people, open_case):
    # What the notifier sends: a Message-ID in our domain and Auto-Submitted: auto-generated.
    outcome = receive(mime(sender="aga@example.com", message_id="<0b7e3c1e-1111-4222-8333-444455556666@portal.test>",
                           subject=f"[{open_case.reference}] New reply",
                           headers=[("Auto-Submitted", "auto-generated")]))
    assert (outcome.state, outcome.reason) == (outcomes.IGNORED, "own") and comments(open_case) == []


def test_a_held_stranger_is_answered_once_an_hour(open_case):
    for _ in range(3):
        outcome = receive(mime(sender="mallory@evil.example", subject=f"Re: [{open_case.reference}]"))
        assert outcome.reason == "stranger_quoted_reference"
    [answer] = answers_to("mallory@evil.example")
    assert answer.extra_headers["Auto-Submitted"] == "auto-replied"
    assert f"/cases/{open_case.reference}" not in answer.context["body"]  # no link to a case they may not see


def test_a_reply_to_a_closed_case_is_answered_with_the_case_page(app, people, open_case):
    from portal.case_config.service import system_status

    open_case.status = system_status("closed")
    open_case.save()
    address = reply_address(open_case.uuid, people.customer.uuid)
    assert receive(mime(to=address), recipients=[address]).reason == "case_closed"
    [answer] = answers_to("cora@example.com")
    assert f"/cases/{open_case.reference}" in answer.context["body"]


def test_refused_files_are_reported_and_the_rest_of_the_reply_is_added(people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    raw = mime(to=address, body="Photo and log attached.", attachments=[
        ("photo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("tool.exe", "application/octet-stream", b"MZ\x90\x00" + b"\x00" * 200),
    ])
    outcome = receive(raw, recipients=[address])
    assert outcome.state == outcomes.COMMENTED and outcome.detail == "tool.exe"
    [comment] = comments(open_case)
    assert comment.body == "Photo and log attached."
    assert [a.original_name for a in Attachment.select().where(Attachment.case == open_case)] == ["photo.png"]
    [answer] = answers_to("cora@example.com")
    assert "tool.exe" in answer.context["body"]


def test_a_sender_over_the_rate_limit_is_held_without_an_answer(app, people, open_case):
    app.config.update(MAIL_IN_RATE=2)
    results = [receive(mime(subject=f"Case {open_case.reference}", body=f"Message {n}")) for n in range(4)]
    assert [r.state for r in results] == [outcomes.COMMENTED, outcomes.COMMENTED, outcomes.HELD, outcomes.HELD]
    assert results[-1].reason == "rate_limited"
    assert len(comments(open_case)) == 2 and answers_to("cora@example.com") == []
