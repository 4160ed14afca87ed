"""Webhooks: a JSON POST signed as the Standard Webhooks specification says
(https://www.standardwebhooks.com), to a target checked against server-side request forgery.

- Headers: `webhook-id` (stable across retries and redeliveries: receivers deduplicate on it),
  `webhook-timestamp` (seconds, the time of this attempt), `webhook-signature` (`v1,<base64 HMAC-SHA256
  of "id.timestamp.body">`, one per valid secret, space-separated while a rotated secret is still valid).
- The target's host is resolved when sending and every address it resolves to must be public (not
  private, loopback, link-local, multicast, reserved or unspecified, IPv4-mapped IPv6 included) or
  inside an allowed network (WEBHOOK_ALLOW_PRIVATE_TARGETS); the connection goes to the address that
  was checked, so DNS cannot answer differently between the check and the connect. Plain http is only
  for targets inside an allowed network.
- Redirects are not followed. 2xx is delivered; 410 Gone is permanent (the message is dead); any
  other answer (3xx, 4xx, 5xx), a timeout (WEBHOOK_TIMEOUT for connecting and for each read) or a
  connection error is transient: retried with the outbox's backoff. A timeout after the request went
  out may have been delivered: webhooks are at-least-once, the receiver recognises the repeat by its
  `webhook-id`.

The host says where an address (its endpoint's id) goes and with which secrets (`WebhookDirectory`),
and hears each attempt's outcome, e.g. to pause an endpoint that keeps failing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Protocol

from notifier.channels.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from notifier.channels.spec import Channel
from notifier.clock import utcnow
from notifier.template_errors import RenderError
from notifier.words import Words, _l

log = logging.getLogger("notifier.webhook")

WEBHOOK = "webhook"
USER_AGENT = "Caseport-Webhooks/1.0"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of every secret, not a secret
MAX_URL_CHARS = 2000
# The body of the answer is not used; a little is read so the connection ends cleanly.
_READ_LIMIT = 4096


class TargetRefused(ValueError):
    """A URL or address webhooks may not be sent to; `reason` is for people (notifier.words)."""

    def __init__(self, reason: Words):
        self.reason = reason
        super().__init__(str(reason))


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    # The secrets to sign with ("whsec_" + base64), the current one first.
    secrets: tuple[str, ...]


class WebhookDirectory(Protocol):
    def target(self, address: str) -> WebhookTarget | None:
        """Where the endpoint called address sends to now; None when it no longer exists."""

    def outcome(self, address: str, delivered: bool, detail: str) -> None:
        """One attempt's outcome for the endpoint (called after every attempt)."""


# --- secrets and signatures -----------------------------------------------------------------------

def new_secret() -> str:
    """A fresh signing secret as receivers configure it: whsec_ + base64 of 32 random bytes."""
    import secrets

    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_bytes(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    return base64.b64decode(raw)


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


# --- targets ----------------------------------------------------------------------------------------

def allowed_networks(setting: str) -> tuple:
    """WEBHOOK_ALLOW_PRIVATE_TARGETS: a comma-separated list of networks (CIDR) or addresses that may
    be targets although they are not public (e.g. "127.0.0.1" in tests). ValueError when malformed."""
    networks = []
    for item in (setting or "").split(","):
        if item.strip():
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
    return tuple(networks)


def _plain(ip):
    """An IPv4 address hidden in an IPv6 one (IPv4-mapped, 6to4, Teredo) is judged as IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return ip


def is_allowed(ip, networks) -> bool:
    return any(ip.version == network.version and ip in network for network in networks)


def address_refusal(address: str, networks=()) -> Words | None:
    """Why webhooks may not go to this IP address, or None."""
    ip = _plain(ipaddress.ip_address(address.split("%")[0]))
    if is_allowed(ip, networks):
        return None
    if ip.is_global and not ip.is_multicast and not ip.is_reserved:
        return None
    return _l("%(address)s is a private, loopback, link-local or otherwise non-public address",
              address=str(ip))


@dataclass(frozen=True)
class CheckedTarget:
    scheme: str
    host: str
    port: int
    path: str
    ip: str


def parse_url(url: str) -> urllib.parse.SplitResult:
    """The URL's parts, or TargetRefused for anything that is not a plain http(s) URL."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS or any(c.isspace() for c in url):
        raise TargetRefused(_l("Enter a complete URL without spaces, e.g. https://example.com/hooks."))
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise TargetRefused(_l("Enter a complete URL without spaces, e.g. https://example.com/hooks.")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetRefused(_l("The URL must start with https:// and name a host."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(_l("The URL must not contain a user name or password."))
    if parts.fragment:
        raise TargetRefused(_l("The URL must not contain a fragment (#...)."))
    return parts


def check_target(url: str, allow_setting: str = "") -> CheckedTarget:
    """Resolve the URL's host and check every address it resolves to; returns the address to connect
    to. Raises TargetRefused (not a URL, plain http to a public target, a forbidden address, a host
    that does not resolve)."""
    parts = parse_url(url)
    networks = allowed_networks(allow_setting)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        raise TargetRefused(_l("The host %(host)s could not be found.", host=host)) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise TargetRefused(_l("The host %(host)s could not be found.", host=host))
    for address in addresses:
        refusal = address_refusal(address, networks)
        if refusal is not None:
            raise TargetRefused(refusal)
    if parts.scheme == "http" and not all(is_allowed(_plain(ipaddress.ip_address(a.split("%")[0])), networks)
                                          for a in addresses):
        raise TargetRefused(_l("The URL must start with https://."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return CheckedTarget(parts.scheme, host, port, path, addresses[0])


# --- sending ----------------------------------------------------------------------------------------

class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, target: CheckedTarget, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = target.ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address; TLS checks the certificate against the host name (SNI too)."""

    def __init__(self, target: CheckedTarget, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._ip = target.ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class OutgoingWebhook:
    message_uuid: str
    address: str
    webhook_id: str
    body: bytes


def _host_header(checked: CheckedTarget) -> str:
    host = f"[{checked.host}]" if ":" in checked.host else checked.host
    default = 443 if checked.scheme == "https" else 80
    return host if checked.port == default else f"{host}:{checked.port}"


def _retry_after(value: str | None) -> float | None:
    try:
        return min(max(float(value), 0.0), 3600.0) if value else None
    except ValueError:
        return None


class WebhookSender:
    # Each endpoint answers for itself: no breaker for the channel as a whole (an endpoint that keeps
    # failing is paused by the host instead).
    endpoint = None

    def __init__(self, settings, directory: WebhookDirectory):
        self.settings, self.directory = settings, directory

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    @property
    def max_send_seconds(self) -> float:
        # Connect, send, status line and headers: each may take the timeout.
        return 4 * self.settings.WEBHOOK_TIMEOUT + 30

    def probe(self) -> None:
        pass

    def send(self, webhook: OutgoingWebhook) -> str:
        """POST the webhook; returns "HTTP <status>". Raises Transient or PermanentDeliveryError."""
        try:
            result = self._post(webhook)
        except DeliveryError as error:
            self._tell(webhook.address, False, str(error))
            raise
        self._tell(webhook.address, True, result)
        return result

    def _tell(self, address: str, delivered: bool, detail: str) -> None:
        try:
            self.directory.outcome(address, delivered, detail)
        except Exception:  # the outcome of the send stands; the host's bookkeeping must not change it
            log.exception("webhook outcome hook failed for %s", address)

    def _post(self, webhook: OutgoingWebhook) -> str:
        target = self.directory.target(webhook.address)
        if target is None:
            raise PermanentDeliveryError("the webhook endpoint no longer exists")
        if not target.secrets:
            raise PermanentDeliveryError("the webhook endpoint has no signing secret")
        try:
            checked = check_target(target.url, self.settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)
        except TargetRefused as refused:
            raise PermanentDeliveryError(f"target refused: {refused}") from None
        timestamp = int(utcnow().timestamp())
        headers = {
            "Host": _host_header(checked),
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": webhook.webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(secret, webhook.webhook_id, timestamp, webhook.body)
                                          for secret in target.secrets),
        }
        connection_class = _PinnedHTTPSConnection if checked.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(checked, self.settings.WEBHOOK_TIMEOUT)
        try:
            connection.request("POST", checked.path, body=webhook.body, headers=headers)
            response = connection.getresponse()
            status = response.status
            retry_after = response.getheader("Retry-After")
            response.read(_READ_LIMIT)
        except TimeoutError:
            raise TransientDeliveryError("timed out") from None
        except (OSError, http.client.HTTPException) as error:
            raise TransientDeliveryError(f"connection failed: {type(error).__name__}: {error}") from None
        finally:
            connection.close()
        if 200 <= status < 300:
            return f"HTTP {status}"
        if status == 410:
            raise PermanentDeliveryError(f"HTTP {status}: the endpoint is gone")
        if 300 <= status < 400:
            raise TransientDeliveryError(f"HTTP {status}: redirects are not followed")
        raise TransientDeliveryError(f"HTTP {status}", retry_after=_retry_after(retry_after) if status in (429, 503)
                                     else None)


# --- the channel ------------------------------------------------------------------------------------

def _address(address: str) -> str:
    # An endpoint's address is its UUID.
    return str(uuid.UUID(address))


def _render(message) -> dict:
    context = message.context or {}
    if not isinstance(context.get("payload"), dict) or not context.get("webhook_id"):
        raise RenderError("a webhook message needs a payload and a webhook_id")
    # Serialised once: every retry sends the same bytes, with the same signature input.
    body = json.dumps(context["payload"], ensure_ascii=False, separators=(",", ":"))
    return {"body": body, "webhook_id": str(context["webhook_id"])}


def webhook_channel(directory: WebhookDirectory) -> Channel:
    """The webhook channel, to register with notifier.registry.register. Messages are ordered per
    (endpoint, thread): give every delivery about one case the case's id as its thread."""
    return Channel(
        name=WEBHOOK,
        normalise=_address,
        sender=lambda settings: WebhookSender(settings, directory),
        outgoing=lambda message: OutgoingWebhook(
            message_uuid=str(message.uuid),
            address=message.address,
            webhook_id=message.rendered["webhook_id"],
            body=message.rendered["body"].encode("utf-8"),
        ),
        render=_render,
        ordered=True,
    )
