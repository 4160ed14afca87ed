"""Header values read defensively: raw bytes in headers, RFC 2047 words in any charset, broken addresses.

The stdlib's header objects raise or give up on some real-world input (8-bit bytes in a Subject, an encoded
word in a charset Python does not know, a display name with a comma once decoded). So the raw stored value is
read here: unfolded, 8-bit bytes read as UTF-8 (else Windows-1252), encoded words decoded through the same
charset rules as bodies, and addresses split from the still-encoded value before names are decoded.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from portal.mail_in.parse_charsets import decode_text, storable_line

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t]+(=\?)")
_ADDR_SPEC = re.compile(r"^[^@\s<>()\[\],;:\"\x00-\x1f\x7f]+@[^@\s<>()\[\],;:\"\x00-\x1f\x7f]+$")
_MSG_ID = re.compile(r"<([^<>\s\x00-\x1f\x7f]{1,250})>")
_BARE_ID = re.compile(r"^[^<>\s@\x00-\x1f\x7f]{1,200}@[^<>\s@\x00-\x1f\x7f]{1,200}$")

# A header longer than this is cut: no real header needs it, and regexes below stay linear on it anyway.
MAX_HEADER_CHARS = 16_384


def raw_values(msg: Message, name: str) -> list[str]:
    wanted = name.lower()
    try:
        return [str(value)[:MAX_HEADER_CHARS] for key, value in msg.raw_items() if str(key).lower() == wanted]
    except Exception:  # a header object the email package itself cannot produce
        return []


def has_8bit(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def unfold(value: str) -> str:
    value = re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", " ")
    if has_8bit(value):
        value, _ = decode_text(value.encode("ascii", "surrogateescape"), "utf-8")
    return value.strip()


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded (whitespace between two adjacent words dropped, as the RFC says)."""
    return _ENCODED_WORD.sub(_decode_word, _BETWEEN_WORDS.sub(r"\1\2", value))


def _decode_word(match: re.Match) -> str:
    charset, encoding, payload = match.group(1), match.group(2).lower(), match.group(3)
    charset = charset.split("*", 1)[0]   # RFC 2231 language suffix: =?utf-8*en?q?...?=
    try:
        if encoding == "b":
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            data = re.sub(r"=([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)),
                          payload.replace("_", " ")).encode("latin-1")
    except (binascii.Error, ValueError):
        return match.group(0)
    text, _ = decode_text(data, charset)
    return text


def header_text(msg: Message, name: str) -> str:
    """The first `name` header as readable text on one line ("" when absent)."""
    values = raw_values(msg, name)
    return storable_line(decode_words(unfold(values[0]))) if values else ""


def all_header_texts(msg: Message, name: str) -> list[str]:
    """Every `name` header as text, top first (MTAs prepend: the top one is the newest)."""
    return [storable_line(decode_words(unfold(value))) for value in raw_values(msg, name)]


def header_8bit(msg: Message) -> bool:
    try:
        return any(has_8bit(str(value)) for _key, value in msg.raw_items())
    except Exception:
        return False


def address_list(msg: Message, *names: str) -> list[tuple[str, str]]:
    """(addr-spec with the domain lowercased, decoded display name) of every readable address."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in names:
        for raw in raw_values(msg, name):
            for display, addr in getaddresses([unfold(raw)]):
                address = normalise_address(addr)
                if address and address not in seen:
                    seen.add(address)
                    found.append((address, storable_line(decode_words(display))))
    return found


def normalise_address(addr: str) -> str | None:
    addr = (addr or "").strip().strip("<>").strip()
    if not _ADDR_SPEC.match(addr):
        return None
    local, _, domain = addr.rpartition("@")
    return f"{local}@{domain.lower().rstrip('.')}"


def message_ids(msg: Message, name: str) -> tuple[str, ...]:
    ids: list[str] = []
    for raw in raw_values(msg, name):
        value = unfold(raw)
        found = _MSG_ID.findall(value)
        if not found:
            # Some clients drop the angle brackets: take what looks like an id.
            tokens = (token.strip("<>,;") for token in value.split())
            found = [token for token in tokens if _BARE_ID.match(token)]
        for message_id in found:
            if message_id not in ids:
                ids.append(message_id)
    return tuple(ids)


def date_of(msg: Message) -> datetime | None:
    value = header_text(msg, "Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:   # "-0000": the time is UTC, the zone unknown (RFC 5322 3.3)
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
