"""Which case a received reply belongs to, and as whom it may be added, in the issue's order:

1. a signed reply address: every notification email carries `Reply-To: <local>+<token>@<domain>` for
   its recipient; the token names the case and the person, is signed with HMAC-SHA256 under a rotating
   key and expires (MAIL_IN_TOKEN_DAYS). It is a capability: whoever holds it replies as that person
   (as with any mail client's reply), so it is only ever sent to that person.
2. In-Reply-To/References naming a Message-ID the notifier sent (`<message-uuid>@MAIL_MESSAGE_ID_DOMAIN`):
   the outbox row, found by its unique uuid, names the case by its topic (the case reference).
3. the case's 8-digit reference in the subject.
(2) and (3) only name a case: the sender's address must belong to a user who may comment on it.

Token layout (47 bytes, base32 lower case without padding: 76 characters): case uuid (16 bytes), user
uuid (16), key id (1), expiry as a day number since 1970-01-01 (2), HMAC-SHA256 over all that (12).
The local part is longer than RFC 5321's 64 octets; Postfix, Exim and the big providers take it (as they
take other services' long reply addresses), and tokens could not be shorter and still name both uuids.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import peewee

from portal import policy
from portal.clock import utcnow
from portal.mail_in.message import ParsedMail
from portal.models.cases import Case
from portal.models.people import User
from portal.settings import setting

_EPOCH = date(1970, 1, 1)
_MAC_BYTES = 12
_TOKEN_BYTES = 16 + 16 + 1 + 2 + _MAC_BYTES
_TOKEN_RE = re.compile(r"[a-z2-7]{76}")
_REFERENCE_RE = re.compile(r"(?<!\d)(\d{8})(?!\d)")

# Why a message naming a case was not added to it (Outcome.reason codes, shown to staff in words).
FORGED_TOKEN = "forged_token"  # noqa: S105 - a reason code, not a secret
EXPIRED_TOKEN = "expired_token"  # noqa: S105 - a reason code, not a secret
RETIRED_KEY = "retired_key"
TOKEN_PERSON_GONE = "token_person_gone"  # noqa: S105 - a reason code, not a secret
STRANGER_IN_REPLY_TO = "stranger_in_reply_to"
STRANGER_QUOTED_REFERENCE = "stranger_quoted_reference"


class MailInConfigError(ValueError):
    """MAIL_IN_KEYS cannot be read."""


def parse_keys(configured: str) -> list[tuple[int, bytes]]:
    """MAIL_IN_KEYS ("id:secret,id:secret", the signing key first) as (key id, secret) pairs. Raises
    MailInConfigError when it cannot be read (the app refuses to start with it)."""
    keys = []
    for item in configured.split(","):
        key_id, sep, secret = item.strip().partition(":")
        if not sep or not key_id.isdigit() or not 0 <= int(key_id) <= 255 or len(secret) < 16:
            raise MailInConfigError("MAIL_IN_KEYS is a comma-separated list of id:secret (id 0-255, "
                                    "secrets of at least 16 characters), the signing key first")
        keys.append((int(key_id), secret.encode("utf-8")))
    if len({key_id for key_id, _ in keys}) != len(keys):
        raise MailInConfigError("MAIL_IN_KEYS names a key id twice")
    return keys


def signing_keys() -> list[tuple[int, bytes]]:
    """(key id, secret) pairs, the signing key first; every one of them verifies."""
    configured = str(setting("MAIL_IN_KEYS") or "").strip()
    if configured:
        return parse_keys(configured)
    current = int(setting("MAIL_IN_KEY_ID"))
    ids = [current] + ([current - 1] if current > 0 else [])
    return [(key_id, _derived(key_id)) for key_id in ids if key_id <= 255]


def _derived(key_id: int) -> bytes:
    return hmac.new(str(setting("SECRET_KEY")).encode("utf-8"), f"caseport mail-in reply key {key_id}".encode(),
                    hashlib.sha256).digest()


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).digest()[:_MAC_BYTES]


def reply_token(case_uuid: str, user_uuid: str, *, now: datetime | None = None) -> str:
    """The token naming (case, person), signed with the current key, valid MAIL_IN_TOKEN_DAYS from now."""
    key_id, secret = signing_keys()[0]
    expires = ((now or utcnow()).date() - _EPOCH).days + int(setting("MAIL_IN_TOKEN_DAYS"))
    body = (uuidlib.UUID(str(case_uuid)).bytes + uuidlib.UUID(str(user_uuid)).bytes + bytes([key_id])
            + min(expires, 65535).to_bytes(2, "big"))
    return base64.b32encode(body + _mac(secret, body)).decode("ascii").rstrip("=").lower()


def _address_parts() -> tuple[str, str] | None:
    address = str(setting("MAIL_IN_ADDRESS") or "").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return None
    return local, domain.lower()


def reply_address(case_uuid: str, user_uuid: str, *, now: datetime | None = None) -> str | None:
    """`<local>+<token>@<domain>` for the person's notifications about the case; None without MAIL_IN_ADDRESS."""
    parts = _address_parts()
    if parts is None:
        return None
    local, domain = parts
    return f"{local}+{reply_token(case_uuid, user_uuid, now=now)}@{domain}"


@dataclass(frozen=True)
class TokenCheck:
    case_uuid: str | None = None
    user_uuid: str | None = None
    problem: str = ""  # "" when valid, else FORGED_TOKEN, EXPIRED_TOKEN or RETIRED_KEY


def check_token(token: str, *, now: datetime | None = None) -> TokenCheck:
    token = token.strip().lower()
    if not _TOKEN_RE.fullmatch(token):
        return TokenCheck(problem=FORGED_TOKEN)
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    except ValueError:
        return TokenCheck(problem=FORGED_TOKEN)
    # Only the canonical spelling: the last character carries spare bits that decoding ignores.
    if len(raw) != _TOKEN_BYTES or base64.b32encode(raw).decode("ascii").rstrip("=").lower() != token:
        return TokenCheck(problem=FORGED_TOKEN)
    body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    key_id = body[32]
    secret = dict(signing_keys()).get(key_id)
    if secret is None:
        # A key no longer configured: nothing can tell a retired key's token from a forged one, and
        # neither is accepted; staff read which it could be.
        return TokenCheck(problem=RETIRED_KEY)
    if not hmac.compare_digest(mac, _mac(secret, body)):
        return TokenCheck(problem=FORGED_TOKEN)
    expires = int.from_bytes(body[33:35], "big")
    if ((now or utcnow()).date() - _EPOCH).days > expires:
        return TokenCheck(problem=EXPIRED_TOKEN)
    return TokenCheck(str(uuidlib.UUID(bytes=body[:16])), str(uuidlib.UUID(bytes=body[16:32])))


def tokens_in(addresses: Iterable[str]) -> list[str]:
    """The tokens of the addresses that are the reply address with a `+token` extension."""
    parts = _address_parts()
    if parts is None:
        return []
    local, domain = parts
    found = []
    for address in addresses:
        address_local, at, address_domain = (address or "").strip().strip("<>").rpartition("@")
        if not at or address_domain.lower() != domain:
            continue
        base, plus, token = address_local.partition("+")
        if plus and base.lower() == local.lower() and token:
            found.append(token)
    return found


@dataclass(frozen=True)
class Thread:
    """What threading found: a case and the person to add the message as, or the reason it may not be."""

    case: Case | None = None
    person: User | None = None
    problem: str = ""  # an Outcome reason when the message names a case it may not touch


def find_thread(parsed: ParsedMail, recipients: Sequence[str], *, now: datetime | None = None) -> Thread | None:
    """The case the message replies to (see the module's docstring), or None when it names none."""
    tokens = tokens_in(recipients)
    if tokens:
        return _by_token(tokens[0], now)
    case = _case_by_message_ids((*parsed.in_reply_to, *reversed(parsed.references)))
    if case is not None:
        return _as_sender(parsed, case, STRANGER_IN_REPLY_TO)
    case = _case_by_subject(parsed.subject)
    if case is not None:
        return _as_sender(parsed, case, STRANGER_QUOTED_REFERENCE)
    return None


def _by_token(token: str, now: datetime | None) -> Thread:
    checked = check_token(token, now=now)
    if checked.problem:
        return Thread(problem=checked.problem)
    case = Case.get_or_none(Case.uuid == checked.case_uuid)
    person = User.get_or_none(User.uuid == checked.user_uuid)
    if case is None or person is None or not person.active or not policy.can_comment(person, case):
        return Thread(case=case, problem=TOKEN_PERSON_GONE)
    return Thread(case=case, person=person)


def _as_sender(parsed: ParsedMail, case: Case, problem: str) -> Thread:
    person = user_by_address(parsed.sender)
    if person is None or not person.active or not policy.can_comment(person, case):
        return Thread(case=case, problem=problem)
    return Thread(case=case, person=person)


def user_by_address(address: str | None) -> User | None:
    if not address:
        return None
    return User.get_or_none(peewee.fn.LOWER(User.email) == address.strip().lower())


def _case_by_message_ids(message_ids: Iterable[str]) -> Case | None:
    """The case of the first Message-ID that is one of the notifier's emails: `<uuid>@our domain`, looked up
    by the outbox row's unique uuid (no scan), whose topic is the case reference."""
    from notifier.models import EMAIL, Message

    for message_id in message_ids:
        message_uuid = outbound_uuid(message_id)
        if message_uuid is None:
            continue
        sent = (Message
                .select(Message.topic)
                .where((Message.uuid == message_uuid) & (Message.channel == EMAIL))
                .first())
        if sent is not None and sent.topic:
            case = Case.get_or_none(Case.reference == sent.topic)
            if case is not None:
                return case
    return None


def outbound_uuid(message_id: str) -> uuidlib.UUID | None:
    """The outbox row's uuid in one of the notifier's Message-IDs (`<uuid>@MAIL_MESSAGE_ID_DOMAIN`), else None."""
    local, at, domain = (message_id or "").strip().strip("<>").rpartition("@")
    if not at or domain.lower() != str(setting("MAIL_MESSAGE_ID_DOMAIN")).lower():
        return None
    try:
        return uuidlib.UUID(local)
    except ValueError:
        return None


def _case_by_subject(subject: str) -> Case | None:
    references = _REFERENCE_RE.findall(subject or "")[:5]
    if not references:
        return None
    return Case.select().where(Case.reference.in_(references)).first()
