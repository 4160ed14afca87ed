"""Configuration from environment variables, with safe defaults for the demo.

Every setting can also be passed to create_app(config={...}); those win over the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from notifier.settings import Settings
from portal.paths import NOTIFICATION_TEMPLATES


class ConfigError(RuntimeError):
    pass


def _bool(value: str | bool | None, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return value.strip().lower() in ("1", "true", "yes", "on")


DEFAULTS: dict[str, object] = {
    "CASEPORT_ENV": "development",
    "PORTAL_NAME": "Caseport",
    "BASE_URL": "http://127.0.0.1:5000",
    "SIGNUP_ENABLED": True,
    "DEFAULT_PHONE_REGION": "US",
    "DEFAULT_TIME_ZONE": "UTC",
    # Sign-in throttling: failures allowed within the window, per account and per client address.
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_FAILURE_WINDOW_SECONDS": 900,
    "PASSWORD_RESET_MINUTES": 30,
    "EMAIL_VERIFICATION_MINUTES": 24 * 60,
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
    "UPLOAD_MAX_FILES": 10,
    # Case lifecycle: how long a closed case may be reopened, when an unanswered resolution is
    # reminded of and when it closes by itself.
    "REOPEN_DAYS": 14,
    "RESOLUTION_REMINDER_HOURS": 72,
    "RESOLUTION_AUTOCLOSE_DAYS": 7,
    "MAIL_BACKEND": "devsink",
    "MAIL_FROM": "Caseport <no-reply@caseport.localhost>",
    "SMS_BACKEND": "devsink",
}

# Settings read from the environment as strings and converted to the default's type.
ENV_KEYS = [
    *DEFAULTS,
    "DATABASE_URL",
    "SECRET_KEY",
    "UPLOAD_DIR",
    "MAIL_MESSAGE_ID_DOMAIN",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_SECURITY",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_TIMEOUT",
    "SMS_BASE_URL",
    "SMS_ACCOUNT_SID",
    "SMS_AUTH_TOKEN",
    "SMS_FROM",
    "SMS_TIMEOUT",
    "NOTIFIER_BATCH_SIZE",
    "NOTIFIER_MAX_ATTEMPTS",
    "NOTIFIER_LEASE_SECONDS",
    "NOTIFIER_INTERVAL_SECONDS",
    "TEMPLATE_RENDER_SECONDS",
    "TEMPLATE_MAX_STEPS",
    "TEMPLATE_MAX_VALUE_CHARS",
    "TEMPLATE_MAX_BUILT_CHARS",
    "TEMPLATE_MAX_MACRO_CALLS",
    "TEMPLATE_MAX_MACRO_DEPTH",
]


def load_config(overrides: dict | None, instance_path: str | Path) -> dict:
    instance = Path(instance_path)
    config: dict[str, object] = dict(DEFAULTS)
    for key in ENV_KEYS:
        if key in os.environ:
            default = DEFAULTS.get(key)
            raw = os.environ[key]
            if isinstance(default, bool):
                config[key] = _bool(raw, default)
            elif isinstance(default, int):
                try:
                    config[key] = int(raw)
                except ValueError as exc:
                    raise ConfigError(f"{key} must be a whole number, not {raw!r}") from exc
            else:
                config[key] = raw
    config.update(overrides or {})

    production = config["CASEPORT_ENV"] == "production"
    config.setdefault("DATABASE_URL", f"sqlite:///{instance / 'caseport.db'}")
    config.setdefault("UPLOAD_DIR", str(instance / "uploads"))
    config.setdefault("NOTIFICATION_TEMPLATES_DIR", str(NOTIFICATION_TEMPLATES))
    config.setdefault("MAIL_MESSAGE_ID_DOMAIN", urlsplit(str(config["BASE_URL"])).hostname or "caseport.localhost")

    if not config.get("SECRET_KEY"):
        if production:
            raise ConfigError("SECRET_KEY must be set when CASEPORT_ENV=production")
        config["SECRET_KEY"] = _instance_secret(instance)
    if production and len(str(config["SECRET_KEY"])) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")

    secure = str(config["BASE_URL"]).startswith("https://")
    config.setdefault("SESSION_COOKIE_SECURE", secure)
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_NAME", "caseport_session")
    uploads_total = int(config["UPLOAD_MAX_BYTES"]) * int(config["UPLOAD_MAX_FILES"])
    config.setdefault("MAX_CONTENT_LENGTH", uploads_total + 1_000_000)
    config["WTF_CSRF_TIME_LIMIT"] = None  # tokens live as long as the session
    _check_notifier_settings(config)
    return config


def _check_notifier_settings(config: dict) -> None:
    """Refuse to start with notifier settings (backends, template budget) the notifier would refuse."""
    try:
        Settings.from_mapping(config)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _instance_secret(instance: Path) -> str:
    """A random key kept under instance/ so demo sessions survive restarts; never committed."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
