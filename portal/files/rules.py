"""What an uploaded file may be: its type read from its content (never from its name or the browser's
claim), and a safe display name."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.units import format_unit

from portal.i18n import _l, current_locale

MAX_NAME_LENGTH = 120
ALLOWED_DESCRIPTION = _l(
    "PDF, images (PNG, JPEG, GIF, WebP), plain text and CSV, and Word, Excel or PowerPoint documents"
)


def human_size(size: int, locale="en") -> str:
    """A byte count as people of locale read it (CLDR's units): "20 MB", "1.5 MB", "300 kB" in English,
    "1,5 MB" in German."""
    if size >= 1024 * 1024:
        return _in_units(round(size / (1024 * 1024), 1), "digital-megabyte", "#,##0.#", str(locale))
    return _in_units(max(1, round(size / 1024)), "digital-kilobyte", None, str(locale))


@lru_cache(maxsize=4096)
def _in_units(amount: float, unit: str, pattern: str | None, locale: str) -> str:
    """Babel's format_unit, worked out once per amount (60 µs a call: a case page lists files)."""
    return format_unit(amount, unit, length="short", format=pattern, locale=locale)


@dataclass(frozen=True)
class SizeInWords:
    """human_size as a message parameter: put into words when shown, in the reader's language."""

    size: int

    def __str__(self) -> str:
        return human_size(self.size, current_locale())


@dataclass(frozen=True)
class FileKind:
    content_type: str
    label: str
    extension: str


PDF = FileKind("application/pdf", _l("PDF"), ".pdf")
PNG = FileKind("image/png", _l("PNG image"), ".png")
JPEG = FileKind("image/jpeg", _l("JPEG image"), ".jpg")
GIF = FileKind("image/gif", _l("GIF image"), ".gif")
WEBP = FileKind("image/webp", _l("WebP image"), ".webp")
TEXT = FileKind("text/plain; charset=utf-8", _l("text"), ".txt")
CSV = FileKind("text/csv; charset=utf-8", _l("CSV"), ".csv")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _l("Word document"),
                ".docx")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _l("Excel workbook"),
                ".xlsx")
PPTX = FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                _l("PowerPoint presentation"), ".pptx")

_OFFICE_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_TEXT_SAMPLE = 64 * 1024


def sniff(path: Path, claimed_name: str) -> FileKind | None:
    """The kind of the file at path, judged by its bytes; None when it is not on the allow-list."""
    with path.open("rb") as handle:
        head = handle.read(_TEXT_SAMPLE)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(path)
    if _is_utf8_text(head):
        if _is_active(claimed_name, head) or _extension(claimed_name) in _KIND_BY_EXTENSION:
            return None  # markup or a script; or text named as a PDF, image or document
        return CSV if claimed_name.lower().endswith(".csv") else TEXT
    return None


# Text that a browser or the desktop renders or runs when the downloaded file is opened: refused with
# its own message, never stored under a harmless new name the sender did not choose.
ACTIVE_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml", ".mht", ".svg", ".xml", ".xsl", ".js", ".mjs",
                               ".hta", ".bat", ".cmd", ".ps1", ".sh", ".vbs", ".wsf", ".php", ".py"})
_ACTIVE_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|svg|\?xml|script|head|body)\b", re.I)
_KIND_BY_EXTENSION = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".gif": GIF, ".webp": WEBP,
                      ".docx": DOCX, ".xlsx": XLSX, ".pptx": PPTX}


def _extension(name: str) -> str:
    stem, dot, extension = (name or "").rpartition(".")
    return f".{extension.lower()}" if dot and stem else ""


def _is_active(claimed_name: str, head: bytes) -> bool:
    return _extension(claimed_name) in ACTIVE_EXTENSIONS or bool(_ACTIVE_START.match(head))


def refusal(path: Path, claimed_name: str, display: str):
    """Why the file at path (which sniff() refused) can't be attached, in words that fit the file:
    a web page or script, a file whose content is not what its name says, or another kind."""
    with path.open("rb") as handle:
        head = handle.read(_TEXT_SAMPLE)
    if _is_utf8_text(head) and _is_active(claimed_name, head):
        return _l("%(name)s can't be attached: it is a web page or script. Save it as PDF, or as plain text "
                  "(.txt), instead.", name=display)
    named = _KIND_BY_EXTENSION.get(_extension(claimed_name))
    if named is not None:
        return _l("%(name)s can't be attached: it is not a real %(kind)s (its content is none of the kinds we "
                  "accept: %(allowed)s).", name=display, kind=named.label, allowed=ALLOWED_DESCRIPTION)
    return _l("%(name)s can't be attached: allowed are %(allowed)s.", name=display, allowed=ALLOWED_DESCRIPTION)


def _office_kind(path: Path) -> FileKind | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in _OFFICE_PARTS.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def _is_utf8_text(sample: bytes) -> bool:
    if not sample or b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may end in the middle of a multi-byte character.
        return exc.start >= len(sample) - 3 and len(sample) == _TEXT_SAMPLE
    return True


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def normalize_filename(name: str, kind: FileKind | None = None) -> str:
    """A display name that is safe everywhere: no path, no control or reserved characters, NFC,
    at most MAX_NAME_LENGTH characters with its extension kept; the extension matches the content."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension.lower()[:10]
    if kind is not None and f".{extension}" not in _extensions_for(kind):
        extension = kind.extension.lstrip(".")
    stem = (stem or "file")[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") or "file"
    return f"{stem}.{extension}" if extension else stem


def _extensions_for(kind: FileKind) -> set[str]:
    if kind is JPEG:
        return {".jpg", ".jpeg"}
    if kind is TEXT:
        return {".txt", ".log", ".md", ".text"}
    return {kind.extension}
