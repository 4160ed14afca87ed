"""Notifier settings, read from any mapping (a Flask config, os.environ, a dict) with safe defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from email.utils import parseaddr
from pathlib import Path

from notifier.budget import TemplateLimits
from notifier.channels.webhook import allowed_networks

DEFAULT_TEMPLATES_DIR = str(Path(__file__).resolve().parent.parent / "templates" / "notifications")

_CHOICES = {
    "MAIL_BACKEND": ("devsink", "smtp"),
    "SMTP_SECURITY": ("none", "starttls", "ssl"),
    "SMS_BACKEND": ("devsink", "http", "none"),
}

_POSITIVE = (
    "SMTP_TIMEOUT", "SMTP_COMMAND_TIMEOUT", "SMTP_DATA_TIMEOUT", "SMS_TIMEOUT", "SMS_RESPONSE_TIMEOUT",
    "WEBHOOK_TIMEOUT",
    "NOTIFIER_BATCH_SIZE", "NOTIFIER_LANES", "NOTIFIER_MAX_ATTEMPTS", "NOTIFIER_LEASE_SECONDS",
    "NOTIFIER_INTERVAL_SECONDS", "NOTIFIER_IDLE_POLL_SECONDS",
    "NOTIFIER_CHANNEL_BACKOFF_BASE_SECONDS", "NOTIFIER_CHANNEL_BACKOFF_CAP_SECONDS",
    "TEMPLATE_RENDER_SECONDS", "TEMPLATE_MAX_STEPS", "TEMPLATE_MAX_VALUE_CHARS", "TEMPLATE_MAX_BUILT_CHARS",
    "TEMPLATE_MAX_MACRO_CALLS", "TEMPLATE_MAX_MACRO_DEPTH",
)


@dataclass(frozen=True)
class Settings:
    MAIL_BACKEND: str = "devsink"
    MAIL_FROM: str = "Caseport <no-reply@localhost>"
    MAIL_MESSAGE_ID_DOMAIN: str = ""
    SMTP_HOST: str = "localhost"
    SMTP_PORT: int = 25
    SMTP_SECURITY: str = "none"
    SMTP_USERNAME: str = ""
    SMTP_PASSWORD: str = ""
    # Seconds to wait for the connection, the greeting, EHLO, STARTTLS and AUTH: a relay silent this
    # long is down (nothing has been handed over, so the channel backs off and nothing is lost).
    SMTP_TIMEOUT: float = 30.0
    # Seconds to wait for the replies to MAIL, RCPT and DATA (RFC 5321 §4.5.3.2: 5 minutes for MAIL
    # and RCPT, 2 for DATA). Nothing has been handed over yet: a timeout here is a channel outage.
    SMTP_COMMAND_TIMEOUT: float = 300.0
    # Seconds to wait for the reply to the final "." (RFC 5321 §4.5.3.2.6: at least 10 minutes). The
    # relay has the message by then: a timeout here is "outcome unknown", held for review.
    SMTP_DATA_TIMEOUT: float = 600.0
    SMS_BACKEND: str = "devsink"
    SMS_BASE_URL: str = "https://api.twilio.com"
    SMS_ACCOUNT_SID: str = ""
    SMS_AUTH_TOKEN: str = ""
    SMS_FROM: str = ""
    # Seconds to connect to the gateway (a timeout is a channel outage) and, once the request is
    # sent, to wait for its answer (a timeout then is "outcome unknown", held for review).
    SMS_TIMEOUT: float = 15.0
    SMS_RESPONSE_TIMEOUT: float = 60.0
    # Seconds to connect to a webhook endpoint, and for each read of its answer.
    WEBHOOK_TIMEOUT: float = 5.0
    # Networks (CIDR) or addresses, comma-separated, that webhooks may go to although they are not
    # public (private, loopback, link-local ...); plain http only to these. Empty: none.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: str = ""
    NOTIFIER_BATCH_SIZE: int = 50
    # A batch is delivered over this many lanes at once, each a thread with its own connection to
    # the relay or gateway and to the database, so one lane's sends overlap another's waits for an
    # answer. After a crash at most one message per lane is held for review (see notifier.marks).
    # 1 by default: on a loaded 2-core machine two lanes delivered less (GIL hand-offs between
    # threads that wait for sockets); measure before raising it (tests/bench/bench_notifier.py --lanes).
    NOTIFIER_LANES: int = 1
    NOTIFIER_MAX_ATTEMPTS: int = 8
    # How long a claim on untried messages lasts; the worker renews it while it works, so this is
    # how long a crashed worker's untried messages wait for another worker.
    NOTIFIER_LEASE_SECONDS: float = 60.0
    # Per message, after a failure of that message (e.g. a 4xx for one recipient).
    NOTIFIER_BACKOFF_BASE_SECONDS: float = 30.0
    NOTIFIER_BACKOFF_CAP_SECONDS: float = 3600.0
    # Per channel, while the relay or gateway as a whole is down: the delay between probes doubles
    # from the base up to the cap; the first probe that connects resumes delivery.
    NOTIFIER_CHANNEL_BACKOFF_BASE_SECONDS: float = 1.0
    NOTIFIER_CHANNEL_BACKOFF_CAP_SECONDS: float = 30.0
    NOTIFIER_INTERVAL_SECONDS: float = 1.0
    # Within a run, once the outbox is drained, how often to look for new messages until the next
    # tick: about how long a new message waits before delivery starts (one claim query each time).
    NOTIFIER_IDLE_POLL_SECONDS: float = 0.2
    # A name for this notifier, stable across restarts and unique among running notifiers (e.g.
    # the container or unit name): a restarted worker then takes back its own unfinished claims at
    # once instead of after the lease. Default: host name and process id.
    NOTIFIER_WORKER_ID: str = ""
    NOTIFICATION_TEMPLATES_DIR: str = DEFAULT_TEMPLATES_DIR
    # The budget of one template render (all parts of one message), when sending and when an
    # admin previews or saves: see notifier.budget.
    TEMPLATE_RENDER_SECONDS: float = TemplateLimits.seconds
    TEMPLATE_MAX_STEPS: int = TemplateLimits.steps
    TEMPLATE_MAX_VALUE_CHARS: int = TemplateLimits.value_chars
    TEMPLATE_MAX_BUILT_CHARS: int = TemplateLimits.built_chars
    TEMPLATE_MAX_MACRO_CALLS: int = TemplateLimits.macro_calls
    TEMPLATE_MAX_MACRO_DEPTH: int = TemplateLimits.macro_depth

    @classmethod
    def from_mapping(cls, mapping: Mapping) -> Settings:
        """Pick the known keys from `mapping`, converting types; ValueError for an unknown choice."""
        values = {}
        for field in fields(cls):
            raw = mapping.get(field.name)
            if raw is None or raw == "":
                continue
            kind = type(field.default)
            try:
                values[field.name] = kind(raw) if kind in (int, float) else str(raw)
            except (TypeError, ValueError):
                raise ValueError(f"{field.name}: expected a number, got {raw!r}") from None
        for name in _POSITIVE:
            if name in values and not values[name] > 0:
                raise ValueError(f"{name} must be more than 0, not {values[name]!r}")
        if "WEBHOOK_ALLOW_PRIVATE_TARGETS" in values:
            try:
                allowed_networks(values["WEBHOOK_ALLOW_PRIVATE_TARGETS"])
            except ValueError as error:
                raise ValueError(f"WEBHOOK_ALLOW_PRIVATE_TARGETS: {error}") from None
        for name, choices in _CHOICES.items():
            if name in values:
                values[name] = values[name].lower()
                if values[name] not in choices:
                    raise ValueError(f"{name} must be one of {', '.join(choices)}, not {values[name]!r}")
        return cls(**values)

    @property
    def template_limits(self) -> TemplateLimits:
        return TemplateLimits(
            seconds=self.TEMPLATE_RENDER_SECONDS,
            steps=self.TEMPLATE_MAX_STEPS,
            value_chars=self.TEMPLATE_MAX_VALUE_CHARS,
            built_chars=self.TEMPLATE_MAX_BUILT_CHARS,
            macro_calls=self.TEMPLATE_MAX_MACRO_CALLS,
            macro_depth=self.TEMPLATE_MAX_MACRO_DEPTH,
        )

    @property
    def message_id_domain(self) -> str:
        """MAIL_MESSAGE_ID_DOMAIN, else the domain of MAIL_FROM, else localhost."""
        if self.MAIL_MESSAGE_ID_DOMAIN:
            return self.MAIL_MESSAGE_ID_DOMAIN
        address = parseaddr(self.MAIL_FROM)[1]
        return address.rpartition("@")[2] or "localhost"
