"""Challenges for WebAuthn ceremonies: random, single use, short-lived.

The browser's session carries the challenge (so only the browser that asked can answer it); the
PasskeyChallenge row, keyed by the challenge's hash, is deleted when the answer arrives. The delete is
the claim: of two answers racing, or a recorded answer replayed with a copy of the cookie, exactly one
finds the row.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from portal.clock import utcnow
from portal.db import database
from portal.models.passkeys import PasskeyChallenge
from portal.models.people import User
from portal.passkeys.rules import CHALLENGE_LIFETIME

PURPOSES = ("register", "sign_in", "second_factor")


def _hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def issue(purpose: str, user: User | None, now: datetime) -> bytes:
    """A new challenge for purpose (for user, or anyone for a passwordless sign-in)."""
    assert purpose in PURPOSES
    challenge = secrets.token_bytes(32)
    with database.atomic():
        # Abandoned ceremonies leave rows behind: each new one sweeps the expired ones.
        PasskeyChallenge.delete().where(PasskeyChallenge.created_at < now - CHALLENGE_LIFETIME).execute()
        PasskeyChallenge.create(challenge_hash=_hash(challenge), purpose=purpose, user=user, created_at=now)
    return challenge


def claim(challenge: bytes | None, purpose: str, user: User | None, now: datetime) -> bool:
    """Use up challenge: True once, for the purpose and user it was issued to, within its lifetime."""
    if not challenge:
        return False
    condition = (
        (PasskeyChallenge.challenge_hash == _hash(challenge))
        & (PasskeyChallenge.purpose == purpose)
        & (PasskeyChallenge.created_at > now - CHALLENGE_LIFETIME)
    )
    condition &= PasskeyChallenge.user.is_null() if user is None else (PasskeyChallenge.user == user)
    with database.atomic():
        return PasskeyChallenge.delete().where(condition).execute() == 1


def prune_passkey_challenges(*, now: datetime | None = None) -> int:
    """Forget challenges nobody answered in time (run by the scheduler)."""
    return PasskeyChallenge.delete().where(
        PasskeyChallenge.created_at < (now or utcnow()) - CHALLENGE_LIFETIME
    ).execute()
