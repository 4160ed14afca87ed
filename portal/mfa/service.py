"""The second factor's rules: enrolling an authenticator app, checking codes (throttled like passwords,
each TOTP code and recovery code accepted once), recovery codes, turning the factor off and an admin's
reset. Callable from the web, the CLI or tests; none trusts its caller's checks. Every change is
audited in its own transaction (portal.people.service.audit), so admins see second-factor events among
a person's changes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import peewee

from portal import policy
from portal.accounts.service import limits
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.i18n import _l
from portal.mfa import devices, totp
from portal.mfa.factors import PRIMARY_FACTORS, factors_for
from portal.models.mfa import RecoveryCode, TotpFactor
from portal.models.passkeys import Passkey
from portal.models.people import User
from portal.passwords import verify_password
from portal.people.queries import user_by_uuid
from portal.people.service.audit import record

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 16  # 16 of 31 symbols: 79 bits

WRONG_CODE = _l("That code is not right. Type the current code from your authenticator app, or a recovery code.")
WRONG_ENROLMENT_CODE = _l("That code is not right. Check the time on your phone, and type the code the app "
                          "shows now.")


def _check_code_field(message) -> ValidationFailed:
    return ValidationFailed(message, {"code": message})


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def clean_recovery_code(code: str | None) -> str:
    """A recovery code as typed, without spaces, dashes and case."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones (inside the caller's transaction);
    returns them for showing once, grouped by four."""
    RecoveryCode.delete().where(RecoveryCode.user == user).execute()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        RecoveryCode.create(user=user, code_hash=_hash_recovery(raw), created_at=now)
        codes.append("-".join(raw[i:i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def _throttled(user: User, client_address: str, now: datetime, check) -> object:
    """Run check() under the second-factor limits: a failing check (None or False) keeps its slot."""
    tickets = limits.take_second_factor_slots(user.uuid, client_address, now)
    try:
        result = check()
    except BaseException:
        limits.release(tickets)
        raise
    if result:
        limits.release(tickets)
    return result


def confirm_totp(user: User, secret: str, code: str, *, client_address: str = "",
                 now: datetime | None = None) -> list[str]:
    """Turn on the authenticator app holding `secret` (shown to the user at enrolment) once it produced
    a valid code; returns the new recovery codes, to show once. The user themselves only.
    Raises TooManyAttempts, ValidationFailed (wrong code, bad secret), Conflict (enrolled already)."""
    now = now or utcnow()
    if not secret or len(secret) > 64:
        raise _check_code_field(WRONG_ENROLMENT_CODE)
    step = _throttled(user, client_address, now,
                      lambda: totp.matching_step(secret, totp.clean_code(code), now))
    if step is None:
        raise _check_code_field(WRONG_ENROLMENT_CODE)
    try:
        with database.atomic():
            TotpFactor.create(user=user, secret=secret, confirmed_at=now, last_used_step=step, last_used_at=now)
            codes = _new_recovery_codes(user, now)
            record(user, user, "second_factor_enabled", now, new="totp")
    except peewee.IntegrityError as exc:
        raise Conflict(_l("An authenticator app is set up for your account already.")) from exc
    return codes


def _use_totp(user: User, code: str, now: datetime) -> bool:
    factor = TotpFactor.get_or_none(TotpFactor.user == user)
    if factor is None:
        return False
    step = totp.matching_step(factor.secret, code, now, after=factor.last_used_step)
    if step is None:
        return False
    # Conditional on the step it checked: a code replayed at the same moment loses here.
    return bool(
        TotpFactor.update(last_used_step=step, last_used_at=now)
        .where((TotpFactor.id == factor.id) & (TotpFactor.last_used_step < step))
        .execute()
    )


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    cleaned = clean_recovery_code(code)
    if len(cleaned) != _RECOVERY_LENGTH:
        return False
    with database.atomic():
        used = (
            RecoveryCode.update(used_at=now)
            .where((RecoveryCode.user == user) & (RecoveryCode.code_hash == _hash_recovery(cleaned))
                   & RecoveryCode.used_at.is_null())
            .execute()
        )
        if used:
            left = RecoveryCode.select().where((RecoveryCode.user == user) & RecoveryCode.used_at.is_null()).count()
            record(user, user, "recovery_code_used", now, new=left)
    return bool(used)


def check_second_factor(user: User, code: str, *, client_address: str = "", now: datetime | None = None) -> str:
    """Check a code from the user's authenticator app (6 digits) or one of their recovery codes;
    returns which it was ("totp" or "recovery"). Each code works once. Anyone may call it for the user
    whose password was right (portal/mfa/pending.py). Raises TooManyAttempts, ValidationFailed."""
    now = now or utcnow()
    typed = totp.clean_code(code)

    def check():
        if totp.CODE_RE.fullmatch(typed):
            return "totp" if _use_totp(user, typed, now) else None
        return "recovery" if _use_recovery_code(user, code, now) else None

    method = _throttled(user, client_address, now, check)
    if not method:
        raise _check_code_field(WRONG_CODE)
    return method


def regenerate_recovery_codes(user: User, *, now: datetime | None = None) -> list[str]:
    """New recovery codes for a signed-in user with an authenticator app; the old ones stop working.
    Raises InvalidTransition (no authenticator app)."""
    now = now or utcnow()
    with database.atomic():
        if not TotpFactor.select().where(TotpFactor.user == user).exists():
            raise InvalidTransition(_l("Set up an authenticator app first: recovery codes stand in for it."))
        codes = _new_recovery_codes(user, now)
        record(user, user, "recovery_codes_created", now, new=RECOVERY_CODES)
    return codes


def _remove_totp(user: User) -> None:
    """Delete the authenticator app; the recovery codes too when no other factor remains."""
    TotpFactor.delete().where(TotpFactor.user == user).execute()
    if not any(name in PRIMARY_FACTORS for name in factors_for(user)):
        RecoveryCode.delete().where(RecoveryCode.user == user).execute()
    devices.forget_all(user)


def may_turn_off_totp(user: User, factors: list[str] | None = None) -> bool:
    """Not while a second factor is required for the user (policy) and the app is their only one."""
    factors = factors_for(user) if factors is None else factors
    others = [name for name in factors if name in PRIMARY_FACTORS and name != "totp"]
    return bool(others) or not policy.requires_second_factor(user)


def disable_totp(user: User, *, code: str = "", password: str = "", client_address: str = "",
                 now: datetime | None = None) -> None:
    """Turn one's authenticator app off, proven by a current code (or recovery code) or the password.
    Refused while a second factor is required for the user and this is their only one. Forgets every
    remembered browser. Raises NotAllowed, InvalidTransition (none set up), TooManyAttempts,
    ValidationFailed."""
    now = now or utcnow()
    factors = factors_for(user)
    if "totp" not in factors:
        raise InvalidTransition(_l("No authenticator app is set up for your account."))
    if not may_turn_off_totp(user, factors):
        raise NotAllowed(_l("Your role needs a second factor to sign in, and the authenticator app is your only "
                            "one: it stays on."))
    if password and not code:
        if not _throttled(user, client_address, now, lambda: verify_password(user.password_hash, password)):
            message = _l("This is not your password.")
            raise ValidationFailed(message, {"password": message})
    else:
        check_second_factor(user, code, client_address=client_address, now=now)
    with database.atomic():
        _remove_totp(user)
        record(user, user, "second_factor_disabled", now, old="totp")


def reset_second_factor(actor: User, user_uuid: str, *, now: datetime | None = None) -> User:
    """An admin removes someone's second factors (authenticator app, recovery codes, remembered
    browsers), e.g. after a lost phone: their next sign-in asks them to enrol again where required.
    Raises NotAllowed, NotFound, InvalidTransition (nothing to reset)."""
    policy.require_admin(actor)
    subject = user_by_uuid(user_uuid)
    if not policy.can_reset_second_factor(actor, subject):
        raise NotAllowed(_l("Change your own second factor on your account page."))
    return _reset(actor, subject, now or utcnow())


def operator_reset_second_factor(email: str, *, now: datetime | None = None) -> User:
    """The operator's reset from the command line (caseport reset-second-factor), for the one admin
    who lost both phone and recovery codes: whoever runs it holds the server. Audited with no actor.
    Raises NotFound (no such user), InvalidTransition (nothing to reset)."""
    subject = User.get_or_none(User.email == (email or "").strip().lower())
    if subject is None:
        raise NotFound()
    return _reset(None, subject, now or utcnow())


def _reset(actor: User | None, subject: User, now: datetime) -> User:
    factors = factors_for(subject)
    if not factors:
        raise InvalidTransition(_l("%(name)s has no second factor to reset.", name=subject.display_name))
    with database.atomic():
        TotpFactor.delete().where(TotpFactor.user == subject).execute()
        RecoveryCode.delete().where(RecoveryCode.user == subject).execute()
        Passkey.delete().where(Passkey.user == subject).execute()  # a lost phone takes its passkey along
        devices.forget_all(subject)
        record(actor, subject, "second_factor_reset", now, old=factors)
    return subject
