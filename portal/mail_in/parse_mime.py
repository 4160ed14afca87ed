"""The MIME tree of a parsed message → its text, its attachments and any forwarded messages.

Which parts are "the body": in multipart/alternative the plain text (the HTML converted when there is no
usable plain text), in multipart/related the root part, in multipart/mixed every inline text part in order.
Everything else that carries data is an attachment, inline images included. A message/rfc822 part (a
forwarded message, an attached e-mail) contributes its headers and text to the text and its attachments to
the attachments. Nothing here raises on a malformed part: it is skipped or read as far as it goes, and the
problem is noted.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

from portal.mail_in.html_text import MAX_HTML_CHARS, html_to_text
from portal.mail_in.message import MailAttachment
from portal.mail_in.parse_charsets import decode_text, storable_line, storable_text
from portal.mail_in.parse_headers import address_list, decode_words, header_text

# Deeper nesting than this is not real mail (a MIME bomb): the rest is not read.
MAX_DEPTH = 12
# More parts than this are not read either.
MAX_PARTS = 500
_BOUNDARY_LINE = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?$", re.MULTILINE)
_BOUNDARY_SEARCH = 8192
_SIGNATURES = frozenset({"application/pgp-signature", "application/pkcs7-signature",
                         "application/x-pkcs7-signature"})
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


@dataclass
class Body:
    texts: list[str] = field(default_factory=list)
    attachments: list[MailAttachment] = field(default_factory=list)
    forwarded: list[tuple[str, str]] = field(default_factory=list)   # (address, display name) per message
    problems: list[str] = field(default_factory=list)
    parts_seen: int = 0

    def problem(self, code: str) -> None:
        if code not in self.problems:
            self.problems.append(code)


def read_body(msg: Message) -> Body:
    body = Body()
    _walk(msg, body, depth=0, related_root=False)
    return body


def _walk(part: Message, body: Body, *, depth: int, related_root: bool) -> None:
    body.parts_seen += 1
    if depth > MAX_DEPTH or body.parts_seen > MAX_PARTS:
        body.problem("too_many_parts")
        return
    _note_defects(part, body)
    ctype = part.get_content_type()
    if part.is_multipart():
        children = [p for p in (part.get_payload() or []) if isinstance(p, Message)]
        subtype = part.get_content_subtype()
        if subtype == "alternative":
            _alternative(children, body, depth)
        elif subtype == "related" and children:
            _walk(children[0], body, depth=depth + 1, related_root=True)
            for child in children[1:]:
                _attach(child, body, inline=True)
        elif ctype == "message/rfc822":
            for child in children:
                _forwarded(child, body, depth)
        elif subtype == "signed":
            # S/MIME or OpenPGP: the content, without the signature part (nothing a case needs as a file).
            for child in children:
                if child.get_content_type() not in _SIGNATURES:
                    _walk(child, body, depth=depth + 1, related_root=False)
        elif subtype == "encrypted":
            body.problem("encrypted")
            for child in children:
                _walk(child, body, depth=depth + 1, related_root=False)
        else:
            for child in children:
                _walk(child, body, depth=depth + 1, related_root=False)
        return
    if part.get_content_maintype() == "multipart":
        _unbounded(part, body, depth)
        return
    if ctype == "message/rfc822":
        # Without a multipart payload the email package leaves it as text: parse failed, keep it as a file.
        _attach(part, body, inline=False)
        return
    if _is_body_text(part):
        text = _text_of(part, body)
        if text.strip():
            body.texts.append(text)
        return
    _attach(part, body, inline=related_root or _disposition(part) == "inline")


def _unbounded(part: Message, body: Body, depth: int) -> None:
    """A multipart without a usable boundary parameter: guess it from the first "--xyz" line and read the
    parts; when there is none, the payload is read as plain text."""
    data = _payload(part, body)
    found = _BOUNDARY_LINE.search(data[:_BOUNDARY_SEARCH])
    if found:
        boundary = found.group(1).decode("ascii", "replace")
        head = f'Content-Type: {part.get_content_type()}; boundary="{boundary}"\n\n'.encode("ascii", "replace")
        try:
            guessed = BytesParser(policy=compat32).parsebytes(head + data)
        except RecursionError:
            guessed = None
            body.problem("too_deeply_nested")
        if guessed is not None and guessed.is_multipart():
            body.problem("guessed_boundary")
            _walk(guessed, body, depth=depth + 1, related_root=False)
            return
    text, _ = decode_text(data, None)
    text = storable_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    if text.strip():
        body.texts.append(text)


def _alternative(children: list[Message], body: Body, depth: int) -> None:
    plain = [c for c in children if c.get_content_type() == "text/plain" and _disposition(c) != "attachment"]
    others = [c for c in children if c not in plain]
    for child in plain:
        text = _text_of(child, body)
        if text.strip():
            body.texts.append(text)
            # Apple Mail puts inline images only into the HTML alternative (multipart/related): keep them.
            for other in others:
                scratch = Body(parts_seen=body.parts_seen)
                _walk(other, scratch, depth=depth + 1, related_root=False)
                body.parts_seen = scratch.parts_seen
                body.attachments.extend(scratch.attachments)
            return
    # No usable plain text: the richest other alternative (the last one, RFC 2046), e.g. HTML or related.
    if others:
        _walk(others[-1], body, depth=depth + 1, related_root=False)


def _forwarded(inner: Message, body: Body, depth: int) -> None:
    sender = address_list(inner, "From")
    if sender:
        body.forwarded.append(sender[0])
    lines = []
    for name in ("From", "Date", "Subject", "To", "Cc"):
        value = header_text(inner, name)
        if value:
            lines.append(f"{name}: {value}")
    inner_body = Body(parts_seen=body.parts_seen)
    _walk(inner, inner_body, depth=depth + 1, related_root=False)
    body.parts_seen = inner_body.parts_seen
    body.texts.append("---------- Forwarded message ----------\n" + "\n".join(lines) + "\n\n"
                      + "\n\n".join(inner_body.texts))
    body.attachments.extend(inner_body.attachments)
    body.forwarded.extend(inner_body.forwarded)
    for problem in inner_body.problems:
        body.problem(problem)


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:  # a malformed Content-Disposition header: treat as absent
        return None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # a malformed RFC 2231 parameter
        return None
    if not isinstance(name, str):
        return None
    # RFC 2231 is decoded by get_filename; Outlook and Gmail also put RFC 2047 words in the parameter.
    return decode_words(name)


def _is_body_text(part: Message) -> bool:
    if part.get_content_maintype() != "text" or part.get_content_subtype() not in ("plain", "html"):
        return False
    return _disposition(part) != "attachment" and not _filename(part)


def _text_of(part: Message, body: Body) -> str:
    data = _payload(part, body)
    try:
        label = part.get_content_charset()
    except Exception:
        label = None
    text, guessed = decode_text(data, label)
    if guessed:
        body.problem(f"charset:{storable_line(label or 'none')[:40]}")
    text = storable_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    if part.get_content_subtype() == "html":
        if len(text) > MAX_HTML_CHARS:
            body.problem("html_truncated")
        try:
            return html_to_text(text)
        except Exception:  # nh3/HTMLParser on hostile input: keep the tags out, the words in
            body.problem("html_unreadable")
            return re.sub(r"<[^>]*>", " ", text)
    return text


def _payload(part: Message, body: Body) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        body.problem("undecodable_part")
        return b""
    _note_defects(part, body)   # decoding adds its own (bad base64 padding or characters)
    if data is None:
        return b""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    return data


def _attach(part: Message, body: Body, *, inline: bool) -> None:
    if part.is_multipart():
        # e.g. an attached message/rfc822 that failed to parse as one: keep its bytes.
        try:
            data = part.as_bytes()
        except Exception:
            body.problem("undecodable_part")
            return
    else:
        data = _payload(part, body)
    ctype = part.get_content_type()
    if not _CONTENT_TYPE.match(ctype):
        ctype = "application/octet-stream"
    content_id = None
    raw_cid = header_text(part, "Content-ID")
    if raw_cid:
        content_id = raw_cid.strip().strip("<>").strip() or None
    name = _safe_filename(_filename(part))
    if not name:
        extension = mimetypes.guess_extension(ctype) or ".bin"
        kind = "image" if ctype.startswith("image/") else "attachment"
        name = f"{kind}-{len(body.attachments) + 1}{extension}"
    referenced = content_id is not None and _disposition(part) != "attachment"
    body.attachments.append(MailAttachment(
        filename=name, content_type=ctype, data=data, inline=inline or referenced, content_id=content_id,
    ))


def _safe_filename(name: str | None) -> str:
    if not name:
        return ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[:200]


def _note_defects(part: Message, body: Body) -> None:
    for defect in getattr(part, "defects", ()) or ():
        body.problem(f"defect:{type(defect).__name__}")
