"""The wire bytes built directly (email_bytes) say what the stdlib-built message (build_email) says,
and what they keep between messages (the Date of the current second) follows its key."""

import email
import uuid
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.utils import format_datetime

import pytest

from notifier.channels.errors import PermanentDeliveryError
from notifier.channels.outgoing import OutgoingEmail, build_email, email_bytes

T = datetime(2026, 12, 1, 15, 30, 7, 250_000, tzinfo=UTC)
FROM = "Caseport <no-reply@x.test>"


def _email(**changes) -> OutgoingEmail:
    values = {"message_uuid": str(uuid.uuid4()), "to_address": "ann@example.com", "to_name": "Ann Example",
              "subject": "Your case 42", "text": "Hello Ann,\n\nyour case changed.\n", "html": "<p>Hello Ann</p>",
              "thread": "case:42", "headers": ()}
    return OutgoingEmail(**{**values, **changes})


def _parsed(data: bytes):
    return email.message_from_bytes(data, policy=policy.default)


def _text(content: str) -> str:
    return content.replace("\r\n", "\n").rstrip("\n")


def _date(sent_at) -> str:
    return str(_parsed(email_bytes(_email(html=None), mail_from=FROM, domain="x.test", sent_at=sent_at)[0])["Date"])


def test_the_date_follows_the_second_and_the_offset_it_was_sent_at():
    assert _date(T) == format_datetime(T)
    assert _date(T + timedelta(microseconds=500_000)) == format_datetime(T)  # the same second: the same text
    later = T + timedelta(seconds=1)
    assert _date(later) == format_datetime(later) != format_datetime(T)
    # The same instant at another offset is another text (the key holds the offset, not only the instant).
    berlin = T.astimezone(timezone(timedelta(hours=1)))
    assert _date(berlin) == format_datetime(berlin) != format_datetime(T)
    assert _date(T) == format_datetime(T)


@pytest.mark.parametrize("changes", [
    {},
    {"html": None},
    {"thread": None},
    {"to_name": None},
    {"to_name": "Zoë Müller", "subject": "Ihr Fall – geändert", "text": "Grüße\n", "html": "<p>Grüße</p>"},
    {"headers": (("List-Unsubscribe", "<https://x.test/u/1>"), ("References", "<a@b>")), "thread": None},
    {"headers": (("In-Reply-To", "<in@x.test>"), ("Auto-Submitted", "auto-replied"))},
    {"text": "a line with a dot\n.\nand = signs =3D\n" * 40},
])
def test_the_direct_bytes_say_what_the_stdlib_message_says(changes):
    outgoing = _email(**changes)
    data, smtputf8 = email_bytes(outgoing, mail_from=FROM, domain="x.test", sent_at=T)
    assert not smtputf8
    ours = _parsed(data)
    theirs = _parsed(build_email(outgoing, mail_from=FROM, domain="x.test", sent_at=T).as_bytes(policy=policy.SMTP))
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "In-Reply-To", "References",
                 "List-Unsubscribe"):
        assert str(ours[name]) == str(theirs[name]), name
    assert ours.get_content_type() == theirs.get_content_type()
    for kind in ("plain", "html"):
        mine, stdlib = ours.get_body((kind,)), theirs.get_body((kind,))
        assert (mine is None) == (stdlib is None)
        if mine is not None:
            # In a multipart the line break before a boundary belongs to the boundary: the stdlib
            # writes one more there; the text is the same.
            assert _text(mine.get_content()) == _text(stdlib.get_content())


def test_the_boundary_comes_from_the_message_uuid_and_never_from_its_text():
    outgoing = _email(text="--=_ is not a boundary here\n")
    data, _ = email_bytes(outgoing, mail_from=FROM, domain="x.test", sent_at=T)
    boundary = _parsed(data).get_boundary()
    assert boundary == "=_" + outgoing.message_uuid.replace("-", "")
    other = email_bytes(_email(), mail_from=FROM, domain="x.test", sent_at=T)[0]
    assert _parsed(other).get_boundary() != boundary
    # A message uuid that is not a uuid's text still gets a valid, random boundary.
    odd = email_bytes(_email(message_uuid="not a uuid"), mail_from=FROM, domain="x.test", sent_at=T)[0]
    assert _parsed(odd).get_boundary().startswith("=_") and " " not in _parsed(odd).get_boundary()


@pytest.mark.parametrize("header", ["Date", "Message-ID", "From", "References", "MIME-Version", "Content-Type"])
def test_a_header_the_notifier_writes_is_refused_from_the_host(header):
    # References is the notifier's own on a threaded message (the default here).
    with pytest.raises(PermanentDeliveryError):
        email_bytes(_email(headers=((header, "<x@y>"),)), mail_from=FROM, domain="x.test", sent_at=T)


@pytest.mark.parametrize("field", ["subject", "to_name", "to_address", "thread"])
@pytest.mark.parametrize("breaker", ["\r", "\n", "\0"])
def test_a_line_break_or_nul_in_a_header_value_is_refused(field, breaker):
    value = f"a{breaker}Bcc: x@evil.test" if field != "to_address" else f"a@b.test{breaker}"
    with pytest.raises(PermanentDeliveryError):
        email_bytes(_email(**{field: value}), mail_from=FROM, domain="x.test", sent_at=T)
