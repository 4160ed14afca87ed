"""TOTP (RFC 6238) as authenticator apps compute it: SHA-1, 6 digits, 30 second steps. pyotp does the
arithmetic; which steps are acceptable (±1 for clock drift, never one already used) is decided here."""

from __future__ import annotations

import hmac
import re
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DRIFT_STEPS = 1
CODE_RE = re.compile(r"^[0-9]{6}$")  # ASCII only: "١٢٣٤٥٦" is \d too, and compare_digest takes no such text


def new_secret() -> str:
    """A random 160-bit secret in base32, as authenticator apps take it."""
    return pyotp.random_base32(32)


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def clean_code(code: str | None) -> str:
    """The digits as typed, without spaces (apps show "123 456")."""
    return "".join((code or "").split())


def matching_step(secret: str, code: str, now: datetime, *, after: int | None = None) -> int | None:
    """The time step within ±DRIFT_STEPS of now whose code is `code` and that is later than `after`
    (the last step used), or None."""
    if not CODE_RE.fullmatch(code):
        return None
    current = step_at(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI the QR code carries."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)
