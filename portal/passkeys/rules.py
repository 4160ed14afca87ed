"""Pure rules about passkeys: no database, no clock, no Flask."""

from __future__ import annotations

from datetime import datetime, timedelta

NAME_MAX = 60
# Adding a passkey gives lasting access to the account: it needs a proof of identity (signing in, or
# confirming the password) at most this old, so a browser left signed in cannot quietly gain one.
RECENT_PROOF = timedelta(minutes=10)
# How long a ceremony's challenge may be answered: the browser's own timeout plus time to read.
CHALLENGE_LIFETIME = timedelta(minutes=5)
BROWSER_TIMEOUT_MS = 120_000
# Transport hints a browser may report (WebAuthn AuthenticatorTransport); others are dropped.
TRANSPORTS = ("ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb")


def clean_name(name: str | None) -> str:
    """The name as stored: spaces collapsed; "" when nothing is left."""
    return " ".join((name or "").split())


def counter_moved_forward(stored: int, reported: int) -> bool:
    """An assertion's signature counter must exceed the stored one, unless the authenticator keeps no
    counter at all (both 0). A counter that stands still or goes back means two copies of the key exist."""
    return (stored == 0 and reported == 0) or reported > stored


def proved_recently(proved_at: datetime | None, now: datetime) -> bool:
    return proved_at is not None and now - proved_at <= RECENT_PROOF


def known_transports(reported) -> list[str]:
    if not isinstance(reported, list):
        return []
    return sorted({item for item in reported if isinstance(item, str) and item in TRANSPORTS})
