"""Rendered messages as the channels receive them, and the email they become."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from notifier.channels.errors import PermanentDeliveryError


@dataclass(frozen=True)
class OutgoingEmail:
    message_uuid: str
    to_address: str
    to_name: str | None
    subject: str
    text: str
    html: str | None = None
    thread: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OutgoingSms:
    message_uuid: str
    to_number: str
    text: str


def message_id(message_uuid: str, domain: str) -> str:
    """A Message-ID that depends only on the outbox row, so a retried send carries the same id and
    the receiving side can recognise a duplicate."""
    return f"<{message_uuid}@{domain}>"


def thread_root_id(thread: str, domain: str) -> str:
    """The Message-ID every message of one thread (e.g. one case) refers to, so clients group them."""
    digest = hashlib.sha256(thread.encode("utf-8")).hexdigest()[:32]
    return f"<thread-{digest}@{domain}>"


def _header_safe(name: str, value: str) -> str:
    if any(c in value for c in "\r\n\0"):
        raise PermanentDeliveryError(f"refusing to send: line break in the {name} header")
    return value


def build_email(email: OutgoingEmail, *, mail_from: str, domain: str, sent_at) -> EmailMessage:
    """The complete MIME message: text, or multipart/alternative text + HTML, with stable ids."""
    msg = EmailMessage()
    msg["From"] = _header_safe("From", mail_from)
    to_name = _header_safe("To", email.to_name or "")
    to_address = _header_safe("To", email.to_address)
    if to_name:
        local, _, domain_part = to_address.rpartition("@")
        msg["To"] = Address(display_name=to_name, username=local, domain=domain_part)
    else:
        msg["To"] = to_address
    msg["Subject"] = _header_safe("Subject", email.subject)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = message_id(email.message_uuid, domain)
    # RFC 3834: tells auto-responders (vacation replies) not to answer.
    msg["Auto-Submitted"] = "auto-generated"
    if email.thread:
        root = thread_root_id(_header_safe("thread", email.thread), domain)
        msg["In-Reply-To"] = root
        msg["References"] = root
    for name, value in email.headers:
        if name.lower() in msg:
            raise PermanentDeliveryError(f"refusing to send: the {name} header is set by the notifier")
        msg[name] = _header_safe(name, value)
    msg.set_content(email.text)
    if email.html:
        msg.add_alternative(email.html, subtype="html")
    return msg


def envelope_sender(mail_from: str) -> str:
    return parseaddr(mail_from)[1] or mail_from


