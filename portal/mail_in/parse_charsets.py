"""Bytes of a text part → str, whatever charset it declares (or wrongly declares).

Mail in the wild labels Windows-1252 as ISO-8859-1, Shift_JIS text written with Microsoft's extensions, and
charsets Python has never heard of. The rule: the declared charset (mapped to the superset real clients
actually use), then UTF-8, then a detection by charset-normalizer, and finally the declared or Windows-1252
charset with replacement characters. It never raises; the caller learns whether it had to guess.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Labels whose text is, in practice, written in a superset (the WHATWG Encoding Standard makes the same
# mappings for the web): decoding with the superset loses nothing and reads the extra characters right.
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "euc-jp": "euc_jis_2004",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}

# Only the first part of a huge body is looked at to guess its charset.
_DETECT_BYTES = 64 * 1024
# Fewer non-ASCII bytes than this are read as Windows-1252 rather than guessed at.
_FEW_8BIT = 64


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]+")


def storable_text(text: str) -> str:
    """Without NUL, other control characters (tab and newline stay) and lone surrogates: what every
    database text column and every UTF-8 encoder accepts (PostgreSQL refuses NUL in text)."""
    return _CONTROLS.sub("", text)


def storable_line(text: str) -> str:
    """A header value as one line: control characters (line breaks included) become one space."""
    return _LINE_CONTROLS.sub(" ", text).strip()


def codec_for(label: str | None) -> str | None:
    """The Python codec to read text declared with `label`, or None when the label names no codec."""
    if not label:
        return None
    name = label.strip().strip('"').lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_text(data: bytes, label: str | None) -> tuple[str, bool]:
    """(text, guessed): guessed is True when the declared charset could not be used as declared."""
    codec = codec_for(label)
    if codec is not None:
        try:
            return data.decode(codec), False
        except (UnicodeDecodeError, LookupError):
            pass
        if codec == "cp1252":
            # cp1252 leaves five bytes undefined; ISO-8859-1 defines every byte (as C1 controls).
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                return data.decode("latin-1"), label is not None and label.lower() not in _SUPERSETS
            return text, True
    try:
        return data.decode("utf-8"), label is not None
    except UnicodeDecodeError:
        pass
    if sum(1 for byte in data[:_DETECT_BYTES] if byte > 0x7F) < _FEW_8BIT:
        # A few accented letters: detection has too little to go on; Western text is by far the most likely.
        try:
            return data.decode("cp1252"), True
        except UnicodeDecodeError:
            return data.decode("latin-1"), True
    best = from_bytes(data[:_DETECT_BYTES]).best()
    if best is not None:
        try:
            return data.decode(best.encoding, errors="replace"), True
        except LookupError:
            pass
    return data.decode(codec or "cp1252", errors="replace"), True
