"""`caseport mail-in` as an MTA's pipe transport runs it: a real subprocess reading real MIME bytes on standard
input, against this test's database. Stored before exit 0; a redelivery does nothing; a crash between storing
and processing loses nothing; two processors racing act once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from portal.clock import utcnow
from portal.mail_in import outcomes
from portal.mail_in.process import process_message, process_waiting
from portal.mail_in.receive import CRASH_AFTER_STORE, EX_CANTCREAT, EX_TEMPFAIL
from portal.mail_in.store import store_message
from portal.mail_in.threading import reply_address
from portal.models.mail_in import DONE, NEW, PROCESSING, InboundMessage
from tests.mail_in.core_helpers import (  # noqa: F401 - fixtures
    MAIL_IN,
    comments,
    inbound,
    mail_in_config_fixture,
    mime,
    open_case_fixture,
    team_fixture,
)

pytestmark = pytest.mark.usefixtures("mail_in_config")

CASEPORT = str(Path(sys.executable).with_name("caseport"))


def pipe(app, raw: bytes, *args, extra_env=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
           "BASE_URL": app.config["BASE_URL"], "UPLOAD_DIR": app.config["UPLOAD_DIR"], "MAIL_BACKEND": "devsink",
           "SMS_BACKEND": "devsink", "MAIL_IN_MAX_BYTES": str(app.config["MAIL_IN_MAX_BYTES"]),
           **{key: str(value) for key, value in MAIL_IN.items()}, **(extra_env or {})}
    return subprocess.run([CASEPORT, "mail-in", *args], input=raw, env=env, capture_output=True, timeout=120)


def test_a_piped_reply_is_stored_and_becomes_a_comment(app, people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    raw = mime(to=address, body="Piped through Postfix.")
    done = pipe(app, raw, "--sender", "cora@example.com", "--recipient", address)
    assert done.returncode == 0, done.stderr.decode()
    row = InboundMessage.get()
    assert bytes(row.raw) == raw and row.envelope_recipients == [address] and row.state == DONE
    assert (row.outcome_state, row.case_id) == (outcomes.COMMENTED, open_case.id)
    assert [c.body for c in comments(open_case)] == ["Piped through Postfix."]


def test_a_redelivered_message_is_accepted_and_does_nothing(app, people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    raw = mime(to=address, message_id="<same-one@mail.example.com>")
    assert pipe(app, raw, "--recipient", address).returncode == 0
    assert pipe(app, raw, "--recipient", address).returncode == 0
    # The same Message-ID with other bytes (a server added a header on the second try) is the same message.
    assert pipe(app, b"X-Retried: yes\r\n" + raw, "--recipient", address).returncode == 0
    assert InboundMessage.select().count() == 1
    assert len(comments(open_case)) == 1


def test_without_a_message_id_the_bytes_tell_a_redelivery(app, people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    raw = b"\r\n".join(line for line in mime(to=address).split(b"\r\n") if not line.startswith(b"Message-ID"))
    assert pipe(app, raw, "--recipient", address).returncode == 0
    assert pipe(app, raw, "--recipient", address).returncode == 0
    assert InboundMessage.select().count() == 1 and len(comments(open_case)) == 1


def test_a_message_over_the_limit_is_refused_so_the_mta_bounces_it(app, people, open_case):
    app.config["MAIL_IN_MAX_BYTES"] = 50_000
    raw = mime(attachments=[("big.bin", "application/octet-stream", os.urandom(60_000))])
    done = pipe(app, raw)
    assert done.returncode == EX_CANTCREAT
    assert InboundMessage.select().count() == 0


def test_a_crash_between_storing_and_processing_loses_nothing(app, people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    raw = mime(to=address, body="Sent just before the crash.")
    done = pipe(app, raw, "--recipient", address, extra_env={CRASH_AFTER_STORE: "1"})
    assert done.returncode == -signal.SIGKILL
    row = InboundMessage.get()
    assert row.state == NEW and comments(open_case) == []
    # The scheduler job leaves fresh messages to their receiving process ...
    assert process_waiting(utcnow()) == 0
    # ... and takes over those left behind for more than a minute.
    assert process_waiting(utcnow() + timedelta(minutes=2)) == 1
    assert [c.body for c in comments(open_case)] == ["Sent just before the crash."]
    assert InboundMessage.get().state == DONE


def test_the_mta_retrying_after_a_crash_gets_the_message_processed(app, people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    raw = mime(to=address)
    assert pipe(app, raw, "--recipient", address, extra_env={CRASH_AFTER_STORE: "1"}).returncode == -signal.SIGKILL
    assert pipe(app, raw, "--recipient", address).returncode == 0
    assert len(comments(open_case)) == 1 and InboundMessage.get().state == DONE


def test_a_claim_whose_worker_died_is_taken_over_after_a_minute(app, people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    stored = store_message(mime(to=address), envelope_recipients=[address])
    now = utcnow()
    InboundMessage.update(state=PROCESSING, claimed_at=now, claim_token="dead-worker").execute()
    assert process_message(stored.message.id, now=now + timedelta(seconds=30)) is None
    assert process_message(stored.message.id, now=now + timedelta(seconds=90)).state == outcomes.COMMENTED
    assert len(comments(open_case)) == 1


def test_two_processors_racing_for_one_message_act_once(app, people, open_case):
    address = reply_address(open_case.uuid, people.customer.uuid)
    stored = store_message(mime(to=address), envelope_recipients=[address])
    barrier = threading.Barrier(4)
    results = []

    def worker():
        from portal import settings

        with settings.using(app.config, app.url_map):
            barrier.wait()
            results.append(process_message(stored.message.id))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r.state if r else "" for r in results) == ["", "", "", outcomes.COMMENTED]
    assert len(comments(open_case)) == 1
    assert inbound(stored.message.message_id).attempts == 1


def test_a_pipe_that_cannot_start_asks_the_mta_to_try_again_later(app):
    done = pipe(app, mime(), extra_env={"MAIL_IN_KEYS": "not-a-key-list"})
    assert done.returncode == EX_TEMPFAIL
