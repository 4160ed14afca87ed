"""What kind of mail a message is, for loop and noise protection (see message.py MAIL_KINDS).

Checked in this order, the first that applies wins:
  BOUNCE      multipart/report; report-type=delivery-status (RFC 3464), or a non-standard bounce: a null
              return path (Return-Path: <>) or a mailer-daemon/postmaster sender, with a bounce subject.
              Before OWN: our own MTA writes bounces with a Message-ID in our domain. Only a failure
              (Action: failed or a 5.x.x status) names bounced Message-IDs; "delayed" and "delivered"
              reports are BOUNCE (never processed) with none.
  OWN         the Message-ID's domain is one of ours and the message is auto-submitted: the notifier writes
              <uuid@domain> and always sets Auto-Submitted: auto-generated (it has no header of its own).
              Both are required so that staff whose own mail server uses the same domain are not ignored.
  AUTO_REPLY  RFC 3834 Auto-Submitted other than "no"; X-Autoreply / X-Autorespond; Precedence: auto_reply;
              a read receipt (multipart/report; report-type=disposition-notification); an out-of-office
              subject only together with a header only MUAs' auto-replies set (Exchange's
              X-Auto-Response-Suppress); any other mail with a null return path or from a mailer-daemon
              (RFC 3834: never answer it).
  BULK        Precedence: bulk/list/junk; List-Id; List-Unsubscribe together with a Precedence header.
              X-Auto-Response-Suppress alone is not bulk (Outlook sets it on ordinary replies too).
  PERSONAL    everything else.
"""

from __future__ import annotations

import re
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser

from portal.mail_in.message import AUTO_REPLY, BOUNCE, BULK, OWN, PERSONAL
from portal.mail_in.parse_headers import header_text, message_ids, raw_values

_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliver(able|ed)|undelivered mail returned to sender|delivery status notification \(failure\)|"
    r"mail delivery (failed|failure|system)|returned mail|failure notice|delivery failure|"
    r"unzustellbar|nicht zustellbar|non remis|no se puede entregar|delivery has failed)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|abwesenheitsnotiz|automatische antwort|"
    r"respuesta autom[aá]tica|fuera de la oficina|r[ée]ponse automatique)\s*:",
    re.IGNORECASE,
)
_MSG_ID_LINE = re.compile(r"^\s*Message-ID:\s*<([^<>\s]{1,250})>", re.IGNORECASE | re.MULTILINE)


def _first(msg: Message, name: str) -> str:
    return header_text(msg, name).strip().lower()


def _token(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def null_return_path(msg: Message) -> bool:
    return any(value.strip() in ("<>", "") for value in raw_values(msg, "Return-Path"))


def classify(msg: Message, *, sender: str | None, subject: str, message_id: str | None,
             own_domains: tuple[str, ...]) -> tuple[str, tuple[str, ...], str | None]:
    """(kind, bounced Message-IDs, bounce status)."""
    bounce = _bounce(msg, sender=sender, subject=subject, own_id=message_id)
    if bounce is not None:
        return BOUNCE, bounce[0], bounce[1]
    if message_id and "@" in message_id and _auto_submitted(msg):
        domain = message_id.rsplit("@", 1)[1].strip().rstrip(".").lower()
        if domain in own_domains:
            return OWN, (), None
    if _auto_reply(msg, subject, sender):
        return AUTO_REPLY, (), None
    if _bulk(msg):
        return BULK, (), None
    return PERSONAL, (), None


def _auto_submitted(msg: Message) -> bool:
    value = _token(_first(msg, "Auto-Submitted"))
    return bool(value) and value != "no"


def _auto_reply(msg: Message, subject: str, sender: str | None) -> bool:
    if _auto_submitted(msg):
        return True
    if raw_values(msg, "X-Autoreply") or raw_values(msg, "X-Autorespond") or raw_values(msg, "X-Autoresponder"):
        return True
    if _first(msg, "Precedence") == "auto_reply":
        return True
    if msg.get_content_type() == "multipart/report" and _report_type(msg) == "disposition-notification":
        return True
    if _OUT_OF_OFFICE_SUBJECT.match(subject) and raw_values(msg, "X-Auto-Response-Suppress"):
        return True
    # A mailer-daemon's warning ("message delayed") or a null sender: robots, never answered (RFC 3834).
    return null_return_path(msg) or bool(sender and _DAEMON.match(sender))


def _bulk(msg: Message) -> bool:
    precedence = _first(msg, "Precedence")
    if precedence in ("bulk", "list", "junk"):
        return True
    if raw_values(msg, "List-Id"):
        return True
    return bool(raw_values(msg, "List-Unsubscribe") and precedence)


def _report_type(msg: Message) -> str:
    try:
        return (msg.get_param("report-type") or "").strip().lower()
    except Exception:
        return ""


def _bounce(msg: Message, *, sender: str | None, subject: str,
            own_id: str | None) -> tuple[tuple[str, ...], str | None] | None:
    if msg.get_content_type() == "multipart/report" and _report_type(msg) == "delivery-status":
        return _dsn_details(msg, own_id)
    from_daemon = bool(sender and _DAEMON.match(sender))
    if (null_return_path(msg) or from_daemon) and _BOUNCE_SUBJECT.match(subject):
        return _loose_details(msg, own_id)
    return None


def _dsn_details(msg: Message, own_id: str | None) -> tuple[tuple[str, ...], str | None]:
    ids: list[str] = []
    statuses: list[str] = []
    failed = False
    for part in _parts(msg):
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in _status_blocks(part):
                found = _STATUS.search(header_text(block, "Status"))
                if found:
                    statuses.append(found.group(1))
                failed = failed or _token(header_text(block, "Action")) == "failed"
        elif ctype == "message/rfc822":
            payload = part.get_payload()
            for inner in payload if isinstance(payload, list) else []:
                ids.extend(message_ids(inner, "Message-ID"))
        elif ctype == "text/rfc822-headers":
            ids.extend(message_ids(_headers_of(part), "Message-ID"))
    if not ids:
        ids = _ids_in_text(msg)
    status = _worst(statuses) or _status_in_text(msg)
    if not (failed or (status or "").startswith("5")):
        # "delayed" (4.x.x) or "delivered" (2.x.x): a report, but nothing bounced.
        return (), status
    return _unique(ids, own_id), status


def _loose_details(msg: Message, own_id: str | None) -> tuple[tuple[str, ...], str | None]:
    ids: list[str] = []
    for part in _parts(msg):
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            for inner in payload if isinstance(payload, list) else []:
                ids.extend(message_ids(inner, "Message-ID"))
        elif part.get_content_type() == "text/rfc822-headers":
            ids.extend(message_ids(_headers_of(part), "Message-ID"))
    ids.extend(_ids_in_text(msg))
    return _unique(ids, own_id), _status_in_text(msg)


def _parts(msg: Message, limit: int = 200):
    try:
        for count, part in enumerate(msg.walk()):
            if count >= limit:
                return
            yield part
    except Exception:  # a part the email package cannot walk: what was yielded stays
        return


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(block) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _headers_of(part: Message) -> Message:
    data = part.get_payload(decode=True) or b""
    return BytesHeaderParser().parsebytes(data if isinstance(data, bytes) else b"")


def _text_parts(msg: Message) -> str:
    chunks = []
    for part in _parts(msg):
        if part.get_content_maintype() == "text":
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                chunks.append(data[:200_000].decode("utf-8", "replace"))
    return "\n".join(chunks)


def _ids_in_text(msg: Message) -> list[str]:
    return _MSG_ID_LINE.findall(_text_parts(msg))


def _status_in_text(msg: Message) -> str | None:
    found = _STATUS.findall(_text_parts(msg))
    return _worst(found) or None


def _worst(statuses: list[str]) -> str | None:
    """A permanent failure (5.x.x) over a temporary one (4.x.x) over success (2.x.x)."""
    return max(statuses, key=lambda s: s[0], default=None)


def _unique(ids: list[str], own_id: str | None) -> tuple[str, ...]:
    result: list[str] = []
    for message_id in ids:
        if message_id != own_id and message_id not in result:
            result.append(message_id)
    return tuple(result)
