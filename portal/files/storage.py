"""Uploaded files on disk: outside static/, under random names, written with a size cap while streaming."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from portal.errors import ValidationFailed
from portal.files import rules
from portal.i18n import _l

CHUNK = 64 * 1024

log = logging.getLogger(__name__)

NOT_STORED = _l("The files could not be stored: our file storage is full or unavailable right now. Nothing "
                "was saved. Try again later, or send the form without files.")



class StorageUnavailable(ValidationFailed):
    """The upload directory refused a write (full, read-only, gone): no fault of the file or its sender.
    A ValidationFailed, so every form shows it next to its file field and keeps what was typed; its
    status says the fault is ours and passes."""

    status = 503
    code = "storage_unavailable"


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def store(stream, filename: str, *, upload_dir: str | Path, max_bytes: int, field: str = "files") -> StoredFile:
    """Copy an upload to the store, checking size and content type. Raises ValidationFailed with a
    message that names the file, or StorageUnavailable when the directory refuses the write; nothing
    is left on disk when it does."""
    root = Path(upload_dir)
    try:
        return _store(stream, filename, root, max_bytes, field)
    except OSError as exc:
        log.error("could not store an upload in %s: %s", root, exc)
        raise StorageUnavailable(NOT_STORED, {field: NOT_STORED}) from None


def _store(stream, filename: str, root: Path, max_bytes: int, field: str) -> StoredFile:
    display = rules.normalize_filename(filename)
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, temp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    message = _l("%(name)s is larger than %(size)s.", name=display, size=rules.SizeInWords(max_bytes))
                    raise ValidationFailed(message, {field: message})
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            message = _l("%(name)s is empty.", name=display)
            raise ValidationFailed(message, {field: message})
        kind = rules.sniff(temp, filename)
        if kind is None:
            message = rules.refusal(temp, filename, display)
            raise ValidationFailed(message, {field: message})
        stored_name = secrets.token_hex(16)
        target = _path_for(root, stored_name)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.move(str(temp), target)
            os.chmod(target, 0o600)
        except OSError:
            _discard(target)
            raise
        return StoredFile(stored_name, rules.normalize_filename(filename, kind), kind.content_type, size,
                          digest.hexdigest())
    finally:
        _discard(temp)


def _path_for(root: Path, stored_name: str) -> Path:
    if len(stored_name) != 32 or not all(c in "0123456789abcdef" for c in stored_name):
        raise ValueError("not a stored file name")
    return root / stored_name[:2] / stored_name


def path_of(upload_dir: str | Path, stored_name: str) -> Path:
    return _path_for(Path(upload_dir), stored_name)


def remove(upload_dir: str | Path, stored_name: str) -> None:
    """Delete a stored file. Callers remove files while cleaning up after a failure: a file that cannot
    be deleted (a read-only store) is logged for the operator, and the cleanup goes on."""
    _discard(_path_for(Path(upload_dir), stored_name))


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.error("could not delete %s from the upload directory: %s", path, exc)
