"""The new part of a reply: quoted history and signature stripped, so a comment holds what the person wrote.

Written here rather than taken from mail-parser-reply (1.36, the best kept library for it): its attribution
patterns are quadratic on long lines (a 20 KB line starting with "On " took 20 s, so one message could stall
a worker), it does not recognise Gmail's Spanish attribution ("El ..., Juan (<j@x>) escribió:" needs two
spaces before "escribió" there), and it strips every line's indentation. This one reads the text line by
line with bounded patterns, so its time is linear in the text.

Quoted history starts at the first of:
  - an attribution line: Gmail/Apple Mail/Thunderbird "On ... wrote:", "Am ... schrieb ...:",
    "El ... escribió:", "Le ... a écrit :" (also when Gmail wraps it over two or three lines), or
    "Name wrote:" directly above a ">" quote;
  - Outlook's "-----Original Message-----" (and its German/Spanish forms), or the "From:/Sent:" header block
    (Von:/Gesendet:, De:/Enviado:) with or without the underscore line above it.
Then ">" quoted lines left anywhere (inline answers keep their answers), a "-- " signature and the common
mobile signatures ("Sent from my iPhone", "Von meinem iPhone gesendet", "Enviado desde mi ...") are removed.
When nothing would be left (a message that is all quote), the whole text is kept: a message with text never
becomes an empty comment.
"""

from __future__ import annotations

import re

_LONGEST_MARKER_LINE = 1000
# Quoted history is looked for in this many lines; a longer reply is kept whole below that point.
_SCANNED_LINES = 10_000

_ATTRIBUTION = re.compile(
    r"^\s*("
    r"On\s.{1,400}\swrote\s?:"
    r"|Am\s.{1,400}\sschrieb\b[^:]{0,300}:"
    r"|El\s.{1,400}\sescribi[óo]\s?:"
    r"|Le\s.{1,400}\sa\s+[ée]crit\s?:"
    r")\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^\s*(On|Am|El|Le)\s", re.IGNORECASE)
_NAME_WROTE = re.compile(r"^\s*\S.{0,200}\s(wrote|schrieb|escribi[óo]|a\s+[ée]crit)\s?:\s*$", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Originalnachricht|Mensaje original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_HEADER_FROM = re.compile(r"^\s*\*?(From|Von|De)\s?:\*?\s+\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(Sent|Date|To|Subject|Cc|Gesendet|Datum|An|Betreff|Enviado|Fecha|Para|Asunto)\s?:\*?\s",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE = re.compile(
    r"^\s*(Sent from my \S.{0,40}|Sent from (Outlook|Mail|Yahoo Mail|Proton Mail)\b.{0,60}"
    r"|Sent with Proton Mail.{0,60}|Get Outlook for (iOS|Android).{0,80}"
    r"|Von meinem \S.{0,40} gesendet\.?|Gesendet von meinem \S.{0,40}|Gesendet von Outlook.{0,60}"
    r"|Enviado desde mi \S.{0,40}|Obtener Outlook para (iOS|Android).{0,80})\s*$",
    re.IGNORECASE,
)
_FORWARD_MARKER = re.compile(
    r"^\s*(-{5,}\s*(Forwarded message|Forwarded Message|Weitergeleitete Nachricht|Mensaje reenviado)\s*-{5,}"
    r"|Begin forwarded message:|Anfang der weitergeleiteten Nachricht:|Inicio del mensaje reenviado:)\s*$",
    re.IGNORECASE,
)


def _marker_line(line: str) -> str:
    return line[:_LONGEST_MARKER_LINE] if len(line) > _LONGEST_MARKER_LINE else line


def _attribution(line: str) -> bool:
    # Every client's attribution carries the date or time ("On 30.11.26 18:44, X wrote:"): a sentence such
    # as "On Monday the log wrote:" does not start the history.
    return bool(_ATTRIBUTION.match(line)) and any(ch.isdigit() for ch in line)


def history_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted history, or None."""
    for index, full in enumerate(lines[:_SCANNED_LINES]):
        line = _marker_line(full)
        if _attribution(line) or _ORIGINAL_MESSAGE.match(line):
            return index
        if _ATTRIBUTION_START.match(line) and len(line) < 300:
            # Gmail wraps a long attribution line: "On Mon, ... John Doe <\njohn@example.com> wrote:"
            for extra in (2, 3):
                joined = " ".join(part.strip() for part in lines[index:index + extra])
                if len(joined) < 600 and _attribution(joined):
                    return index
        if _NAME_WROTE.match(line) and _next_text_is_quote(lines, index + 1):
            return index
        following = lines[index + 1:index + 4]
        if _HEADER_FROM.match(line) and any(_HEADER_NEXT.match(_marker_line(nxt)) for nxt in following):
            if index > 0 and _UNDERSCORES.match(lines[index - 1]):
                return index - 1
            return index
    return None


def _next_text_is_quote(lines: list[str], start: int) -> bool:
    for line in lines[start:start + 3]:
        if line.strip():
            return bool(_QUOTED.match(line))
    return False


def _strip_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if index > 0 and _SIGNATURE.match(line):
            return lines[:index]
    for index in range(len(lines) - 1, 0, -1):
        if _MOBILE.match(_marker_line(lines[index])):
            after = [line for line in lines[index + 1:] if line.strip()]
            if len(after) <= 3:
                return lines[:index]
            break
    return lines


def _tidy(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def forward_marker(lines: list[str]) -> int | None:
    """Index of the line that starts a forwarded message (Gmail, Apple Mail, Thunderbird markers) written in
    this message, or None. A marker below quoted history belongs to an older message in the thread."""
    start = history_start(lines)
    end = len(lines) if start is None else start + 1
    for index, line in enumerate(lines[:min(end, _SCANNED_LINES)]):
        if _FORWARD_MARKER.match(_marker_line(line)):
            return index
    return None


def is_forward(text: str) -> bool:
    return forward_marker(text.split("\n")) is not None


def reply_text(text: str, *, forwarded: bool = False) -> str:
    """What the sender wrote in this message. A forward keeps the forwarded message (that is its content);
    only its signature-free note is not separated out, so nothing the forwarder meant to pass on is lost."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not forwarded:
        start = history_start(lines)
        if start is not None:
            lines = lines[:start]
        lines = [line for line in lines if not _QUOTED.match(line)]
        lines = _strip_signature(lines)
    reply = _tidy(lines)
    return reply if reply else text.strip()
