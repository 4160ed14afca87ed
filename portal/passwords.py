"""Password hashing with argon2id (argon2-cffi's tuned defaults) and the password rules."""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from portal.i18n import _l

_hasher = PasswordHasher()
# Verified against when no user matches, so a missing account costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("caseport-dummy-password")

MIN_LENGTH = 10
MAX_LENGTH = 128
_COMMON = {
    "password123", "1234567890", "qwertyuiop", "password1234", "iloveyou123", "administrator",
    "letmein1234", "welcome123", "passw0rd123", "0123456789", "abcdefghij", "caseport123",
}


def use_parameters(parameters: Parameters) -> None:
    """Swap the hashing cost (tests use argon2.profiles.CHEAPEST; production keeps the defaults)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = _hasher.hash("caseport-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether password matches. No hash (None: no such user; "": a user without a password) matches
    nothing, after the same work as a real check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, email: str = ""):
    """Why a new password is not acceptable (a message marked with _l), or None."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(min)s characters.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(max)s characters.", max=MAX_LENGTH)
    if password.lower() in _COMMON or len(set(password)) < 4:
        return _l("This password is too easy to guess. Try a short sentence.")
    if email and password.lower() == email.lower():
        return _l("Your password must not be your email address.")
    return None
