"""sender_authenticated: only our own MTA's topmost Authentication-Results, and only aligned passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.mail_in.message import ParsedMail
from portal.mail_in.parse import parse_message
from portal.mail_in.trust import aligned, parse_results, sender_authenticated

OURS = "mx.support.example.net"


def mail(*results: str, sender: str | None = "jane@example.com") -> ParsedMail:
    return ParsedMail(message_id="m-1@example.com", sender=sender, authentication_results=results)


@pytest.mark.parametrize("result", [
    f"{OURS}; dmarc=pass (p=REJECT) header.from=example.com",
    f"{OURS}; dkim=pass header.d=example.com header.s=s1",
    f"{OURS}; dkim=pass header.d=mail.example.com",                        # subdomain signer, relaxed
    f"{OURS}; dkim=pass header.i=@news.example.com",                       # AUID when header.d is absent
    f"{OURS}; spf=pass smtp.mailfrom=bounces@example.com",
    f"{OURS}; spf=pass smtp.mailfrom=example.com",
    f"{OURS.upper()} 1; dkim=fail header.d=example.com; spf=pass smtp.mailfrom=jane@example.com",
    f"{OURS};\r\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com header.b=\"Ab;c\"",
])
def test_accepted(result):
    assert sender_authenticated(mail(result), OURS)


@pytest.mark.parametrize("result", [
    f"{OURS}; dkim=pass header.d=otherdomain.example",                     # signed, but not by the From domain
    f"{OURS}; dkim=pass header.d=badexample.com",                          # suffix without a label boundary
    f"{OURS}; dkim=pass header.d=com",                                     # one label never aligns
    f"{OURS}; spf=pass smtp.mailfrom=attacker@evil.example",
    f"{OURS}; spf=pass smtp.helo=example.com",                             # HELO is not the envelope sender
    f"{OURS}; dkim=fail header.d=example.com; spf=softfail smtp.mailfrom=example.com",
    f"{OURS}; dmarc=fail header.from=example.com; dkim=pass header.d=example.com",  # the owner's verdict wins
    f"{OURS}; dmarc=pass header.from=evil.example",                        # DMARC checked another From
    f"{OURS}; none",
    f"{OURS} (dkim=pass header.d=example.com); spf=none",                  # a comment is not a result
    "",
])
def test_refused(result):
    assert not sender_authenticated(mail(result), OURS)


def test_results_of_another_server_are_not_read():
    assert not sender_authenticated(mail("mx.google.com; dkim=pass header.d=example.com; dmarc=pass"), OURS)


def test_only_the_topmost_header_of_our_server_counts():
    # A sender can write a header with our authserv-id into the message; our MTA prepends its own above it.
    forged_below = mail(f"{OURS}; spf=fail smtp.mailfrom=example.com",
                        f"{OURS}; dmarc=pass header.from=example.com")
    assert not sender_authenticated(forged_below, OURS)
    ours_on_top = mail("spamfilter.internal; none",
                       f"{OURS}; dmarc=pass header.from=example.com",
                       f"{OURS}; dkim=fail")
    assert sender_authenticated(ours_on_top, OURS)


def test_no_sender_or_no_configured_id_is_never_authenticated():
    assert not sender_authenticated(mail(f"{OURS}; dmarc=pass", sender=None), OURS)
    assert not sender_authenticated(mail(f"{OURS}; dmarc=pass"), "")
    assert not sender_authenticated(mail(f"{OURS}; dmarc=pass"), "   ")


def test_from_a_real_message_header_block():
    raw = (Path(__file__).parent / "messages" / "gmail_reply.eml").read_bytes()
    parsed = parse_message(raw)
    assert sender_authenticated(parsed, OURS)
    assert not sender_authenticated(parsed, "mx.other.example")
    spoofed = parse_message(raw.replace(b"From: Jane Customer <jane.customer@gmail.com>",
                                        b"From: Jane Customer <jane@customer-bank.example>"))
    assert not sender_authenticated(spoofed, OURS)


def test_parse_results_reads_methods_properties_and_skips_comments():
    server, results = parse_results(
        'mx.example.net 1; dkim=pass (good (nested) signature) header.d=Example.COM header.s="sel;1";'
        " spf=neutral smtp.mailfrom=a@b.example; auth=pass smtp.auth=user")
    assert server == "mx.example.net"
    assert [(r.method, r.result) for r in results] == [("dkim", "pass"), ("spf", "neutral"), ("auth", "pass")]
    assert results[0].properties["header.d"] == "Example.COM"
    assert results[0].properties["header.s"] == "sel;1"


@pytest.mark.parametrize(("domain", "from_domain", "expected"), [
    ("example.com", "example.com", True),
    ("a.example.com", "example.com", True),
    ("example.com", "b.example.com", True),
    ("xample.com", "example.com", False),
    ("example.co", "example.com", False),
    ("", "example.com", False),
    ("com", "example.com", False),
])
def test_alignment(domain, from_domain, expected):
    assert aligned(domain, from_domain) is expected


@settings(derandomize=True, deadline=None, max_examples=300)
@given(st.lists(st.lists(st.sampled_from([*'abc.=;()"\\ \t/@-', "dkim", "dmarc", "pass", "header.d", OURS]),
                         max_size=40).map("".join), max_size=4))
def test_any_header_text_gives_an_answer(headers):
    # Whatever the headers say, the answer is a bool, and never True without a pass result from our server.
    answer = sender_authenticated(mail(*headers), OURS)
    assert answer in (True, False)
    if answer:
        assert any("pass" in header and OURS in header for header in headers)
