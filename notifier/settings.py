"""Notifier settings, read from any mapping (a Flask config, os.environ, a dict) with safe defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from email.utils import parseaddr
from pathlib import Path

from notifier.budget import TemplateLimits

DEFAULT_TEMPLATES_DIR = str(Path(__file__).resolve().parent.parent / "templates" / "notifications")

_CHOICES = {
    "MAIL_BACKEND": ("devsink", "smtp"),
    "SMTP_SECURITY": ("none", "starttls", "ssl"),
    "SMS_BACKEND": ("devsink", "http", "none"),
}

_POSITIVE = (
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
    SMTP_TIMEOUT: float = 30.0
    SMS_BACKEND: str = "devsink"
    SMS_BASE_URL: str = "https://api.twilio.com"
    SMS_ACCOUNT_SID: str = ""
    SMS_AUTH_TOKEN: str = ""
    SMS_FROM: str = ""
    SMS_TIMEOUT: float = 15.0
    NOTIFIER_BATCH_SIZE: int = 50
    NOTIFIER_MAX_ATTEMPTS: int = 8
    NOTIFIER_LEASE_SECONDS: float = 300.0
    NOTIFIER_BACKOFF_BASE_SECONDS: float = 30.0
    NOTIFIER_BACKOFF_CAP_SECONDS: float = 3600.0
    NOTIFIER_INTERVAL_SECONDS: float = 5.0
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
