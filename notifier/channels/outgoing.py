"""Rendered messages as the channels receive them, and the email they become."""

from __future__ import annotations

import binascii
import functools
import hashlib
import re
import uuid
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

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
    if "\r" in value or "\n" in value or "\0" in value:
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
    own = _host_values(email)
    # RFC 3834: tells auto-responders (vacation replies) not to answer.
    msg["Auto-Submitted"] = own.get("auto-submitted", "auto-generated")
    if "in-reply-to" in own:
        msg["In-Reply-To"] = msg["References"] = _header_safe("In-Reply-To", own["in-reply-to"])
    elif email.thread:
        root = thread_root_id(_header_safe("thread", email.thread), domain)
        msg["In-Reply-To"] = root
        msg["References"] = root
    for name, value in email.headers:
        if name.lower() in own:
            continue
        if name.lower() in msg:
            raise PermanentDeliveryError(f"refusing to send: the {name} header is set by the notifier")
        msg[name] = _header_safe(name, value)
    msg.set_content(email.text)
    if email.html:
        msg.add_alternative(email.html, subtype="html")
    return msg


def _host_values(email: OutgoingEmail) -> dict[str, str]:
    """The notifier's own headers the host gave a value (an answer to a received message: see
    notifier.outbox.HOST_VALUES, checked when it was queued)."""
    return {name.lower(): value for name, value in email.headers if name.lower() in ("auto-submitted", "in-reply-to")}


@functools.lru_cache(maxsize=16)
def envelope_sender(mail_from: str) -> str:
    # Cached: the stdlib's address parser costs tens of µs, and MAIL_FROM is the same for every message.
    return parseaddr(mail_from)[1] or mail_from


# A plain addr-spec (dot-atom local part and domain, RFC 5322 §3.4.1): its SMTP path is just "<address>".
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)


def smtp_path(address: str) -> str:
    """The "<...>" path of MAIL FROM or RCPT TO, as `smtplib.quoteaddr` writes it, without running
    the stdlib's address parser (tens of µs) for the usual plain address."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    import smtplib

    return smtplib.quoteaddr(address)


@functools.lru_cache(maxsize=16)
def _from_line(mail_from: str) -> str:
    from_name, from_address = parseaddr(_header_safe("From", mail_from))
    return _header("From", formataddr((from_name, from_address), charset="utf-8") if from_name else from_address)




# The headers email_bytes writes itself (the six always written, then the two of a thread or answer).
_OWN = frozenset({"from", "to", "subject", "date", "message-id", "auto-submitted"})
_THREADED = _OWN | {"in-reply-to", "references"}


def email_bytes(email: OutgoingEmail, *, mail_from: str, domain: str, sent_at) -> tuple[bytes, bool]:
    """The same message as `build_email`, as wire bytes (CRLF, not yet dot-stuffed), built directly:
    the stdlib `email` package spends milliseconds per message on header objects. Returns the bytes
    and whether they need SMTPUTF8 (an address that is not ASCII: then built by `build_email`)."""
    if not (email.to_address.isascii() and mail_from.isascii()):
        msg = build_email(email, mail_from=mail_from, domain=domain, sent_at=sent_at)
        return msg.as_bytes(policy=policy.SMTPUTF8), True
    own = _host_values(email)
    lines = [
        _from_line(mail_from),
        _header("To", formataddr((_header_safe("To", email.to_name or ""), _header_safe("To", email.to_address)),
                                 charset="utf-8")),
        _header("Subject", _header_safe("Subject", email.subject)),
        f"Date: {_date(sent_at)}",
        f"Message-ID: {message_id(email.message_uuid, domain)}",
        f"Auto-Submitted: {_header_safe('Auto-Submitted', own.get('auto-submitted', 'auto-generated'))}",
    ]
    if "in-reply-to" in own:
        answered = _header_safe("In-Reply-To", own["in-reply-to"])
        lines += [f"In-Reply-To: {answered}", f"References: {answered}"]
    elif email.thread:
        root = thread_root_id(_header_safe("thread", email.thread), domain)
        lines += [f"In-Reply-To: {root}", f"References: {root}"]
    taken = _THREADED if len(lines) > 6 else _OWN
    for name, value in email.headers:
        if name.lower() in own:
            continue
        if name.lower() in taken or name.lower() in ("mime-version", "content-type", "content-transfer-encoding"):
            raise PermanentDeliveryError(f"refusing to send: the {name} header is set by the notifier")
        lines.append(_header(name, _header_safe(name, value)))
    lines.append("MIME-Version: 1.0")
    head = "\r\n".join(lines).encode("ascii")
    if not email.html:
        return head + b"\r\n" + _text_part(email.text, "plain", quoted=False), False
    # "=_" never occurs in quoted-printable text (a literal "=" is written "=3D"): a safe boundary.
    # The outbox row's uuid makes it (no random draw per message, and a retry's body is the same).
    boundary = f"=_{_boundary_id(email.message_uuid)}"
    body = b"".join((
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode("ascii"),
        f"--{boundary}\r\n".encode("ascii"), _text_part(email.text, "plain", quoted=True),
        f"--{boundary}\r\n".encode("ascii"), _text_part(email.html, "html", quoted=True),
        f"--{boundary}--\r\n".encode("ascii"),
    ))
    return head + b"\r\n" + body, False


_UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")


def _boundary_id(message_uuid: str) -> str:
    if _UUID_TEXT.fullmatch(message_uuid):
        return message_uuid.replace("-", "").lower()
    return uuid.uuid4().hex


# The Date header of the current second (format_datetime costs about 10 µs, and every message of a
# second has the same one): one entry, keyed by the second and the UTC offset, the two things the
# text depends on (format_datetime drops the microseconds).
_last_date: list = [None, ""]


def _date(sent_at) -> str:
    key = (sent_at.replace(microsecond=0), sent_at.utcoffset())
    if _last_date[0] != key:
        _last_date[:] = [key, format_datetime(sent_at)]
    return _last_date[1]


def _header(name: str, value: str) -> str:
    if value.isascii():
        # One line up to RFC 5322's hard limit of 998 characters; a longer one is folded at spaces.
        if len(name) + len(value) < 996:
            return f"{name}: {value}"
        return f"{name}: " + Header(value, "us-ascii", header_name=name).encode(linesep="\r\n")
    # RFC 2047 encoded words for non-ASCII text, folded below 78 characters a line.
    return f"{name}: " + Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _text_part(text: str, subtype: str, *, quoted: bool) -> bytes:
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    if not data.endswith(b"\n"):
        data += b"\n"
    if not quoted and data.isascii() and max(map(len, data.split(b"\n"))) <= 998:
        encoding, body = "7bit", data
    else:
        encoding, body = "quoted-printable", binascii.b2a_qp(data, istext=True)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n'
    return head.encode("ascii") + body.replace(b"\n", b"\r\n")
