"""SMS through an HTTP gateway speaking the Twilio Messages API, with the standard library only.

POST {SMS_BASE_URL}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded To/From/Body, HTTP basic
auth. 429, 5xx and network errors are transient (honouring Retry-After); Twilio's invalid-number
codes are permanent.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from notifier.channels.errors import PermanentDeliveryError, TransientDeliveryError
from notifier.channels.outgoing import OutgoingSms

# 21211 invalid 'To' number, 21614 not a mobile number, 21612 unreachable 'To', 21610 unsubscribed.
PERMANENT_ERROR_CODES = frozenset({21211, 21612, 21614, 21610, 21408})
MAX_RETRY_AFTER_SECONDS = 3600


class HttpSmsChannel:
    def __init__(self, settings):
        self.settings = settings
        sid = urllib.parse.quote(settings.SMS_ACCOUNT_SID, safe="")
        self.url = f"{settings.SMS_BASE_URL.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        credentials = f"{settings.SMS_ACCOUNT_SID}:{settings.SMS_AUTH_TOKEN}".encode()
        self._authorization = "Basic " + base64.b64encode(credentials).decode("ascii")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def send(self, sms: OutgoingSms) -> str:
        """Send one SMS; returns the gateway's message sid. Raises Transient/PermanentDeliveryError."""
        body = urllib.parse.urlencode({"To": sms.to_number, "From": self.settings.SMS_FROM, "Body": sms.text})
        request = urllib.request.Request(  # noqa: S310 (the URL comes from configuration)
            self.url,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Authorization": self._authorization,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            # The URL comes from configuration, never from message content.
            with urllib.request.urlopen(request, timeout=self.settings.SMS_TIMEOUT) as response:  # noqa: S310
                payload = _json(response.read())
        except urllib.error.HTTPError as error:
            raise _classified(error) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise TransientDeliveryError(f"SMS gateway unreachable: {error}") from None
        return str(payload.get("sid") or "")


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return min(float(value), MAX_RETRY_AFTER_SECONDS) if value else None
    except ValueError:
        return None  # an HTTP-date; the backoff schedule will do


def _classified(error: urllib.error.HTTPError):
    payload = _json(error.read())
    code = payload.get("code")
    detail = f"SMS gateway answered {error.code}"
    if code:
        detail += f" (code {code}: {payload.get('message', '')})"
    if error.code == 429 or error.code >= 500:
        return TransientDeliveryError(detail, retry_after=_retry_after(error))
    if code in PERMANENT_ERROR_CODES:
        return PermanentDeliveryError(detail)
    if error.code in (401, 403):
        # Bad credentials are a configuration problem: keep the message for when it is fixed.
        return TransientDeliveryError(detail)
    return PermanentDeliveryError(detail)
