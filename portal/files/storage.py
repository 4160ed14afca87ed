"""Uploaded files on disk: outside static/, under random names, written with a size cap while streaming."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from portal.errors import ValidationFailed
from portal.files import rules

CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def store(stream, filename: str, *, upload_dir: str | Path, max_bytes: int, field: str = "files") -> StoredFile:
    """Copy an upload to the store, checking size and content type. Raises ValidationFailed with a
    message that names the file; nothing is left on disk when it does."""
    display = rules.normalize_filename(filename)
    root = Path(upload_dir)
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
                    raise ValidationFailed(f"{display} is larger than {rules.human_size(max_bytes)}.",
                                           {field: f"{display} is larger than {rules.human_size(max_bytes)}."})
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationFailed(f"{display} is empty.", {field: f"{display} is empty."})
        kind = rules.sniff(temp, filename)
        if kind is None:
            message = rules.refusal(temp, filename, display)
            raise ValidationFailed(message, {field: message})
        stored_name = secrets.token_hex(16)
        target = _path_for(root, stored_name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(temp), target)
        os.chmod(target, 0o600)
        return StoredFile(stored_name, rules.normalize_filename(filename, kind), kind.content_type, size,
                          digest.hexdigest())
    finally:
        temp.unlink(missing_ok=True)


def _path_for(root: Path, stored_name: str) -> Path:
    if len(stored_name) != 32 or not all(c in "0123456789abcdef" for c in stored_name):
        raise ValueError("not a stored file name")
    return root / stored_name[:2] / stored_name


def path_of(upload_dir: str | Path, stored_name: str) -> Path:
    return _path_for(Path(upload_dir), stored_name)


def remove(upload_dir: str | Path, stored_name: str) -> None:
    _path_for(Path(upload_dir), stored_name).unlink(missing_ok=True)
