"""reply_text: quoted history and signatures as real clients write them, stripped; what was written, kept."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from portal.mail_in.parse import parse_message
from portal.mail_in.quotes import reply_text

MESSAGES = Path(__file__).parent / "messages"
NEW = "The restarts stopped after the update.\nThank you!"


@pytest.mark.parametrize("history", [
    # Gmail (one line, and wrapped over two or three lines as Gmail does for long names)
    "On Mon, Nov 30, 2026 at 4:05\u202fPM Example Support <cases@support.example.net> wrote:\n\n> Hello\n",
    "On Mon, Nov 30, 2026 at 4:05 PM Example Support <\ncases@support.example.net> wrote:\n> Hello\n",
    "On Mon, Nov 30, 2026 at 4:05 PM\nExample Support <cases@support.example.net>\nwrote:\n> Hello\n",
    "Am Mo., 30. Nov. 2026 um 16:05 Uhr schrieb Example Support <cases@support.example.net>:\n> Hallo\n",
    "Am Mo., 30. Nov. 2026 um 16:05 Uhr schrieb Example Support <\ncases@support.example.net>:\n\n> Hallo\n",
    "El lun, 30 nov 2026 a las 16:05, Example Support (<cases@support.example.net>) escribió:\n> Hola\n",
    # Apple Mail
    "On 30 Nov 2026, at 16:05, Example Support <cases@support.example.net> wrote:\n\n> Hello\n",
    "Am 30.11.2026 um 16:05 schrieb Example Support <cases@support.example.net>:\n\n> Hallo\n",
    "El 30 nov 2026, a las 16:05, Example Support <cases@support.example.net> escribió:\n\n> Hola\n",
    # Thunderbird
    "On 30.11.26 16:05, Example Support wrote:\n> Hello\n",
    "Am 30.11.26 um 16:05 schrieb Example Support:\n> Hallo\n",
    "El 30/11/26 a las 16:05, Example Support escribió:\n> Hola\n",
    # Outlook
    "-----Original Message-----\nFrom: Example Support [mailto:cases@support.example.net]\n"
    "Sent: Monday, November 30, 2026 4:05 PM\nTo: Jane\nSubject: [Case 12345678] Router\n\nHello\n",
    "-----Ursprüngliche Nachricht-----\nVon: Example Support\nGesendet: Montag, 30. November 2026 16:05\n\nHallo\n",
    "-----Mensaje original-----\nDe: Example Support\nEnviado el: lunes, 30 de noviembre de 2026 16:05\n\nHola\n",
    "________________________________\nFrom: Example Support <cases@support.example.net>\n"
    "Sent: Monday, November 30, 2026 16:05\nTo: Jane Customer <jane@example.com>\nSubject: Router\n\nHello\n",
    "________________________________\nVon: Example Support <cases@support.example.net>\n"
    "Gesendet: Montag, 30. November 2026 16:05\nAn: Jane\nBetreff: Router\n\nHallo\n",
    "________________________________\nDe: Example Support <cases@support.example.net>\n"
    "Enviado: lunes, 30 de noviembre de 2026 16:05\nPara: Jane\nAsunto: Router\n\nHola\n",
    "*From:* Example Support <cases@support.example.net>\n*Sent:* Monday, November 30, 2026 16:05\n"
    "*To:* Jane\n*Subject:* Router\n\nHello\n",
    "From: Example Support <cases@support.example.net>\nDate: Monday, 30 November 2026 at 16:05\n"
    "To: Jane\nSubject: Router\n\nHello\n",
    # a client that writes only the name
    "Example Support wrote:\n> Hello\n",
])
def test_quoted_history_is_stripped(history):
    assert reply_text(f"{NEW}\n\n{history}") == NEW


@pytest.mark.parametrize("signature", [
    "-- \nJane Customer\nACME Ltd, +44 20 7946 0000\n",
    "--\nJane\n",
    "Sent from my iPhone\n",
    "Sent from my Galaxy\n",
    "Get Outlook for iOS<https://aka.ms/o0ukef>\n",
    "Von meinem iPhone gesendet\n",
    "Gesendet von meinem Samsung Galaxy Smartphone.\n",
    "Enviado desde mi iPhone\n",
])
def test_signatures_are_stripped(signature):
    assert reply_text(f"{NEW}\n\n{signature}") == NEW


def test_inline_answers_keep_the_answers_and_drop_the_quotes():
    text = "> Did you restart it?\nYes, twice.\n\n> Which firmware?\n2.4.1\n"
    assert reply_text(text) == "Yes, twice.\n\n2.4.1"


def test_signature_after_the_reply_and_before_the_history():
    text = f"{NEW}\n\n-- \nJane\n\nOn Mon, Nov 30, 2026 at 4:05 PM Support <s@x.example> wrote:\n> Hi\n"
    assert reply_text(text) == NEW


@pytest.mark.parametrize("text", [
    "Steps:\n- open the app\n- click save\nIt crashes.",
    "Thanks, that fixed it. But now the printer\nis offline.\n\nAnna",
    "From: the manual, page 4, the reset button does nothing.",
    "It failed again.\nOn Monday the log wrote:\nnothing useful",
    "Error log:\n    at main (app.js:10)\n    at run (app.js:20)",
    "El lunes probé otra vez.\nAm Ende ging es.",
])
def test_ordinary_text_is_kept_whole(text):
    assert reply_text(text) == text


def test_a_message_that_is_all_quote_keeps_its_text():
    text = "On Mon, Nov 30, 2026 at 4:05 PM Support <s@x.example> wrote:\n> Please confirm.\n"
    assert reply_text(text) == text.strip()
    assert reply_text("> only a quote\n> nothing else\n") == "> only a quote\n> nothing else"


def test_a_forward_keeps_the_forwarded_message():
    text = "Please take over.\n\n-----Original Message-----\nFrom: Carl <carl@x.example>\nSent: today\n\nHelp!"
    assert reply_text(text, forwarded=True) == text


def test_time_stays_linear_on_hostile_lines():
    started = time.monotonic()
    reply_text("On " + "x " * 500_000 + "\n" + ("Am x schrieb " * 30 + "\n") * 20_000)
    reply_text(("From: a\n" * 50_000) + ("> q\n" * 50_000))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("name", "expected"), [
    ("gmail_reply.eml", "Hi,\n\nthe firmware update worked, the router has been up since yesterday.\nThanks!\n\nJane"),
    ("gmail_german_reply.eml", "Die Lieferung ist angekommen, vielen Dank.\n\nViele Grüße\nAnna"),
    ("outlook_reply.eml",
     "Hallo,\n\ndie Rechnung über 129,00 € ist jetzt bezahlt.\n\nMit freundlichen Grüßen\nMax Bauer"),
    ("outlook_original_message.eml", "Works now, you can close the case.\n\nTom"),
    ("apple_mail_reply.eml", "Sí, el pedido llegó hoy. ¡Gracias!"),
    ("thunderbird_reply.eml",
     "Still failing after the reset, see the error below:\n\n   Error 403: account locked (code L-17)"),
])
def test_reply_text_of_real_client_messages(name, expected):
    assert parse_message((MESSAGES / name).read_bytes()).reply_text == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("html_only_outlook_reply.eml", "The new card works, thanks.\n\nPriya"),
    ("html_only_apple_reply.eml", "The refund arrived today.\n\nNoah"),
])
def test_reply_text_of_html_only_replies(name, expected):
    parsed = parse_message((MESSAGES / name).read_bytes())
    assert parsed.reply_text == expected
    assert "@font-face" not in parsed.text


def test_html_blockquotes_become_quoted_lines_so_inline_answers_keep_their_answers():
    html = ("<div>Yes, twice.</div><blockquote type=\"cite\"><div>Did you restart it?</div></blockquote>"
            "<div>2.4.1</div><blockquote><div>Which firmware?</div></blockquote>")
    raw = b"From: a@b.example\nContent-Type: text/html\n\n" + html.encode()
    parsed = parse_message(raw)
    assert "> Did you restart it?" in parsed.text
    assert parsed.reply_text == "Yes, twice.\n\n2.4.1"


def test_a_reply_quoting_an_old_forward_is_still_a_reply():
    raw = (b"From: jane@example.com\nSubject: Re: Invoice question\nMessage-ID: <r-9@example.com>\n\n"
           b"Paid now.\n\n-----Original Message-----\nFrom: Support <s@support.example.net>\nSent: Monday\n\n"
           b"Please pay.\n\n---------- Forwarded message ---------\nFrom: Billing <billing@x.example>\n")
    parsed = parse_message(raw)
    assert parsed.reply_text == "Paid now."
    assert parsed.forwarded_from is None


def test_preformatted_html_keeps_its_indentation():
    raw = b"From: a@b.example\nContent-Type: text/html\n\n<p>Log:</p><pre>main()\n    run()\n</pre>"
    assert parse_message(raw).text == "Log:\n\nmain()\n    run()"
