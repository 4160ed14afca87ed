"""ParsedMail: one received message as processing reads it, whatever its MIME shape, charset or encoding.

The parser (parse.py) builds it from the raw bytes and never raises on any input: what it could not read is
listed in `problems`. Addresses are addr-specs with the domain lowercased; Message-IDs without angle brackets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# What kind of mail it is, for loop and noise protection: only "personal" mail is ever acted on or answered.
PERSONAL = "personal"        # written by a person
AUTO_REPLY = "auto_reply"    # Auto-Submitted, out-of-office, X-Autoreply ...
BULK = "bulk"                # Precedence: bulk/list/junk, List-Id/List-Unsubscribe mailing-list mail
BOUNCE = "bounce"            # a delivery status notification (RFC 3464) or an equivalent non-standard bounce
OWN = "own"                  # one of the product's own messages coming back (its Message-ID domain)
MAIL_KINDS = (PERSONAL, AUTO_REPLY, BULK, BOUNCE, OWN)


@dataclass(frozen=True)
class MailAttachment:
    filename: str            # decoded (RFC 2231/2047); a made-up name such as "image-1.png" when none
    content_type: str        # as declared by the message (uploads are type-checked by content anyway)
    data: bytes
    inline: bool = False     # an inline image (Content-Disposition: inline or referenced by Content-ID)
    content_id: str | None = None


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    sender: str | None = None            # the From address; None when missing or unreadable
    sender_name: str = ""
    reply_to: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str = ""                    # RFC 2047 decoded
    date: datetime | None = None         # aware, UTC
    text: str = ""                       # the whole body as plain text (HTML-only mail converted safely)
    reply_text: str = ""                 # `text` without quoted history and signature: what becomes a comment
    attachments: tuple[MailAttachment, ...] = ()
    kind: str = PERSONAL                 # one of MAIL_KINDS
    bounced_message_ids: tuple[str, ...] = ()   # kind == BOUNCE: Message-IDs of the messages that bounced
    bounce_status: str | None = None     # kind == BOUNCE: e.g. "5.1.1"
    authentication_results: tuple[str, ...] = ()  # the Authentication-Results header values, top first
    problems: tuple[str, ...] = field(default=())  # defects found (malformed MIME, undecodable parts ...)
    # A forwarded message (an attached message/rfc822, or an inline "Forwarded message" / Outlook From:/Sent:
    # block in a forward): its From, for staff forwarding a customer's mail. Claimed by the forwarder, not
    # verified: trust it only as far as you trust the forwarder.
    forwarded_from: str | None = None
    forwarded_from_name: str = ""
    delivered_to: tuple[str, ...] = ()   # Delivered-To / X-Original-To added by the receiving MTA, top first
