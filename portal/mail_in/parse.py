"""Raw RFC 5322 bytes → ParsedMail. Never raises: what could not be read is listed in `problems`.

The stdlib `email` package's BytesParser builds the MIME tree; headers are read from their raw values
(parse_headers.py), bodies through parse_mime.py (charsets, HTML, attachments, forwarded messages), the kind
through parse_kind.py, and the reply through quotes.py.

The parser runs with policy=compat32, not policy=default: the default policy builds a header object for every
header of every part (about a millisecond each), so a 30 MB message of 100,000 tiny parts took minutes of
CPU; compat32 reads the same tree twenty to fifty times faster, and nothing here uses the header objects
(raw values are decoded by parse_headers.py, which also copes with what the header objects raise on).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32
from email.utils import getaddresses

from portal.mail_in.message import BOUNCE, PERSONAL, ParsedMail
from portal.mail_in.parse_headers import (
    address_list,
    all_header_texts,
    date_of,
    header_8bit,
    header_text,
    message_ids,
    normalise_address,
    raw_values,
)
from portal.mail_in.parse_kind import classify
from portal.mail_in.parse_mime import read_body
from portal.mail_in.quotes import forward_marker, history_start, is_forward, reply_text

log = logging.getLogger(__name__)

_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|wg|rv|tr|enc)\s*:", re.IGNORECASE)
# An inline forward (Gmail, Thunderbird, Apple Mail, Outlook): the From line of the forwarded header block.
_INLINE_FORWARD_FROM = re.compile(
    r"^\s*\*?(From|Von|De)\s?:\*?\s*(?P<value>.{1,300})$", re.IGNORECASE | re.MULTILINE,
)


def parse_message(raw: bytes, *, own_domains: Iterable[str] = ()) -> ParsedMail:
    """Everything processing reads of one received message. `own_domains`: the domains of the product's own
    Message-IDs (its mail coming back is kind OWN)."""
    if isinstance(own_domains, str):
        own_domains = (own_domains,)
    domains = tuple(d.strip().lower().rstrip(".") for d in own_domains if d and d.strip())
    try:
        return _parse(bytes(raw or b""), domains)
    except (RecursionError, Exception) as exc:  # the promise is "never raises": keep what a retry can show
        log.warning("mail parse failed: %r", exc)
        return ParsedMail(message_id=None, problems=(f"unparseable:{type(exc).__name__}",))


def _parse(raw: bytes, own_domains: tuple[str, ...]) -> ParsedMail:
    problems: list[str] = []
    if not raw.strip():
        return ParsedMail(message_id=None, problems=("empty",))
    try:
        msg = BytesParser(policy=compat32).parsebytes(raw)
    except RecursionError:
        # MIME nested thousands deep (the stdlib parser recurses per level): keep the headers, drop the body.
        msg = BytesHeaderParser(policy=compat32).parsebytes(raw)
        msg.set_payload("")
        problems.append("too_deeply_nested")
    if not msg.keys():
        problems.append("missing_headers")
    if header_8bit(msg):
        problems.append("header_8bit")

    message_id = next(iter(message_ids(msg, "Message-ID")), None)
    if message_id is None:
        problems.append("missing_message_id")
    senders = address_list(msg, "From")
    if not senders:
        problems.append("missing_from" if not raw_values(msg, "From") else "unreadable_from")
    sender, sender_name = senders[0] if senders else (None, "")
    reply_to = address_list(msg, "Reply-To")
    subject = header_text(msg, "Subject")
    date = date_of(msg)
    if date is None and raw_values(msg, "Date"):
        problems.append("unreadable_date")

    body = read_body(msg)
    problems.extend(body.problems)
    text = "\n\n".join(t.strip("\n") for t in body.texts).strip()
    forwarded = bool(body.forwarded) or bool(_FORWARD_SUBJECT.match(subject)) or is_forward(text)
    forwarded_from, forwarded_name = None, ""
    if body.forwarded:
        forwarded_from, forwarded_name = body.forwarded[0]
    elif forwarded:
        forwarded_from, forwarded_name = _inline_forward_from(text)

    kind, bounced, status = PERSONAL, (), None
    try:
        kind, bounced, status = classify(msg, sender=sender, subject=subject, message_id=message_id,
                                         own_domains=own_domains)
    except Exception as exc:  # a report part too broken to read: the mail is still parsed as personal
        problems.append(f"unclassified:{type(exc).__name__}")
    if kind == BOUNCE:
        # The message/rfc822 in a bounce is our own message, not something a person forwarded.
        forwarded_from, forwarded_name = None, ""

    return ParsedMail(
        message_id=message_id,
        in_reply_to=message_ids(msg, "In-Reply-To"),
        references=message_ids(msg, "References"),
        sender=sender,
        sender_name=sender_name,
        reply_to=reply_to[0][0] if reply_to else None,
        to=tuple(address for address, _name in address_list(msg, "To")),
        cc=tuple(address for address, _name in address_list(msg, "Cc")),
        subject=subject,
        date=date,
        text=text,
        reply_text=reply_text(text, forwarded=forwarded),
        attachments=tuple(body.attachments),
        kind=kind,
        bounced_message_ids=bounced,
        bounce_status=status,
        authentication_results=tuple(all_header_texts(msg, "Authentication-Results")),
        problems=tuple(dict.fromkeys(problems)),
        forwarded_from=forwarded_from,
        forwarded_from_name=forwarded_name,
        delivered_to=tuple(address for address, _name in address_list(msg, "Delivered-To", "X-Original-To")),
    )


def _inline_forward_from(text: str) -> tuple[str | None, str]:
    """The From of the first forwarded header block in the text ("---------- Forwarded message ---------"
    and the like, or Outlook's From:/Sent: block in a forward). (None, "") when there is none."""
    lines = text.split("\n")
    start = history_start(lines)
    marker = forward_marker(lines)
    candidates = [i for i in (start, marker) if i is not None]
    if not candidates:
        return None, ""
    block = "\n".join(lines[min(candidates):min(candidates) + 12])
    match = _INLINE_FORWARD_FROM.search(block)
    if not match:
        return None, ""
    # Outlook writes "From: Jane Doe [mailto:jane@example.com]" or "From: Jane Doe <jane@example.com>"
    value = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", match.group("value").strip().strip("*").strip())
    for display, addr in getaddresses([value]):
        address = normalise_address(addr)
        if address:
            return address, display.strip().strip('"')
    return None, ""
