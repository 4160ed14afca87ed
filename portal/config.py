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
    # The language for visitors whose browser asks for none Caseport ships (en, de, es), and for
    # notifications to addresses with no account.
    "DEFAULT_LANGUAGE": "en",
    # More language tags to offer (comma-separated, e.g. "ar"): shown untranslated until a catalogue
    # exists, with their dates, numbers and writing direction.
    "EXTRA_LANGUAGES": "",
    # Signed-in sessions end after this long without a request, and this long after signing in.
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_MAX_HOURS": 12,
    # Reverse proxies in front of the portal whose X-Forwarded-For/-Proto are trusted (0: none).
    "TRUSTED_PROXIES": 0,
    # Sign-in throttling within the window: failures per client address (any account) and per account
    # from one client (a browser known to the account, else the address). Browsers the account has not
    # signed in from wait a growing delay, up to LOGIN_SLOWDOWN_MAX_SECONDS, between attempts on an
    # account once it has LOGIN_SLOWDOWN_AFTER_FAILURES failures from anywhere.
    "LOGIN_FAILURE_WINDOW_SECONDS": 900,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT": 5,
    "LOGIN_SLOWDOWN_AFTER_FAILURES": 5,
    "LOGIN_SLOWDOWN_MAX_SECONDS": 60,
    "LOGIN_KNOWN_BROWSER_DAYS": 180,
    # Password-reset, verification and sign-up mail: per address and per client address in the window.
    "ACCOUNT_MAIL_MAX_PER_ADDRESS": 3,
    "ACCOUNT_MAIL_MAX_PER_CLIENT": 20,
    "ACCOUNT_MAIL_WINDOW_SECONDS": 3600,
    "PASSWORD_RESET_MINUTES": 30,
    "EMAIL_VERIFICATION_MINUTES": 24 * 60,
    # How long the link in an invitation (staff invited by an admin, colleagues by an account manager) works.
    "INVITATION_DAYS": 7,
    # JSON API requests per token and minute (all requests, and the writes among them: POST, PATCH...).
    "API_RATE_LIMIT": 600,
    "API_WRITE_RATE_LIMIT": 120,
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
    "UPLOAD_MAX_FILES": 10,
    # Case lifecycle: how long a closed case may be reopened, when an unanswered resolution is
    # reminded of and when it closes by itself.
    "REOPEN_DAYS": 14,
    "RESOLUTION_REMINDER_HOURS": 72,
    "RESOLUTION_AUTOCLOSE_DAYS": 7,
    # Webhooks: networks (CIDR) or addresses, comma-separated, that endpoints may point at although
    # they are not public (private, loopback, link-local ...); plain http only to these. Empty: none.
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": "",
    # An endpoint is paused when this many attempts in a row failed and the first of them is at least
    # WEBHOOK_PAUSE_AFTER_HOURS old; its deliveries wait until an admin resumes it.
    "WEBHOOK_PAUSE_AFTER_FAILURES": 10,
    "WEBHOOK_PAUSE_AFTER_HOURS": 1,
    # How long the previous secret still signs after a rotation, so receivers can roll over.
    "WEBHOOK_SECRET_OVERLAP_HOURS": 24,
    # Passkeys (WebAuthn): the relying party id (the site's domain, e.g. portal.example.com) and the exact
    # origin browsers show (https://portal.example.com). Empty: taken from each request's host, which suits
    # the demo and tests (localhost); set both in production, since passkeys are bound to the id for good.
    "WEBAUTHN_RP_ID": "",
    "WEBAUTHN_ORIGIN": "",
    # Who must sign in with a second factor (portal/mfa): "admin" (administrators), "staff" (agents,
    # supervisors and administrators), or "nobody" (for development and tests only: refused in
    # production, where administrators always need one).
    "MFA_REQUIRED_FOR": "admin",
    # Whether a sign-in through an identity provider (portal/sso) asks for the local second factor too.
    # Off by default: the provider signs the person in, and enforces its own second factor.
    "MFA_AFTER_SSO": False,
    # How long a browser whose owner ticked "remember this browser" skips the second factor.
    "MFA_REMEMBER_DAYS": 30,
    # Email in (portal/mail_in): the reply address notifications carry (e.g. cases@example.com; empty: no
    # Reply-To, replies are not threaded by address), the keys that sign its tokens ("id:secret,id:secret",
    # the first signs, all verify; empty: derived from SECRET_KEY, MAIL_IN_KEY_ID signs and the one before
    # still verifies), how long a reply address works, the largest message taken, the per-sender rate
    # (messages per window) and the authserv-id whose Authentication-Results must pass (empty: not checked).
    "MAIL_IN_ADDRESS": "",
    "MAIL_IN_KEYS": "",
    "MAIL_IN_KEY_ID": 1,
    "MAIL_IN_TOKEN_DAYS": 180,
    "MAIL_IN_MAX_BYTES": 30 * 1024 * 1024,
    "MAIL_IN_RATE": 20,
    "MAIL_IN_RATE_WINDOW_SECONDS": 600,
    "MAIL_IN_AUTHSERV_ID": "",
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
    "SMTP_COMMAND_TIMEOUT",
    "SMTP_DATA_TIMEOUT",
    "SMS_BASE_URL",
    "SMS_ACCOUNT_SID",
    "SMS_AUTH_TOKEN",
    "SMS_FROM",
    "SMS_TIMEOUT",
    "SMS_RESPONSE_TIMEOUT",
    "WEBHOOK_TIMEOUT",
    "NOTIFIER_BATCH_SIZE",
    "NOTIFIER_LANES",
    "NOTIFIER_MAX_ATTEMPTS",
    "NOTIFIER_LEASE_SECONDS",
    "NOTIFIER_INTERVAL_SECONDS",
    "NOTIFIER_IDLE_POLL_SECONDS",
    "NOTIFIER_BACKOFF_BASE_SECONDS",
    "NOTIFIER_BACKOFF_CAP_SECONDS",
    "NOTIFIER_CHANNEL_BACKOFF_BASE_SECONDS",
    "NOTIFIER_CHANNEL_BACKOFF_CAP_SECONDS",
    "NOTIFIER_WORKER_ID",
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
    # Identity providers (portal/sso/providers.py): OIDC_PROVIDERS and one group of OIDC_<KEY>_* each.
    config.update({key: value for key, value in os.environ.items() if key.startswith("OIDC_")})
    config.update(overrides or {})
    _check_limits(config)
    _check_identity_providers(config)
    _check_languages(config)
    _check_second_factor(config)
    _check_mail_in(config)

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


# Limits that make no sense below these values: a zero would lock everyone out or disable a check.
_MINIMUMS = {
    "SESSION_IDLE_MINUTES": 1,
    "SESSION_MAX_HOURS": 1,
    "TRUSTED_PROXIES": 0,
    "LOGIN_FAILURE_WINDOW_SECONDS": 1,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 1,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT": 1,
    "LOGIN_SLOWDOWN_AFTER_FAILURES": 1,
    "LOGIN_SLOWDOWN_MAX_SECONDS": 1,
    "LOGIN_KNOWN_BROWSER_DAYS": 1,
    "ACCOUNT_MAIL_MAX_PER_ADDRESS": 1,
    "ACCOUNT_MAIL_MAX_PER_CLIENT": 1,
    "ACCOUNT_MAIL_WINDOW_SECONDS": 1,
    "API_RATE_LIMIT": 1,
    "API_WRITE_RATE_LIMIT": 1,
    "MFA_REMEMBER_DAYS": 1,
    "MAIL_IN_KEY_ID": 0,
    "MAIL_IN_TOKEN_DAYS": 1,
    "MAIL_IN_MAX_BYTES": 1,
    "MAIL_IN_RATE": 1,
    "MAIL_IN_RATE_WINDOW_SECONDS": 1,
}

MFA_REQUIRED_CHOICES = ("admin", "staff", "nobody")


def _check_second_factor(config: dict) -> None:
    required = str(config["MFA_REQUIRED_FOR"]).strip().lower()
    if required not in MFA_REQUIRED_CHOICES:
        raise ConfigError(f"MFA_REQUIRED_FOR must be one of {', '.join(MFA_REQUIRED_CHOICES)}, not {required!r}")
    if required == "nobody" and config["CASEPORT_ENV"] == "production":
        raise ConfigError("MFA_REQUIRED_FOR=nobody is for development only: in production administrators "
                          "always sign in with a second factor")
    config["MFA_REQUIRED_FOR"] = required


def _check_identity_providers(config: dict) -> None:
    from portal.sso.providers import ProviderConfigError, parse_providers

    try:
        parse_providers(config)
    except ProviderConfigError as exc:
        raise ConfigError(str(exc)) from exc


def _check_languages(config: dict) -> None:
    from babel import Locale, UnknownLocaleError

    extra = config.get("EXTRA_LANGUAGES") or ()
    if isinstance(extra, str):
        extra = [tag.strip() for tag in extra.split(",") if tag.strip()]
    for tag in [config["DEFAULT_LANGUAGE"], *extra]:
        try:
            Locale.parse(str(tag).replace("-", "_"))
        except (ValueError, UnknownLocaleError) as exc:
            raise ConfigError(f"{tag!r} is not a language tag Caseport knows "
                              "(DEFAULT_LANGUAGE, EXTRA_LANGUAGES)") from exc
    config["EXTRA_LANGUAGES"] = tuple(str(tag) for tag in extra)


def _check_mail_in(config: dict) -> None:
    from portal.mail_in.threading import MailInConfigError, parse_keys

    keys = str(config.get("MAIL_IN_KEYS") or "").strip()
    try:
        if keys:
            parse_keys(keys)
    except MailInConfigError as exc:
        raise ConfigError(str(exc)) from exc
    if int(config["MAIL_IN_KEY_ID"]) > 255:
        raise ConfigError("MAIL_IN_KEY_ID must be a whole number from 0 to 255")
    address = str(config.get("MAIL_IN_ADDRESS") or "")
    if address and (address.count("@") != 1 or "+" in address or not address.split("@")[0]
                    or not address.split("@")[1]):
        raise ConfigError("MAIL_IN_ADDRESS is one address without a +extension, e.g. cases@example.com")


def _check_limits(config: dict) -> None:
    for key, minimum in _MINIMUMS.items():
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(f"{key} must be a whole number of at least {minimum}, not {value!r}")


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
