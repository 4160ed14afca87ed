"""Property-based: no byte sequence makes parse_message raise, and what it returns keeps its promises.

The outer safety net in parse_message turns any exception into an "unparseable:..." problem; these tests
also require that the net is never needed, so a crash in the parsing code itself shows up here.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.mail_in.message import MAIL_KINDS, ParsedMail
from portal.mail_in.parse import parse_message

SAMPLES = sorted((Path(__file__).parent / "messages").glob("*.eml"))
FUZZ = settings(derandomize=True, deadline=None, max_examples=300,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HEADER_NAMES = ["From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References", "Date", "Reply-To",
                "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version",
                "Auto-Submitted", "Precedence", "List-Id", "Return-Path", "Authentication-Results"]
HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from([
        "multipart/mixed", "multipart/mixed; boundary=", 'multipart/alternative; boundary="b"',
        "multipart/report; report-type=delivery-status; boundary=r", "message/rfc822", "text/html; charset=x",
        "text/plain; charset=iso-2022-jp", "base64", "quoted-printable", "8bit", "x-uuencode",
        "attachment; filename*=UTF-8''%FF%FE", "attachment; filename*0*=utf-8''a; filename*1=b",
        "=?utf-8?b?!!!?=", "=?unknown?q?x?=", "=?utf-8?q?a=ZZ?=", "<>", "<a@b> <c@d", "a@", "@b",
        '"unterminated <x@y>', "Mon, 99 Foo 2026 99:99:99 +9999", "Thu, 1 Jan 1970 00:00:00 -0000",
        "Fri, 31 Dec 9999 23:59:59 -1200", "auto-replied", "bulk",
    ]),
)


def check(parsed: ParsedMail) -> None:
    assert isinstance(parsed, ParsedMail)
    assert not [p for p in parsed.problems if p.startswith("unparseable:")], parsed.problems
    assert parsed.kind in MAIL_KINDS
    for address in (parsed.sender, parsed.reply_to, parsed.forwarded_from, *parsed.to, *parsed.cc):
        if address is not None:
            local, _, domain = address.rpartition("@")
            assert local and domain == domain.lower() and not any(ch.isspace() for ch in address)
    for message_id in (parsed.message_id, *parsed.in_reply_to, *parsed.references, *parsed.bounced_message_ids):
        if message_id is not None:
            assert message_id and "<" not in message_id and ">" not in message_id
    if parsed.date is not None:
        assert parsed.date.tzinfo is not None and parsed.date.utcoffset() == UTC.utcoffset(None)
    assert isinstance(parsed.text, str) and isinstance(parsed.reply_text, str)
    if parsed.text.strip():
        assert parsed.reply_text.strip()
    strings = [parsed.text, parsed.reply_text, parsed.subject, parsed.sender_name, parsed.forwarded_from_name,
               *parsed.authentication_results, *parsed.problems, *(a.filename for a in parsed.attachments),
               *(a.content_type for a in parsed.attachments), parsed.message_id or "", parsed.sender or "",
               *parsed.to, *parsed.cc, *parsed.references, *parsed.delivered_to]
    for value in strings:
        value.encode("utf-8")                      # no lone surrogates
        assert "\x00" not in value                  # PostgreSQL refuses NUL in text
    for value in (parsed.subject, parsed.sender_name, *parsed.authentication_results):
        assert "\n" not in value and "\r" not in value
    for attachment in parsed.attachments:
        assert attachment.filename and "/" not in attachment.filename and "\\" not in attachment.filename
        assert isinstance(attachment.data, bytes)


@FUZZ
@given(st.binary(max_size=4096))
def test_any_bytes(raw):
    check(parse_message(raw, own_domains=("support.example.net",)))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(HEADER_NAMES), HEADER_VALUES), max_size=12),
       st.binary(max_size=1024))
def test_any_headers_and_body(headers, body):
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8", "surrogatepass")
    check(parse_message(head + b"\r\n" + body))


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_real_samples_cut_and_damaged(sample, data):
    raw = bytearray(sample.read_bytes())
    cut = data.draw(st.integers(0, len(raw)))
    raw = raw[:cut]
    for _ in range(data.draw(st.integers(0, 8))):
        if raw:
            position = data.draw(st.integers(0, len(raw) - 1))
            raw[position] = data.draw(st.integers(0, 255))
    check(parse_message(bytes(raw), own_domains=("support.example.net",)))


def test_every_sample_keeps_the_promises():
    for sample in SAMPLES:
        check(parse_message(sample.read_bytes(), own_domains=("support.example.net",)))
