"""A notifier worker in its own process, for kill tests: delivers due mail to a local SMTP server
until it is killed. Usage: python -m tests.notifier.worker_process DATABASE_URL SMTP_PORT WORKER_ID LEASE LANES"""

from __future__ import annotations

import sys
import time

import notifier
from notifier.dispatcher import deliver_due
from portal.db import connect
from tests.notifier.conftest import make_settings


def main(url: str, port: str, worker_id: str, lease: str, lanes: str) -> None:
    db = connect(url)
    notifier.bind_database(db)
    settings = make_settings(MAIL_BACKEND="smtp", SMTP_PORT=int(port), NOTIFIER_WORKER_ID=worker_id,
                             NOTIFIER_LEASE_SECONDS=float(lease), NOTIFIER_BATCH_SIZE=10, NOTIFIER_MAX_ATTEMPTS=3,
                             NOTIFIER_LANES=int(lanes))
    print("ready", flush=True)
    with db.connection_context():
        while True:
            if not deliver_due(settings).claimed:
                time.sleep(0.02)


if __name__ == "__main__":
    main(*sys.argv[1:])
