"""A real HTTP receiver on 127.0.0.1 that answers as a test scripts it (fail, time out, redirect,
recover), and the app set up to deliver webhooks to it."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from portal.clock import utcnow
from portal.db import database
from portal.events.service import record
from portal.webhooks import service
from tests import factories
from tests.servers import smtp_server  # noqa: F401 - a fixture


class Receiver:
    """Records every request. `script` holds answers for the next requests, in order: "ok", "500",
    "timeout" (answers after the sender gave up), "redirect" (302 to /elsewhere); when empty, "ok"."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                receiver._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handle(self, handler):
        body = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        with self.lock:
            answer = self.script.pop(0) if self.script else "ok"
            self.requests.append({"path": handler.path, "headers": dict(handler.headers.items()), "body": body,
                                  "answer": answer})
        if answer == "timeout":
            time.sleep(1.5)
        status = {"ok": 204, "500": 500, "timeout": 204, "redirect": 302, "410": 410}[answer]
        handler.send_response(status)
        if answer == "redirect":
            handler.send_header("Location", f"http://127.0.0.1:{self.port}/elsewhere")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def delivered(self) -> list[dict]:
        """The requests answered with success, as (webhook-id, payload)."""
        with self.lock:
            return [r for r in self.requests if r["answer"] == "ok"]

    def payloads(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.delivered()]


@pytest.fixture
def receiver():
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def webhook_app(app):
    app.config.update(WEBHOOK_ALLOW_PRIVATE_TARGETS="127.0.0.1", WEBHOOK_TIMEOUT=0.5,
                      NOTIFIER_BACKOFF_BASE_SECONDS=10, NOTIFIER_BACKOFF_CAP_SECONDS=60,
                      NOTIFIER_MAX_ATTEMPTS=8)
    return app


@pytest.fixture
def admin(webhook_app):
    return factories.user(role="admin", email="ada@example.com", display_name="Ada Admin")


@pytest.fixture
def make_endpoint(admin, receiver):
    def _make(url=None, event_types=("case.created", "case.commented", "case.status_changed"), **overrides):
        data = service.EndpointInput(url=url or receiver.url, event_types=tuple(event_types), **overrides)
        return service.create_endpoint(admin, data)

    return _make


@pytest.fixture
def event_on(admin):
    """event_on(case, type) records a typed event as a service would, in its own transaction."""

    def _record(case, type="case.commented", **data):
        with database.atomic():
            return record(type, case=case, actor=admin, data=data or {"n": 1})

    return _record


@pytest.fixture
def run_until_idle(deliver):
    """Deliver round after round, each later than the last retry could be due, until nothing is left."""

    def _run(rounds: int = 30, channels=("webhook",)):
        moment = utcnow()
        reports = []
        for _ in range(rounds):
            moment += timedelta(minutes=2)
            report = deliver(now=moment, channels=list(channels))
            reports.append(report)
            if report.claimed == 0:
                break
        return reports

    return _run


def verify(secret: str, request: dict) -> dict:
    """The payload when the request's signature verifies with secret (standardwebhooks raises otherwise)."""
    headers = {name.lower(): value for name, value in request["headers"].items()}
    return Webhook(secret).verify(request["body"], headers)


def new_case():
    """A case of a new customer (factories.case needs one)."""
    return factories.case(factories.user(role="customer"))
