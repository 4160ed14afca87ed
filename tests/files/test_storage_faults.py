"""Upload storage that refuses writes, made real: the upload directory is a tmpfs mounted read-only,
or one too small for the second of two files. People get a message that their files could not be
stored next to the file field, with everything they typed kept; nothing is saved and no file written
for the request stays on disk."""

from __future__ import annotations

import logging
import re
import subprocess
from contextlib import contextmanager
from html import unescape
from pathlib import Path

import pytest

from portal.files.storage import NOT_STORED
from portal.models.cases import Attachment, Case, CaseEvent
from tests import factories
from tests.cases.filing_setup import (
    GOOD,
    PDF_BYTES,
    PNG_BYTES,
    form_url,
    upload,
    world_fixture,  # noqa: F401 - the world fixture
)
from tests.fixtures import post_form

FILE_BYTES = 700 * 1024  # one fits in the 1 MiB store below, two do not


def big_pdf(name: str):
    return upload(PDF_BYTES + b"0" * (FILE_BYTES - len(PDF_BYTES)), name)


@contextmanager
def tmpfs(path: Path, options: str):
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=True)


@pytest.fixture
def full_store(app, tmp_path):
    """An upload directory with room for one of two files."""
    with tmpfs(tmp_path / "small-store", "size=1m,mode=0700") as root:
        app.config["UPLOAD_DIR"] = str(root)
        yield root


@pytest.fixture
def read_only_store(app, tmp_path):
    with tmpfs(tmp_path / "read-only-store", "ro,mode=0755") as root:
        app.config["UPLOAD_DIR"] = str(root)
        yield root


@pytest.fixture(params=["full", "read-only"])
def failing_store(request):
    return request.getfixturevalue({"full": "full_store", "read-only": "read_only_store"}[request.param])


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def file_error(html: str) -> str:
    match = re.search(r'<p class="error" id="(?:comment-)?files-error">([^<]*)</p>', html)
    assert match, "no message next to the file field"
    return unescape(match.group(1))


def storage_log_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "portal.files.storage" and r.levelno >= logging.ERROR]


def test_a_new_case_whose_files_cannot_be_stored_keeps_the_form_and_saves_nothing(
        app, client, people, login, world, failing_store, caplog):
    login(people.customer)
    response = post_form(client, form_url(world.template),
                         {**GOOD, "files": [big_pdf("first.pdf"), big_pdf("second.pdf")]},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert str(NOT_STORED) in file_error(html)
    assert 'value="Printer jams"' in html and "Every third page jams in tray 2." in html and 'value="Lobby"' in html
    assert Case.select().count() == 0 and Attachment.select().count() == 0
    assert files_in(failing_store) == []
    assert len(storage_log_lines(caplog)) == 1


def test_a_comment_whose_files_cannot_be_stored_keeps_its_text_and_adds_nothing(
        app, client, people, login, failing_store):
    case = factories.case(people.customer)
    events = CaseEvent.select().where(CaseEvent.case == case).count()
    login(people.customer)
    response = post_form(client, f"/cases/{case.reference}/comments",
                         {"body": "Photos of the jam attached.", "files": [big_pdf("a.pdf"), big_pdf("b.pdf")]},
                         page=f"/cases/{case.reference}", content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert str(NOT_STORED) in file_error(html)
    assert "Photos of the jam attached.</textarea>" in html
    assert CaseEvent.select().where(CaseEvent.case == case).count() == events
    assert Attachment.select().count() == 0 and files_in(failing_store) == []


def test_when_the_second_file_does_not_fit_the_first_is_removed(app, client, people, login, world, full_store):
    login(people.customer)
    response = post_form(client, form_url(world.template),
                         {**GOOD, "files": [big_pdf("fits.pdf"), big_pdf("does-not-fit.pdf")]},
                         content_type="multipart/form-data")
    assert response.status_code == 503
    assert files_in(full_store) == []
    # The store itself is fine for what fits: the same person then sends one file and it is kept.
    response = post_form(client, form_url(world.template), {**GOOD, "files": [big_pdf("fits.pdf")]},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    [stored] = files_in(full_store)
    assert stored.stat().st_size == FILE_BYTES and Attachment.get().original_name == "fits.pdf"


def test_the_same_form_without_files_goes_through_on_a_read_only_store(client, people, login, world,
                                                                       read_only_store):
    login(people.customer)
    refused = post_form(client, form_url(world.template), {**GOOD, "files": [upload(PNG_BYTES, "a.png")]},
                        content_type="multipart/form-data")
    assert refused.status_code == 503
    sent = post_form(client, form_url(world.template), GOOD, content_type="multipart/form-data")
    assert sent.status_code == 302 and Case.select().count() == 1
