"""Passkeys: registering one (the account page), renaming and removing it, and checking an assertion
(a passwordless sign-in, or the second factor after a password). Callable from the web or tests; the
web passes the relying party (portal/passkeys/routes.py) and the challenge from the browser's session.

Registration asks for a discoverable credential with user verification, so every passkey can sign in on
its own: it is something the person has (the authenticator) and is or knows (its biometric or PIN).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import peewee
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal import policy
from portal.accounts.service import limits
from portal.clock import utcnow
from portal.contact import ContactError, normalize_email
from portal.db import database, is_postgres
from portal.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from portal.i18n import _l
from portal.mfa.factors import has_second_factor
from portal.models.passkeys import Passkey
from portal.models.people import User
from portal.models.sso import SsoIdentity
from portal.passkeys import challenges
from portal.passkeys.rules import (
    BROWSER_TIMEOUT_MS,
    NAME_MAX,
    clean_name,
    counter_moved_forward,
    known_transports,
)
from portal.passwords import verify_password
from portal.people.service.audit import record

DEACTIVATED = _l("This account has been deactivated. Contact your administrator.")


@dataclass(frozen=True)
class RelyingParty:
    """Who the passkeys are for: id (a domain, e.g. portal.example.com), the origin browsers report
    (https://portal.example.com) and the name authenticators show."""

    id: str
    origin: str
    name: str


class PasskeyRefused(ValidationFailed):
    """The browser's answer proves nothing: malformed, for another site, unknown, or its challenge is used."""

    default_message = _l("The passkey could not be checked. Please try again.")


EXPIRED = _l("That passkey request has expired or was already used. Please try again.")
CLONED = _l("This passkey reported a lower use count than before, so it may have been copied. It was not "
            "accepted: sign in another way and remove it from your account.")


def user_handle(user: User) -> bytes:
    """The WebAuthn user handle: the user's UUID (16 bytes), no name or address (it is stored on the
    authenticator and returned by it)."""
    return uuid.UUID(user.uuid).bytes


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parse(credential: str | None) -> dict:
    try:
        data = json.loads(credential or "")
    except ValueError as exc:
        raise PasskeyRefused() from exc
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("response"), dict):
        raise PasskeyRefused()
    return data


def passkeys_of(user: User):
    """The user's passkeys, newest first."""
    return Passkey.select().where(Passkey.user == user).order_by(Passkey.created_at.desc(), Passkey.id.desc())


# --- registration ---------------------------------------------------------------------------------


def begin_registration(user: User, rp: RelyingParty, *, now: datetime | None = None) -> tuple[str, bytes]:
    """Options for navigator.credentials.create() (JSON) and their challenge, which the caller keeps in
    the browser's session. The caller has checked the recent proof of identity (portal/passkeys/routes.py).
    Raises NotAllowed."""
    if not policy.can_add_passkey(user):
        raise NotAllowed()
    now = now or utcnow()
    challenge = challenges.issue("register", user, now)
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.email,
        user_id=user_handle(user),
        user_display_name=user.display_name,
        challenge=challenge,
        timeout=BROWSER_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        # The authenticators already registered refuse to make a second passkey for this account.
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_unb64(p.credential_id)) for p in passkeys_of(user)],
    )
    return options_to_json(options), challenge


def check_name(name: str | None) -> str:
    """Raises ValidationFailed (field "name")."""
    cleaned = clean_name(name)
    if not cleaned:
        raise ValidationFailed(_l("Give the passkey a name."), {"name": _l("Give the passkey a name.")})
    if len(cleaned) > NAME_MAX:
        message = _l("Use at most %(max)s characters.", max=NAME_MAX)
        raise ValidationFailed(message, {"name": message})
    return cleaned


def finish_registration(user: User, rp: RelyingParty, *, credential: str | None, name: str | None,
                        challenge: bytes | None, now: datetime | None = None) -> Passkey:
    """Store the passkey the browser created (credential: the JSON of the PublicKeyCredential) for user,
    answering challenge (from the browser's session; used up whatever happens). Raises NotAllowed,
    ValidationFailed (name), PasskeyRefused, Conflict (the passkey is registered already)."""
    if not policy.can_add_passkey(user):
        raise NotAllowed()
    now = now or utcnow()
    cleaned = check_name(name)
    data = _parse(credential)
    if not challenges.claim(challenge, "register", user, now):
        raise PasskeyRefused(EXPIRED)
    try:
        verified = verify_registration_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp.id, expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise PasskeyRefused() from exc
    try:
        with database.atomic():
            passkey = Passkey.create(
                user=user, credential_id=_b64(verified.credential_id),
                public_key=_b64(verified.credential_public_key), sign_count=verified.sign_count,
                transports=known_transports(data["response"].get("transports")), name=cleaned,
                created_at=now,
            )
            record(None, user, "passkey_added", now, new={"passkey": passkey.uuid, "name": cleaned})
    except peewee.IntegrityError as exc:
        raise Conflict(_l("This passkey is registered already.")) from exc
    return passkey


# --- renaming and removing ------------------------------------------------------------------------


def _own_passkey(user: User, passkey_uuid: str) -> Passkey:
    passkey = Passkey.get_or_none(Passkey.uuid == str(passkey_uuid or ""))
    if passkey is None or not policy.can_manage_passkey(user, passkey):
        raise NotFound()
    return passkey


def rename_passkey(user: User, passkey_uuid: str, name: str | None) -> Passkey:
    """The owner names their passkey. Raises NotFound, ValidationFailed (name)."""
    passkey = _own_passkey(user, passkey_uuid)
    cleaned = check_name(name)
    with database.atomic():
        if not Passkey.update(name=cleaned).where(Passkey.id == passkey.id).execute():
            raise NotFound()  # removed in the meantime
    passkey.name = cleaned
    return passkey


def _ways_in_without_passkeys(user: User) -> bool:
    """Whether the user can still sign in with no passkey: a password or an identity provider."""
    return user.has_password or SsoIdentity.select().where(SsoIdentity.user == user).exists()


def _refuse_losing_last_factor(user: User) -> None:
    """Called inside remove_passkey's locked transaction, after the delete: the user must keep a way to
    sign in, and a second factor while one is required of them (portal/mfa)."""
    if Passkey.select().where(Passkey.user == user).exists():
        return
    if not _ways_in_without_passkeys(user):
        raise NotAllowed(_l("This is your only way to sign in: add another passkey or set a password first."))
    if policy.requires_second_factor(user) and not has_second_factor(user):
        raise NotAllowed(_l("Your role needs a second factor to sign in, and this passkey is your only one: set "
                            "up an authenticator app or add another passkey first."))


def remove_passkey(user: User, passkey_uuid: str, *, now: datetime | None = None) -> None:
    """The owner removes their passkey. Refused (NotAllowed) when it is the last one and the user would be
    left without a way to sign in, or without the second factor required of them. Raises NotFound."""
    passkey = _own_passkey(user, passkey_uuid)
    now = now or utcnow()
    with database.atomic():
        # Two removals at once must not both see "another one is left": they queue on the user's row.
        if is_postgres(database):
            list(User.select(User.id).where(User.id == user.id).for_update())
        if not Passkey.delete().where(Passkey.id == passkey.id).execute():
            raise NotFound()
        _refuse_losing_last_factor(user)
        record(None, user, "passkey_removed", now, old={"passkey": passkey.uuid, "name": passkey.name})


# --- assertions: signing in, second factor ---------------------------------------------------------


def begin_sign_in(rp: RelyingParty, *, now: datetime | None = None) -> tuple[str, bytes]:
    """Options for navigator.credentials.get() that let the person pick any passkey for this site
    (discoverable credentials, user verification required), and their challenge."""
    challenge = challenges.issue("sign_in", None, now or utcnow())
    options = generate_authentication_options(
        rp_id=rp.id, challenge=challenge, timeout=BROWSER_TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), challenge


def check_assertion(rp: RelyingParty, *, credential: str | None, challenge: bytes | None, purpose: str,
                    user: User | None = None, now: datetime | None = None) -> Passkey:
    """Check an answer to navigator.credentials.get() against the stored passkey and record its use;
    returns the passkey (its user is who it proves). For purpose "second_factor", user is who the password
    named and only their passkeys count. The challenge is used up whatever happens; the signature counter is
    advanced by a write conditional on the value checked, so two uses of one answer cannot both pass.
    Raises PasskeyRefused."""
    now = now or utcnow()
    data = _parse(credential)
    if not challenges.claim(challenge, purpose, user, now):
        raise PasskeyRefused(EXPIRED)
    query = Passkey.select(Passkey, User).join(User).where(Passkey.credential_id == data["id"])
    if user is not None:
        query = query.where(Passkey.user == user)
    passkey = query.first()
    if passkey is None:
        raise PasskeyRefused()
    handle = data["response"].get("userHandle")
    try:
        if handle and _unb64(str(handle)) != user_handle(passkey.user):
            raise PasskeyRefused()
        verified = verify_authentication_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp.id, expected_origin=rp.origin,
            credential_public_key=_unb64(passkey.public_key),
            # The counter is checked below, with its own message; 0 here keeps the library from checking it.
            credential_current_sign_count=0,
            require_user_verification=purpose == "sign_in",
        )
    except (WebAuthnException, ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise PasskeyRefused() from exc
    if not counter_moved_forward(passkey.sign_count, verified.new_sign_count):
        raise PasskeyRefused(CLONED)
    with database.atomic():
        advanced = (
            Passkey.update(sign_count=verified.new_sign_count, last_used_at=now)
            .where((Passkey.id == passkey.id) & (Passkey.sign_count == passkey.sign_count))
            .execute()
        )
    if not advanced:
        raise PasskeyRefused(CLONED)
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, now
    return passkey


def sign_in_with_passkey(rp: RelyingParty, *, credential: str | None, challenge: bytes | None,
                         client_address: str, now: datetime | None = None) -> User:
    """A passwordless sign-in: the user whose passkey answered. Throttled with password sign-ins per
    client address (a failure keeps its slot). Anyone may call it. Raises limits.TooManyAttempts,
    PasskeyRefused, NotAllowed (deactivated, or a customer who never confirmed their address)."""
    now = now or utcnow()
    ticket = limits.take_address_slot(client_address, now)
    passkey = check_assertion(rp, credential=credential, challenge=challenge, purpose="sign_in", now=now)
    limits.release([ticket])
    user = passkey.user
    if not user.active:
        raise NotAllowed(DEACTIVATED)
    if user.role == "customer" and user.email_verified_at is None:
        raise NotAllowed(_l("Confirm your email address first: follow the link we sent you."))
    with database.atomic():
        User.update(last_login_at=now).where(User.id == user.id).execute()
    user.last_login_at = now
    return user


def begin_second_factor(user: User, rp: RelyingParty, *, now: datetime | None = None) -> tuple[str, bytes]:
    """Options for navigator.credentials.get() naming the user's own passkeys, for the second step of a
    sign-in whose password was right (portal/mfa); user presence suffices there. Returns (JSON, challenge)."""
    challenge = challenges.issue("second_factor", user, now or utcnow())
    options = generate_authentication_options(
        rp_id=rp.id, challenge=challenge, timeout=BROWSER_TIMEOUT_MS,
        user_verification=UserVerificationRequirement.PREFERRED,
        allow_credentials=[
            PublicKeyCredentialDescriptor(
                id=_unb64(p.credential_id),
                transports=[AuthenticatorTransport(name) for name in known_transports(p.transports)],
            )
            for p in passkeys_of(user)
        ],
    )
    return options_to_json(options), challenge


def second_factor_with_passkey(rp: RelyingParty, user: User, *, credential: str | None, challenge: bytes | None,
                               client_address: str, now: datetime | None = None) -> Passkey:
    """The second step of user's sign-in, by one of their passkeys. Throttled like the other second
    factors (a failure keeps its slots). Raises limits.TooManyAttempts, PasskeyRefused, NotAllowed."""
    now = now or utcnow()
    tickets = limits.take_second_factor_slots(user.uuid, client_address, now)
    passkey = check_assertion(rp, credential=credential, challenge=challenge, purpose="second_factor", user=user,
                              now=now)
    limits.release(tickets)
    if not user.active:
        raise NotAllowed(DEACTIVATED)
    return passkey


# --- confirming who one is before adding a passkey --------------------------------------------------


class WrongPassword(ValidationFailed):
    default_message = _l("The password is incorrect.")


def confirm_password(user: User, password: str | None, client_address: str, *, browser: str | None = None,
                     now: datetime | None = None) -> None:
    """The signed-in user proves again who they are with their password (before adding a passkey),
    throttled like sign-ins. Raises limits.TooManyAttempts, WrongPassword."""
    now = now or utcnow()
    try:
        email = normalize_email(user.email)
    except ContactError:
        email = user.email
    tickets = limits.take_sign_in_slots(email, client_address, browser, now)
    if not verify_password(user.password_hash, password or ""):
        limits.record_sign_in_failure(email, now)
        raise WrongPassword(fields={"password": WrongPassword.default_message})
    limits.release(tickets)
