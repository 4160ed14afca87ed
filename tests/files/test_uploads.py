"""Uploads: type by content, safe names, size cap, random storage names outside static/."""

import io
import re
import zipfile

import pytest

from portal.errors import ValidationFailed
from portal.files import rules, storage

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def office_bytes(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<xml/>")
    return buffer.getvalue()


def put(tmp_path, data: bytes, name: str, max_bytes: int = 1024 * 1024):
    return storage.store(io.BytesIO(data), name, upload_dir=tmp_path / "uploads", max_bytes=max_bytes)


@pytest.mark.parametrize(
    "data, name, content_type, stored_as",
    [
        (PNG_BYTES, "screen.png", "image/png", "screen.png"),
        (PDF_BYTES, "invoice.pdf", "application/pdf", "invoice.pdf"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "photo.JPEG", "image/jpeg", "photo.jpeg"),
        (b"GIF89a" + b"\x00" * 16, "anim.gif", "image/gif", "anim.gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "pic.webp", "image/webp", "pic.webp"),
        ("Grüße, log line\n".encode(), "server.log", "text/plain; charset=utf-8", "server.log"),
        (b"a,b\n1,2\n", "data.csv", "text/csv; charset=utf-8", "data.csv"),
        (office_bytes("word/document.xml"), "letter.docx", rules.DOCX.content_type, "letter.docx"),
        (office_bytes("xl/workbook.xml"), "sheet.xlsx", rules.XLSX.content_type, "sheet.xlsx"),
        (PNG_BYTES, "really-a-png.pdf", "image/png", "really-a-png.png"),
        (b'{"a": 1}', "data.json", "text/plain; charset=utf-8", "data.txt"),
    ],
)
def test_allowed_files_are_typed_by_their_content(tmp_path, data, name, content_type, stored_as):
    stored = put(tmp_path, data, name)
    assert stored.content_type == content_type
    assert stored.original_name == stored_as
    assert stored.size == len(data)
    path = storage.path_of(tmp_path / "uploads", stored.stored_name)
    assert path.read_bytes() == data
    assert stored.stored_name not in name and len(stored.stored_name) == 32


@pytest.mark.parametrize(
    "data, name",
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "setup.exe"),
        (b"PK\x03\x04" + b"\x00" * 60, "archive.zip"),
        (office_bytes("other/thing.xml"), "odd.docx"),
        (b"\x00\x01\x02binary", "data.txt"),
    ],
)
def test_files_off_the_allow_list_are_refused_with_a_message_and_leave_nothing(tmp_path, data, name):
    with pytest.raises(ValidationFailed, match="can't be attached: (allowed are PDF|it is not a real)"):
        put(tmp_path, data, name)
    assert [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    "data, name, says",
    [
        (b"<script>alert(1)</script>", "page.html", "page.html can't be attached: it is a web page or script"),
        (b"<!DOCTYPE html><title>x</title>", "notes.txt", "notes.txt can't be attached: it is a web page or script"),
        (b"\xef\xbb\xbf  <svg onload=alert(1)>", "logo.txt", "logo.txt can't be attached: it is a web page"),
        (b"echo hi\n", "fix.bat", "fix.bat can't be attached: it is a web page or script"),
        (b"MZ\x90\x00" + b"\x00" * 60, "cute-cat.png", "cute-cat.png can't be attached: it is not a real PNG image"),
        (b"plain words", "report.pdf", "report.pdf can't be attached: it is not a real PDF"),
    ],
)
def test_refusals_say_what_is_wrong_with_that_file(tmp_path, data, name, says):
    with pytest.raises(ValidationFailed, match=re.escape(says)) as refused:
        put(tmp_path, data, name)
    assert "allowed are" not in refused.value.message  # not "allowed are ... PNG" for a fake .png
    assert [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == []


def test_a_file_over_the_size_limit_is_refused_and_not_kept(tmp_path):
    with pytest.raises(ValidationFailed, match="report.pdf is larger than 1 MB"):
        put(tmp_path, PDF_BYTES + b"x" * (1024 * 1024), "report.pdf", max_bytes=1024 * 1024)
    assert [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == []


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(ValidationFailed, match="empty.txt is empty"):
        put(tmp_path, b"", "empty.txt")


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\report.txt", "report.txt"),
        ('bad<>:"|?*name.txt', "bad_name.txt"),
        ("line\nbreak\r.txt", "line_break_.txt"),
        ("  .hidden.txt  ", "hidden.txt"),
        ("Cafe\u0301 menu.txt", "Café menu.txt"),
        ("x" * 300 + ".txt", "x" * 116 + ".txt"),
        ("", "file"),
        ("<img src=x onerror=alert(1)>.txt", "_img src=x onerror=alert(1)_.txt"),
    ],
)
def test_file_names_are_normalised(raw, clean):
    assert rules.normalize_filename(raw) == clean


def test_stored_names_cannot_point_outside_the_store(tmp_path):
    with pytest.raises(ValueError):
        storage.path_of(tmp_path, "../../etc/passwd")
