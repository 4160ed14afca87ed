"""SMS through an HTTP gateway speaking the Twilio Messages API, with the standard library only.

POST {SMS_BASE_URL}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded To/From/Body, HTTP basic
auth. What a failure means depends on when it happens:
- before the request is sent (connect refused or timed out, SMS_TIMEOUT) and 429 / 503 answers:
  the gateway as a whole is unavailable (ChannelDownError: the channel backs off, honouring
  Retry-After, and the message's attempt is not spent);
- after the request is sent, no answer within SMS_RESPONSE_TIMEOUT or a dropped connection: the
  gateway may have accepted it (OutcomeUnknownError: held for review, never resent blindly);
- other 5xx: transient for this message; Twilio's invalid-number codes: permanent.
"""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import urllib.parse

from notifier.channels.errors import (
    ChannelDownError,
    OutcomeUnknownError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifier.channels.outgoing import OutgoingSms

# 21211 invalid 'To' number, 21614 not a mobile number, 21612 unreachable 'To', 21610 unsubscribed.
PERMANENT_ERROR_CODES = frozenset({21211, 21612, 21614, 21610, 21408})
MAX_RETRY_AFTER_SECONDS = 3600


class HttpSmsChannel:
    def __init__(self, settings):
        self.settings = settings
        sid = urllib.parse.quote(settings.SMS_ACCOUNT_SID, safe="")
        base = urllib.parse.urlsplit(settings.SMS_BASE_URL.rstrip("/"))
        self.https = base.scheme == "https"
        self.host = base.hostname or ""
        self.port = base.port or (443 if self.https else 80)
        self.path = f"{base.path}/2010-04-01/Accounts/{sid}/Messages.json"
        credentials = f"{settings.SMS_ACCOUNT_SID}:{settings.SMS_AUTH_TOKEN}".encode()
        self._authorization = "Basic " + base64.b64encode(credentials).decode("ascii")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    @property
    def endpoint(self) -> str:
        return self.settings.SMS_BASE_URL

    @property
    def max_send_seconds(self) -> float:
        return self.settings.SMS_TIMEOUT * 2 + self.settings.SMS_RESPONSE_TIMEOUT + 60

    def _connect(self) -> http.client.HTTPConnection:
        timeout = self.settings.SMS_TIMEOUT
        if self.https:
            connection = http.client.HTTPSConnection(
                self.host, self.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.connect()
        except OSError as error:
            connection.close()
            raise ChannelDownError(f"SMS gateway unreachable: {type(error).__name__}: {error}") from None
        return connection

    def probe(self) -> None:
        """Connect to the gateway (it answers) or raise ChannelDownError."""
        self._connect().close()

    def send(self, sms: OutgoingSms) -> str:
        """Send one SMS; returns the gateway's message sid. Raises ChannelDown/Transient/Permanent/OutcomeUnknown."""
        body = urllib.parse.urlencode({"To": sms.to_number, "From": self.settings.SMS_FROM, "Body": sms.text})
        connection = self._connect()
        try:
            try:
                connection.request("POST", self.path, body=body.encode("utf-8"), headers={
                    "Authorization": self._authorization,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                })
            except OSError as error:
                # An incomplete request is not acted on: nothing was handed over.
                raise ChannelDownError(f"SMS gateway dropped the connection: {error}") from None
            # The gateway has the request now: from here a silence means "outcome unknown".
            connection.sock.settimeout(self.settings.SMS_RESPONSE_TIMEOUT)
            try:
                response = connection.getresponse()
                status, headers, raw = response.status, response.headers, response.read()
            except (OSError, http.client.HTTPException) as error:
                raise OutcomeUnknownError(
                    f"no answer from the SMS gateway after the request was sent ({type(error).__name__}: "
                    f"{error}): it may have been sent"
                ) from None
        finally:
            connection.close()
        payload = _json(raw)
        if 200 <= status < 300:
            return str(payload.get("sid") or "")
        raise _classified(status, headers, payload)


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _retry_after(headers) -> float | None:
    value = headers.get("Retry-After") if headers else None
    try:
        return min(float(value), MAX_RETRY_AFTER_SECONDS) if value else None
    except ValueError:
        return None  # an HTTP-date; the backoff schedule will do


def _classified(status: int, headers, payload: dict):
    code = payload.get("code")
    detail = f"SMS gateway answered {status}"
    if code:
        detail += f" (code {code}: {payload.get('message', '')})"
    if status in (429, 503):
        # Rate limited or unavailable as a whole: back off the channel, not this message.
        return ChannelDownError(detail, retry_after=_retry_after(headers))
    if status >= 500:
        return TransientDeliveryError(detail, retry_after=_retry_after(headers))
    if code in PERMANENT_ERROR_CODES:
        return PermanentDeliveryError(detail)
    if status in (401, 403):
        # Bad credentials are a configuration problem: keep the message for when it is fixed.
        return TransientDeliveryError(detail)
    return PermanentDeliveryError(detail)
