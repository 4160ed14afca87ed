"""Stopping the notifier process as an operator does (systemd, `docker stop` and `kill` send SIGTERM):
it finishes and marks the batch it is sending, so nothing is left in flight to be held for review,
leaves the rest queued for the next worker, and exits at once rather than when its run would end."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from notifier import outbox
from tests.mail_in.test_core_pipe import CASEPORT
from tests.notifier.factories import email_to, enqueue_test_message
from tests.notifier.test_faults import slow_smtp  # noqa: F401 - fixture


def test_sigterm_stops_the_notifier_after_the_batch_it_is_sending(app, slow_smtp):  # noqa: F811
    slow_smtp.handler.data_delay = 0.2
    for n in range(30):
        enqueue_test_message([email_to(f"user{n}@example.com")], key=f"k{n}", now=None)
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
           "BASE_URL": app.config["BASE_URL"], "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(slow_smtp.port), "MAIL_MESSAGE_ID_DOMAIN": "caseport.test",
           # a run would go on polling for work for 54 s; five messages a batch, a second each
           "NOTIFIER_INTERVAL_SECONDS": "60", "NOTIFIER_BATCH_SIZE": "5"}
    process = subprocess.Popen([CASEPORT, "notifier"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout.readline().startswith(b"Notifier running")
        deadline = time.monotonic() + 30
        while slow_smtp.handler.data_started < 2:
            assert time.monotonic() < deadline, "nothing was sent"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        assert process.wait(timeout=20) == 0, process.stderr.read().decode()
        assert time.monotonic() - stopped < 5
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    counts = outbox.status_counts()
    assert counts["sending"] == counts["unknown"] == counts["dead"] == 0, counts
    # the batch it was sending (the first, unless this machine is very slow), whole; the rest queued
    assert counts["sent"] in (5, 10, 15, 20, 25) and counts["queued"] == 30 - counts["sent"], counts
    received = slow_smtp.count_by_message_id()
    assert len(received) == counts["sent"] and set(received.values()) == {1}
