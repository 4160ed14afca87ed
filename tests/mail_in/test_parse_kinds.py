"""What kind of mail each real-style sample is (loop and noise protection), and what a bounce names."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.mail_in.message import AUTO_REPLY, BOUNCE, BULK, OWN, PERSONAL
from portal.mail_in.parse import parse_message

MESSAGES = Path(__file__).parent / "messages"
OWN_DOMAINS = ("support.example.net",)


def parse(name: str, **overrides):
    return parse_message((MESSAGES / name).read_bytes(), own_domains=overrides.get("own_domains", OWN_DOMAINS))


def with_headers(headers: str, body: str = "Hello.\n") -> bytes:
    base = ("From: Someone <someone@customer.example>\nTo: cases@support.example.net\nSubject: Question\n"
            "Message-ID: <q-1@customer.example>\n")
    return (base + headers + "\n" + body).encode()


@pytest.mark.parametrize(("name", "kind"), [
    ("gmail_reply.eml", PERSONAL),
    ("outlook_reply.eml", PERSONAL),             # X-Auto-Response-Suppress alone is not bulk or auto
    ("outlook_original_message.eml", PERSONAL),
    ("apple_mail_reply.eml", PERSONAL),
    ("thunderbird_reply.eml", PERSONAL),
    ("html_only.eml", PERSONAL),
    ("auto_reply_rfc3834.eml", AUTO_REPLY),
    ("auto_reply_exchange_oof.eml", AUTO_REPLY),  # no Auto-Submitted: subject + X-Auto-Response-Suppress
    ("auto_reply_x_autoreply.eml", AUTO_REPLY),
    ("read_receipt.eml", AUTO_REPLY),
    ("list_mail.eml", BULK),
    ("newsletter.eml", BULK),
    ("dsn_postfix.eml", BOUNCE),
    ("dsn_exchange.eml", BOUNCE),
    ("bounce_qmail.eml", BOUNCE),
    ("own_notification.eml", OWN),
    ("forwarded_outlook.eml", PERSONAL),         # a Message-ID in our domain, but a person wrote it
])
def test_sample_kinds(name, kind):
    assert parse(name).kind == kind


@pytest.mark.parametrize(("headers", "kind"), [
    ("Auto-Submitted: auto-generated\n", AUTO_REPLY),
    ("Auto-Submitted: auto-replied; owner-email=\"x@y.example\"\n", AUTO_REPLY),
    ("Auto-Submitted: no\n", PERSONAL),
    ("AUTO-SUBMITTED: Auto-Notified\n", AUTO_REPLY),
    ("X-Autoreply: yes\n", AUTO_REPLY),
    ("X-Autorespond: Out of office\n", AUTO_REPLY),
    ("Precedence: auto_reply\n", AUTO_REPLY),
    ("Return-Path: <>\n", AUTO_REPLY),             # a null sender is never answered (RFC 3834)
    ("Precedence: bulk\n", BULK),
    ("Precedence: list\n", BULK),
    ("Precedence: junk\n", BULK),
    ("List-Id: <team.lists.example.org>\n", BULK),
    ("List-Unsubscribe: <mailto:leave@lists.example>\nPrecedence: first-class\n", BULK),
    ("List-Unsubscribe: <mailto:leave@lists.example>\n", PERSONAL),
    ("X-Auto-Response-Suppress: All\n", PERSONAL),
    ("X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply\n", PERSONAL),
    ("Precedence: first-class\n", PERSONAL),
])
def test_kind_from_headers(headers, kind):
    assert parse_message(with_headers(headers), own_domains=OWN_DOMAINS).kind == kind


def test_an_out_of_office_subject_alone_is_personal():
    raw = with_headers("").replace(b"Subject: Question", b"Subject: Automatic reply: Question")
    assert parse_message(raw).kind == PERSONAL


def test_postfix_dsn_names_the_bounced_notification_and_its_status():
    parsed = parse("dsn_postfix.eml")
    assert parsed.bounced_message_ids == ("4f0c2e8a-6b1d-4c3e-9a7f-0d1e2f3a4b5c@support.example.net",)
    assert parsed.bounce_status == "5.1.1"
    assert parsed.forwarded_from is None


def test_exchange_dsn_reads_the_message_id_from_the_attached_headers():
    parsed = parse("dsn_exchange.eml")
    assert parsed.bounced_message_ids == ("8d7c6b5a-4321-4fed-b0a9-876543210fed@support.example.net",)
    assert parsed.bounce_status == "5.1.10"


def test_non_standard_bounce_from_a_null_sender_names_the_quoted_message():
    parsed = parse("bounce_qmail.eml")
    assert parsed.bounced_message_ids == ("c0ffee00-1234-5678-9abc-def012345678@support.example.net",)
    assert parsed.bounce_status == "5.1.1"


def test_a_bounce_written_by_our_own_mta_is_a_bounce_not_own_mail():
    # The Postfix DSN's own Message-ID is in a domain we list as ours.
    parsed = parse("dsn_postfix.eml", own_domains=("mx.support.example.net",))
    assert parsed.kind == BOUNCE


def test_own_mail_needs_our_domain():
    assert parse("own_notification.eml", own_domains=("other.example",)).kind == AUTO_REPLY
    assert parse("own_notification.eml", own_domains=("SUPPORT.example.net.",)).kind == OWN


def test_a_bounce_subject_from_a_person_is_not_a_bounce():
    raw = with_headers("").replace(b"Subject: Question", b"Subject: Undeliverable: my parcel")
    assert parse_message(raw).kind == PERSONAL


def test_delivery_status_report_of_a_success_is_a_report_that_names_nothing_bounced():
    raw = b"""From: MAILER-DAEMON@mx.example
Subject: Successful Mail Delivery Report
Message-ID: <ok-1@mx.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="r"

--r
Content-Type: text/plain

Delivered.
--r
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; a@b.example
Action: delivered
Status: 2.0.0
--r
Content-Type: text/rfc822-headers

Message-ID: <sent-1@support.example.net>
--r--
"""
    parsed = parse_message(raw)
    assert parsed.kind == BOUNCE
    assert parsed.bounce_status == "2.0.0"
    assert parsed.bounced_message_ids == ()


def test_a_mailer_daemon_delay_warning_is_never_personal():
    raw = b"""From: MAILER-DAEMON@mx.example
Subject: Delayed Mail (still being retried)
Message-ID: <delay-1@mx.example>

Your message could not be delivered for 4 hours. It will be retried until it is 5 days old.
"""
    assert parse_message(raw).kind == AUTO_REPLY
