"""The channels the notifier brings: email (SMTP, or the dev sink) and SMS (an HTTP gateway, or
the dev sink)."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from notifier.channels.devsink import DevSinkChannel
from notifier.channels.outgoing import OutgoingEmail, OutgoingSms
from notifier.channels.sms import HttpSmsChannel
from notifier.channels.smtp import SmtpChannel
from notifier.channels.spec import Channel
from notifier.models import EMAIL, SMS
from notifier.sms_segments import sms_shape
from notifier.template_errors import RenderError
from notifier.words import _l

MAX_SUBJECT_CHARS = 200
MAX_SMS_SEGMENTS = 10

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")


def _email_address(address: str) -> str:
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"invalid email address {address!r}: {error}") from None


def _finish_email(rendered: dict) -> dict:
    # A subject is one header line: line breaks would be header injection, so they become spaces.
    subject = _LINE_BREAKS.sub(" ", rendered.get("subject", "")).strip()
    if not subject:
        raise RenderError(_l("rendered empty"), part="subject")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise RenderError(_l("%(count)s characters; the limit is %(limit)s", count=len(subject),
                             limit=MAX_SUBJECT_CHARS), part="subject")
    rendered["subject"] = subject
    return rendered


def _email_outgoing(message) -> OutgoingEmail:
    rendered = message.rendered
    return OutgoingEmail(
        message_uuid=str(message.uuid),
        to_address=message.address,
        to_name=message.recipient_name,
        subject=rendered["subject"],
        text=rendered["text"],
        html=rendered.get("html"),
        thread=message.thread,
        headers=tuple((message.extra_headers or {}).items()),
    )


def _email_sender(settings):
    return SmtpChannel(settings) if settings.MAIL_BACKEND == "smtp" else DevSinkChannel(settings)


EMAIL_CHANNEL = Channel(
    name=EMAIL,
    normalise=_email_address,
    sender=_email_sender,
    outgoing=_email_outgoing,
    parts=("subject", "text", "html"),
    required_parts=("subject", "text"),
    required_reason=_l("required for email templates"),
    default_files={"subject": "email_subject.txt", "text": "email_body.txt", "html": "email_body.html"},
    finish=_finish_email,
    takes_headers=True,
)


def _e164(number: str) -> str:
    # E.164 only: a leading + and a country code, so no guessing of the region happens here.
    number = number.strip()
    if not number.startswith("+"):
        raise ValueError(f"invalid phone number {number!r}: use E.164, e.g. +447911123456")
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"invalid phone number {number!r}: {error}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"invalid phone number {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _finish_sms(rendered: dict) -> dict:
    text = rendered.get("text", "").strip()
    shape = sms_shape(text)
    if shape.segments == 0:
        raise RenderError(_l("rendered empty"), part="text")
    if shape.segments > MAX_SMS_SEGMENTS:
        raise RenderError(_l("%(count)s SMS segments; the limit is %(limit)s", count=shape.segments,
                             limit=MAX_SMS_SEGMENTS), part="text")
    rendered["text"] = text
    return rendered


def _sms_measure(rendered: dict) -> dict:
    shape = sms_shape(rendered["text"])
    return {"sms_encoding": shape.encoding, "sms_segments": shape.segments}


def _sms_sender(settings):
    if settings.SMS_BACKEND == "http":
        return HttpSmsChannel(settings)
    if settings.SMS_BACKEND == "devsink":
        return DevSinkChannel(settings)
    return None


SMS_CHANNEL = Channel(
    name=SMS,
    normalise=_e164,
    sender=_sms_sender,
    outgoing=lambda message: OutgoingSms(message_uuid=str(message.uuid), to_number=message.address,
                                         text=message.rendered["text"]),
    enabled=lambda settings: settings.SMS_BACKEND != "none",
    parts=("text",),
    required_parts=("text",),
    required_reason=_l("required for text message templates"),
    default_files={"text": "sms.txt"},
    finish=_finish_sms,
    measure=_sms_measure,
)
