"""Threading, in the issue's order: signed reply address, then In-Reply-To/References naming a notifier
Message-ID, then the case reference in the subject. (2) and (3) only for senders who may comment on the case;
everything else is held with its reason and never touches the case."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from notifier.models import Message
from portal.clock import utcnow
from portal.mail_in import outcomes
from portal.mail_in.process import process_message
from portal.mail_in.store import store_message
from portal.mail_in.threading import check_token, reply_address, reply_token
from portal.models.mail_in import HELD as HELD_STATE
from tests import factories
from tests.mail_in.core_helpers import (  # noqa: F401 - fixtures
    comments,
    inbound,
    mail_in_config_fixture,
    mime,
    open_case_fixture,
    team_fixture,
)

pytestmark = pytest.mark.usefixtures("mail_in_config")


def receive(raw: bytes, recipients=(), now=None):
    stored = store_message(raw, envelope_recipients=recipients, now=now)
    return process_message(stored.message.id, now=now)


def test_a_signed_reply_address_adds_the_reply_as_the_person_it_names(people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    assert address.startswith("cases+") and address.endswith("@help.example.com")
    outcome = receive(mime(sender="somewhere-else@example.org", to=address), recipients=[address])
    assert outcome.state == outcomes.COMMENTED and outcome.case_id == open_case.id
    [comment] = comments(open_case)
    assert comment.actor_id == people.customer.id
    assert comment.body == "Thanks, that worked."  # the quoted history is not part of the comment
    assert comment.data == {"channel": "email"}


def test_the_token_survives_a_mail_system_that_upper_cases_the_address(people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid).upper()
    assert receive(mime(to=address), recipients=[address]).state == outcomes.COMMENTED


@pytest.mark.parametrize("tamper", ["flip_mac", "flip_spare_bits", "other_case", "garbage"])
def test_a_forged_reply_address_is_held_and_never_touches_the_case(people, open_case, tamper):
    token = reply_token(open_case.uuid, people.customer.uuid)
    if tamper == "flip_mac":
        token = token[:-3] + ("a" if token[-3] != "a" else "b") + token[-2:]
    elif tamper == "flip_spare_bits":  # decodes to the same bytes: still refused, one spelling per token
        token = token[:-1] + {"a": "b", "b": "a", "q": "r", "r": "q"}[token[-1]]
    elif tamper == "other_case":
        other = factories.case(people.other_customer)
        forged = reply_token(other.uuid, people.customer.uuid)
        token = reply_token(open_case.uuid, people.customer.uuid)[:26] + forged[26:]
    else:
        token = "x" * 20
    address = f"cases+{token}@help.example.com"
    outcome = receive(mime(to=address), recipients=[address])
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "forged_token")
    assert comments(open_case) == []


def test_an_expired_reply_address_is_held(app, people, open_case):
    long_ago = utcnow() - timedelta(days=app.config["MAIL_IN_TOKEN_DAYS"] + 2)
    address = reply_address(open_case.uuid, people.customer.uuid, now=long_ago)
    assert check_token(address.split("+")[1].split("@")[0]).problem == "expired_token"
    outcome = receive(mime(to=address), recipients=[address])
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "expired_token")
    assert comments(open_case) == []


def test_after_a_key_rotation_the_previous_key_still_verifies_and_a_removed_one_does_not(app, people, open_case):
    app.config["MAIL_IN_KEYS"] = "1:the-first-secret-0123456789"
    old_address = reply_address(open_case.uuid, people.customer.uuid)
    app.config["MAIL_IN_KEYS"] = "2:the-second-secret-0123456789,1:the-first-secret-0123456789"
    new_address = reply_address(open_case.uuid, people.customer.uuid)
    assert new_address != old_address
    assert receive(mime(to=old_address), recipients=[old_address]).state == outcomes.COMMENTED
    assert receive(mime(to=new_address), recipients=[new_address]).state == outcomes.COMMENTED
    app.config["MAIL_IN_KEYS"] = "2:the-second-secret-0123456789"
    outcome = receive(mime(to=old_address), recipients=[old_address])
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "retired_key")
    assert len(comments(open_case)) == 2


def test_derived_keys_rotate_with_the_key_id(app, people, open_case):
    old_address = reply_address(open_case.uuid, people.customer.uuid)
    app.config["MAIL_IN_KEY_ID"] = 2
    assert check_token(old_address.split("+")[1].split("@")[0]).problem == ""
    app.config["MAIL_IN_KEY_ID"] = 3
    assert check_token(old_address.split("+")[1].split("@")[0]).problem == "retired_key"


def test_a_reply_address_of_someone_who_lost_access_is_held(people, open_case):
    address = reply_address(open_case.uuid, people.other_customer.uuid)
    outcome = receive(mime(sender="otto@example.com", to=address), recipients=[address])
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "token_person_gone")
    assert comments(open_case) == []


def _notifier_message_about(case, to_address) -> str:
    message = Message.create(key=f"test:{uuid.uuid4()}", event="case_replied", channel="email", address=to_address,
                             address_key=to_address, topic=case.reference, thread=case.uuid, context={},
                             status="sent", created_at=utcnow(), next_attempt_at=utcnow())
    return f"<{message.uuid}@portal.test>"


def test_in_reply_to_a_notification_from_a_participant_is_added_as_the_sender(people, open_case):
    sent = _notifier_message_about(open_case, "cora@example.com")
    outcome = receive(mime(sender="Cora@Example.com", to="cases@help.example.com", in_reply_to=sent,
                           subject="Re: something else entirely"))
    assert outcome.state == outcomes.COMMENTED and outcome.case_id == open_case.id
    assert comments(open_case)[0].actor_id == people.customer.id


def test_in_reply_to_a_notification_from_a_stranger_is_held(people, open_case):
    sent = _notifier_message_about(open_case, "cora@example.com")
    raw = mime(sender="otto@example.com", in_reply_to=sent)
    outcome = receive(raw)
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "stranger_in_reply_to")
    assert comments(open_case) == []
    assert inbound(_message_id(raw)).state == HELD_STATE


def test_in_reply_to_from_an_address_nobody_has_is_held(open_case):
    sent = _notifier_message_about(open_case, "cora@example.com")
    outcome = receive(mime(sender="mallory@evil.example", in_reply_to=sent))
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "stranger_in_reply_to")


def test_the_subject_reference_from_a_participant_is_added(people, open_case):
    outcome = receive(mime(sender="cora@example.com", subject=f"About case {open_case.reference} again"))
    assert outcome.state == outcomes.COMMENTED and outcome.case_id == open_case.id


def test_the_subject_reference_from_a_stranger_is_held(people, open_case):
    outcome = receive(mime(sender="otto@example.com", subject=f"[{open_case.reference}] let me in"))
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "stranger_quoted_reference")
    assert comments(open_case) == []


def test_staff_who_handle_the_case_may_answer_by_subject_reference(people, open_case):
    outcome = receive(mime(sender="aga@example.com", subject=f"Re: [{open_case.reference}] printer"))
    assert outcome.state == outcomes.COMMENTED
    assert comments(open_case)[0].actor_id == people.agent.id


def test_a_reply_to_a_closed_case_is_held_and_the_case_stays_closed(people, open_case):
    from portal.case_config.service import system_status

    open_case.status = system_status("closed")
    open_case.save()
    address = reply_address(open_case.uuid, people.customer.uuid)
    outcome = receive(mime(to=address), recipients=[address])
    assert (outcome.state, outcome.reason) == (outcomes.HELD, "case_closed")
    assert comments(open_case) == []


def _message_id(raw: bytes) -> str:
    from portal.mail_in.store import header_message_id

    return header_message_id(raw)


@pytest.mark.parametrize("config", [
    {"MAIL_IN_KEYS": "1:short"},
    {"MAIL_IN_KEYS": "x:a-long-enough-secret-123"},
    {"MAIL_IN_KEYS": "1:a-long-enough-secret-123,1:another-long-secret-456"},
    {"MAIL_IN_KEY_ID": 256},
    {"MAIL_IN_ADDRESS": "cases+x@example.com"},
    {"MAIL_IN_ADDRESS": "no-domain"},
])
def test_the_app_refuses_to_start_with_unreadable_mail_in_settings(tmp_path, config):
    from portal.config import ConfigError, load_config

    with pytest.raises(ConfigError):
        load_config({"SECRET_KEY": "k" * 40, **config}, tmp_path)


def test_the_pipe_without_envelope_recipients_reads_to_cc_and_delivered_to(people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    # As Postfix's local delivery writes it (raw: a library would fold the long address into encoded words).
    raw = f"Delivered-To: {address}\r\n".encode() + mime(to="someone@example.com")
    outcome = receive(raw)
    assert (outcome.state, outcome.reason) == (outcomes.COMMENTED, "")
