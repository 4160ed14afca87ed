"""Real local servers tests talk to: an SMTP server (aiosmtpd) and a fake Twilio HTTP gateway, with
fixtures that start and stop them. Both bind 127.0.0.1 only. Import the fixtures into a conftest or
test module to use them (`from tests.servers import smtp_server, sms_gateway`)."""

from __future__ import annotations

import base64
import itertools
import json
import socket
import threading
from collections import Counter, defaultdict
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    """Accepts mail, except recipients whose local part says otherwise ("refused" → 550,
    "later" → 451), and records each message as received."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("refused"):
            return "550 5.1.1 no such user"
        if local.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(
                {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "message": parsed}
            )
        return "250 Message accepted"


class SmtpServer:
    """aiosmtpd on a fixed port of 127.0.0.1 that a test can stop and start again (outages)."""

    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = None
        self.sessions = 0

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        with self.handler.lock:
            return [entry["message"] for entry in self.handler.received]

    def count_by_message_id(self) -> Counter:
        return Counter(message["Message-ID"] for message in self.messages)


class FakeTwilio:
    """A Twilio-shaped Messages endpoint. `script[number]` lists (status, headers, body) answers to
    give before succeeding; numbers in `invalid` get Twilio's 21211 error."""

    def __init__(self, sid="AC123", token="secret-token"):
        self.sid = sid
        self.token = token
        self.received = []
        self.rejected_auth = 0
        self.script = defaultdict(list)
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                fake._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _reply(self, handler, status, body, headers=None):
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        expected = "Basic " + base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        if handler.path != f"/2010-04-01/Accounts/{self.sid}/Messages.json":
            return self._reply(handler, 404, {"code": 20404, "message": "not found"})
        if handler.headers.get("Authorization") != expected:
            with self.lock:
                self.rejected_auth += 1
            return self._reply(handler, 401, {"code": 20003, "message": "Authenticate"})
        number = form.get("To", "")
        with self.lock:
            scripted = self.script[number].pop(0) if self.script[number] else None
        if scripted is not None:
            status, headers, body = scripted
            return self._reply(handler, status, body, headers)
        if number.endswith("0000"):
            return self._reply(handler, 400, {"code": 21211, "message": f"The 'To' number {number} is not valid"})
        sid = f"SM{next(self._ids):032d}"
        with self.lock:
            self.received.append({**form, "sid": sid})
        return self._reply(handler, 201, {"sid": sid, "status": "queued", "to": number})


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway():
    gateway = FakeTwilio()
    gateway.start()
    yield gateway
    gateway.stop()
