"""parse_message on real-style messages: headers, charsets, encodings, HTML, attachments, forwards, and
malformed input read as far as it goes with the problems listed."""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal.mail_in.html_text import html_to_text
from portal.mail_in.parse import parse_message

MESSAGES = Path(__file__).parent / "messages"


def parse(name: str):
    return parse_message((MESSAGES / name).read_bytes(), own_domains=("support.example.net",))


def test_gmail_reply_headers():
    parsed = parse("gmail_reply.eml")
    assert parsed.message_id == "CAJx9vTq8m2YkL3_Zp0=w4hQ@mail.gmail.com"
    assert parsed.in_reply_to == ("7a1f0b0e-2c1d-4e61-9d1e-1b2f3c4d5e6f@support.example.net",)
    assert parsed.references == ("thread-5d41402abc4b2a76b9719d911017c592@support.example.net",
                                 "7a1f0b0e-2c1d-4e61-9d1e-1b2f3c4d5e6f@support.example.net")
    assert (parsed.sender, parsed.sender_name) == ("jane.customer@gmail.com", "Jane Customer")
    assert parsed.to == ("cases+k1.abc@support.example.net",)
    assert parsed.delivered_to == ("cases+k1.abc@support.example.net",)
    assert parsed.subject == "Re: [Case 12345678] Router keeps restarting"
    assert parsed.date == datetime(2026, 12, 1, 9, 11, 52, tzinfo=UTC)
    assert " ".join(parsed.authentication_results[0].split()).startswith("mx.support.example.net; dkim=pass")
    assert parsed.problems == ()


def test_multipart_alternative_reads_the_plain_text_not_both():
    parsed = parse("gmail_reply.eml")
    assert parsed.text.count("the firmware update worked") == 1
    assert "<div" not in parsed.text


def test_address_domain_is_lowercased_and_rfc2047_name_with_comma_stays_one_address():
    parsed = parse("outlook_reply.eml")
    assert parsed.sender == "Max.Bauer@contoso.com"
    assert parsed.sender_name == "Bauer, Max"
    raw = (b"From: =?utf-8?q?M=C3=BCller=2C_Anna?= <Anna@Example.COM>\nTo: a@x.example, "
           b"=?utf-8?q?B=2C_C?= <b@Y.example>\nCc: <c@z.example>\nMessage-ID: <1@x>\n\nHi")
    parsed = parse_message(raw)
    assert (parsed.sender, parsed.sender_name) == ("Anna@example.com", "Müller, Anna")
    assert parsed.to == ("a@x.example", "b@y.example")
    assert parsed.cc == ("c@z.example",)


@pytest.mark.parametrize(("name", "subject", "sender_name", "fragment"), [
    ("iso_8859_1.eml", "Factura nº 4711", "José García", "15 € de más"),   # 0x80 is € in Windows-1252
    ("outlook_reply.eml", "AW: [Case 12345678] Rechnung November", "Bauer, Max", "über 129,00 €"),
    ("shift_jis.eml", "ルーターの不具合", "山田太郎", "①の手順も試しました"),    # ① only in Microsoft's cp932
    ("iso_2022_jp.eml", "請求書について", "Hanako Suzuki", "請求書の件でご連絡しました"),
    ("base64_utf8.eml", "Problème de connexion", "Élodie Martin", "le problème persiste après la mise à jour"),
    ("apple_mail_reply.eml", "Re: [Case 11223344] Pedido retrasado", "Lucia Romero", "llegó hoy"),
    ("header_8bit.eml", "Größe der Lieferung falsch", "Jörg Weiß", "Die Größe stimmt nicht."),
])
def test_charsets_and_transfer_encodings(name, subject, sender_name, fragment):
    parsed = parse(name)
    assert parsed.subject == subject
    assert parsed.sender_name == sender_name
    assert fragment in parsed.text


def test_raw_8bit_headers_are_read_and_reported():
    assert "header_8bit" in parse("header_8bit.eml").problems


def test_wrong_or_unknown_charset_falls_back_without_raising():
    parsed = parse("wrong_charset.eml")
    assert "café crème" in parsed.text            # unknown label, UTF-8 bytes
    assert "Straße und Müll" in parsed.text       # labelled UTF-8, written in Latin-1
    assert "charset:x-unknown-charset" in parsed.problems


def test_html_only_mail_becomes_safe_readable_text():
    parsed = parse("html_only.eml")
    assert parsed.text == (
        "Hello,\n\nthe lamp I ordered (order 991 (https://shop.example/orders/991)) arrived broken. "
        "Please click nothing.\n\n- Glass shade: cracked\n- Cable: fine\n\nRegards,\nSam")
    for unsafe in ("document.location", "evil.example", "font-family", "javascript", "ignored title", "pixel"):
        assert unsafe not in parsed.text


def test_html_text_details():
    html = ('<p>A&amp;B &lt;tag&gt; &euro;&nbsp;5</p><p>Mail <a href="mailto:x@y.example">x@y.example</a>, '
            '<a href="https://a.example/">https://a.example/</a>, <a href="data:text/html,x">data</a></p>'
            "<!-- hidden --><table><tr><td>Order</td><td>991</td></tr></table><img alt=\"Logo\" src=\"x\">")
    assert html_to_text(html) == ("A&B <tag> € 5\n\nMail x@y.example, https://a.example/, data\n\n"
                                  "Order  991\n\n[Logo]")


def test_deeply_nested_html_is_read_in_bounded_time():
    started = time.monotonic()
    text = html_to_text("<blockquote>" * 50_000 + "deep" + "<div>" * 50_000 + "<script>alert(1)</script>")
    assert text == "deep"
    assert time.monotonic() - started < 10


def test_attachments_rfc2231_names_inline_images_and_unsafe_names():
    parsed = parse("attachments.eml")
    assert parsed.text == "See the screenshot below and the invoice attached."
    image, pdf, exe, calendar = parsed.attachments
    assert (image.filename, image.content_type, image.inline, image.content_id) == (
        "image-1.png", "image/png", True, "shot1@photos.example")
    assert image.data.startswith(b"\x89PNG")
    assert (pdf.filename, pdf.content_type, pdf.inline) == ("Rechnung März.pdf", "application/pdf", False)
    assert pdf.data.startswith(b"%PDF-1.4")
    assert exe.filename == "evil.exe"                     # no path parts from "..\..\evil.exe"
    assert calendar.content_type == "text/calendar" and calendar.filename.startswith("attachment-")


def test_winmail_dat_is_kept_as_an_attachment():
    parsed = parse("winmail.eml")
    assert parsed.text == "Please find the signed contract attached."
    (winmail,) = parsed.attachments
    assert (winmail.filename, winmail.content_type) == ("winmail.dat", "application/ms-tnef")
    assert winmail.data.startswith(b"\x78\x9f\x3e\x22")


def test_forwarded_message_part_becomes_text_and_names_its_sender():
    parsed = parse("forwarded_attachment.eml")
    assert (parsed.forwarded_from, parsed.forwarded_from_name) == ("Bea.Koenig@customer-mail.example", "Bea König")
    assert parsed.sender == "alex.agent@support.example.net"
    assert parsed.text.startswith("Please open a case for this customer, she called too.")
    assert "From: Bea König <Bea.Koenig@Customer-Mail.example>" in parsed.text
    assert "Since this morning the portal says my password is wrong." in parsed.text
    assert "Since this morning" in parsed.reply_text          # a forward keeps what it forwards
    assert [a.filename for a in parsed.attachments] == ["screenshot.png"]


@pytest.mark.parametrize(("name", "address", "display"), [
    ("forwarded_inline_gmail.eml", "carl@customer-mail.example", "Carl Customer"),
    ("forwarded_outlook.eml", "dora@kundin.example", "Dora Daum"),
])
def test_inline_forwards_name_the_forwarded_sender(name, address, display):
    parsed = parse(name)
    assert (parsed.forwarded_from, parsed.forwarded_from_name) == (address, display)


@pytest.mark.parametrize("name", ["outlook_reply.eml", "outlook_original_message.eml", "gmail_reply.eml"])
def test_a_reply_is_not_a_forward(name):
    assert parse(name).forwarded_from is None


def test_missing_boundary_is_guessed():
    parsed = parse("malformed_no_boundary.eml")
    assert parsed.text == "The printer is on fire."
    assert "defect:NoBoundaryInMultipartDefect" in parsed.problems
    assert "guessed_boundary" in parsed.problems


def test_truncated_message_keeps_what_arrived():
    parsed = parse("malformed_truncated.eml")
    assert parsed.text == "The photo of the damage is attached."
    assert [a.filename for a in parsed.attachments] == ["damage.jpg"]
    assert "defect:CloseBoundaryNotFoundDefect" in parsed.problems


def test_missing_from_and_message_id():
    parsed = parse("missing_headers.eml")
    assert parsed.sender is None and parsed.message_id is None
    assert parsed.subject == "no sender, no id"
    assert parsed.text == "Just some text without From or Message-ID."
    assert {"missing_from", "missing_message_id"} <= set(parsed.problems)


def test_no_headers_at_all():
    parsed = parse("no_headers.eml")
    assert parsed.text == "Hello, this arrived without any header at all.\nSecond line."
    assert "missing_headers" in parsed.problems


@pytest.mark.parametrize(("raw", "problem"), [
    (b"", "empty"),
    (b"\r\n\r\n", "empty"),
    (b"From: nobody\nMessage-ID: <1@x>\n\nHi", "unreadable_from"),
    (b"From: a@b.example\nDate: yesterday-ish\n\nHi", "unreadable_date"),
])
def test_problems_are_named(raw, problem):
    assert problem in parse_message(raw).problems


@pytest.mark.parametrize(("header", "expected"), [
    ("Date: Tue, 1 Dec 2026 10:11:52 +0100", datetime(2026, 12, 1, 9, 11, 52, tzinfo=UTC)),
    ("Date: 1 Dec 2026 11:00:00 -0000", datetime(2026, 12, 1, 11, 0, tzinfo=UTC)),
    ("Date: Tue,  1 Dec 2026 09:00:05 +0000 (UTC)", datetime(2026, 12, 1, 9, 0, 5, tzinfo=UTC)),
    ("Date: Mon, 99 Foo 2026 99:99:99 +9999", None),
])
def test_dates_are_aware_utc(header, expected):
    assert parse_message(f"From: a@b.example\n{header}\n\nHi".encode()).date == expected


def test_message_ids_without_angle_brackets_and_folded_references():
    raw = (b"From: a@b.example\nMessage-ID: bare-id@host.example\nIn-Reply-To: <x@y> (comment)\n"
           b"References: <r1@h>\n <r2@h>\n\t<r1@h>\n\nHi")
    parsed = parse_message(raw)
    assert parsed.message_id == "bare-id@host.example"
    assert parsed.in_reply_to == ("x@y",)
    assert parsed.references == ("r1@h", "r2@h")


def test_rfc2047_subject_in_several_words_and_charsets():
    raw = (b"From: a@b.example\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe?= =?UTF-8?B?aGV1dGUg4oKs?= und\n"
           b" =?x-unknown?q?caf=C3=A9?=\n\nHi")
    assert parse_message(raw).subject == "Grüßeheute € und café"


def test_twenty_megabyte_attachment():
    payload = hashlib.sha256(b"seed").digest() * (20 * 1024 * 1024 // 32)
    raw = (b"From: Big Files <big@files.example>\r\nTo: cases@support.example.net\r\nSubject: logs\r\n"
           b"Message-ID: <big-1@files.example>\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
           b"Logs attached.\r\n--b\r\nContent-Type: application/zip; name=\"logs.zip\"\r\n"
           b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"logs.zip\"\r\n\r\n"
           + base64.encodebytes(payload).replace(b"\n", b"\r\n") + b"--b--\r\n")
    started = time.monotonic()
    parsed = parse_message(raw)
    assert time.monotonic() - started < 30
    assert parsed.text == "Logs attached."
    (attachment,) = parsed.attachments
    assert attachment.filename == "logs.zip" and len(attachment.data) == len(payload)
    assert attachment.data == payload
    assert parsed.problems == ()


def test_control_characters_never_reach_stored_text():
    raw = (b"From: Nul\x00Name <nul@x.example>\nSubject: a\x00b\x1bc\nMessage-ID: <n\x00@x>\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset="\x00utf-8"\n\n'
           b"line\x00one\x07\tend\n--b\nContent-Type: \x00text/plain\nContent-Disposition: attachment\n\ndata\n--b--\n")
    parsed = parse_message(raw)
    assert parsed.subject == "a b c"
    assert parsed.sender_name == "Nul Name"
    assert parsed.text == "lineone\tend"
    assert parsed.message_id is None
    assert [a.content_type for a in parsed.attachments] == ["application/octet-stream"]
    assert all("\x00" not in problem for problem in parsed.problems)


@pytest.mark.parametrize("disposition", [
    'Content-Type: application/pdf; name="=?UTF-8?Q?Angebot_f=C3=BCr_M=C3=A4rz.pdf?="\nContent-Disposition: attachment',
    "Content-Type: application/pdf\nContent-Disposition: attachment;\n"
    ' filename="=?utf-8?B?QW5nZWJvdCBmw7xyIE3DpHJ6LnBkZg==?="',
    "Content-Type: application/pdf\nContent-Disposition: attachment;\n filename*0*=UTF-8''Angebot%20f%C3%BCr;\n"
    " filename*1*=%20M%C3%A4rz.pdf",
    "Content-Type: application/pdf\nContent-Disposition: attachment;\n"
    " filename*=iso-8859-1'de'Angebot%20f%FCr%20M%E4rz.pdf",
])
def test_attachment_names_in_rfc2231_and_rfc2047(disposition):
    raw = (f'From: a@b.example\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n'
           f"Content-Type: text/plain\n\nOffer attached.\n--b\n{disposition}\n\n%PDF-1.4\n--b--\n").encode()
    (attachment,) = parse_message(raw).attachments
    assert attachment.filename == "Angebot für März.pdf"


def test_mime_nested_thousands_deep_keeps_the_headers():
    raw = b"From: Deep <deep@x.example>\nSubject: deep\nMessage-ID: <deep-1@x.example>\nMIME-Version: 1.0\n"
    raw += b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(5000))
    parsed = parse_message(raw + b"Content-Type: text/plain\n\ndeep\n")
    assert (parsed.sender, parsed.subject, parsed.message_id) == ("deep@x.example", "deep", "deep-1@x.example")
    assert "too_deeply_nested" in parsed.problems


def test_a_hundred_thousand_parts_are_read_in_bounded_time():
    raw = (b'From: a@b.example\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n\n'
           + b"--x\nContent-Type: text/plain\n\nhi\n" * 100_000 + b"--x--\n")
    started = time.monotonic()
    parsed = parse_message(raw)
    assert time.monotonic() - started < 30
    assert "too_many_parts" in parsed.problems


def test_apple_mail_inline_image_in_the_html_alternative_is_kept():
    parsed = parse("apple_mail_inline_image.eml")
    assert parsed.text == "This is what I see:\n\n\n\nLena"
    (image,) = parsed.attachments
    assert (image.filename, image.content_type, image.inline, image.content_id) == (
        "Screenshot 2026-12-01 at 17.29.png", "image/png", True, "D3E4F5A6-7777@mac.example")


def test_a_signed_message_is_its_content_without_the_signature_file():
    parsed = parse("smime_signed.eml")
    assert parsed.text == "Please close my old account."
    assert parsed.attachments == ()


@pytest.mark.parametrize("body", [
    # Apple Mail
    "FYI\n\nBegin forwarded message:\n\nFrom: Eva Ernst <eva@kunde.example>\nSubject: Broken\n"
    "Date: 1 December 2026 at 10:00:00 CET\nTo: Alex <alex@support.example.net>\n\nIt is broken.\n",
    # Thunderbird
    "FYI\n\n-------- Forwarded Message --------\nSubject: Broken\nDate: Tue, 1 Dec 2026 10:00:00 +0100\n"
    "From: Eva Ernst <eva@kunde.example>\nTo: Alex <alex@support.example.net>\n\nIt is broken.\n",
    # Outlook, German
    "FYI\n\n________________________________\nVon: Eva Ernst <eva@kunde.example>\n"
    "Gesendet: Dienstag, 1. Dezember 2026 10:00\nAn: Alex\nBetreff: Broken\n\nIt is broken.\n",
])
def test_inline_forwards_of_other_clients(body):
    raw = f"From: Alex <alex@support.example.net>\nSubject: Fwd: Broken\nMessage-ID: <f@x>\n\n{body}".encode()
    parsed = parse_message(raw, own_domains="support.example.net")
    assert (parsed.forwarded_from, parsed.forwarded_from_name) == ("eva@kunde.example", "Eva Ernst")
    assert "It is broken." in parsed.reply_text
