"""Files on cases: checking and storing uploads, and recording them as Attachment rows.

Shared by every place that takes files (the new-case form, comments): store_uploads() checks and
writes the files before the caller's transaction, record_attachments() records them inside it, and
the caller calls remove_stored() if anything fails after storing, so a refused upload or a rolled-back
change never leaves a file behind. Files are written to the configured UPLOAD_DIR by
portal.files.storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from portal.errors import ValidationFailed
from portal.files import storage
from portal.models.cases import Attachment, Case, CaseEvent
from portal.models.people import User
from portal.settings import setting

FILES_FIELD = "files"


def upload_dir() -> str:
    return str(setting("UPLOAD_DIR"))


def chosen_files(uploads: Iterable) -> list:
    """The uploads a person actually chose: browsers send one nameless, empty part for an empty file input."""
    return [u for u in uploads if u is not None and getattr(u, "filename", "")]


def store_uploads(uploads: Sequence, *, field: str = FILES_FIELD) -> list[storage.StoredFile]:
    """Check the number of files, then store each one (size and type checked by content).

    Every file is checked, so each rejected one gets its own message; when any is rejected, the
    files already written are removed and ValidationFailed names them all under `field`. When the
    upload directory refuses a write, the files already written are removed and StorageUnavailable
    says so at once: the other files would meet the same full or read-only directory.
    """
    uploads = chosen_files(uploads)
    if not uploads:
        return []
    max_files = int(setting("UPLOAD_MAX_FILES"))
    if len(uploads) > max_files:
        message = f"You chose {len(uploads)} files; attach at most {max_files} at a time."
        raise ValidationFailed(message, {field: message})
    max_bytes = int(setting("UPLOAD_MAX_BYTES"))
    stored: list[storage.StoredFile] = []
    problems: list[str] = []
    for upload in uploads:
        try:
            stored.append(storage.store(upload.stream, upload.filename, upload_dir=upload_dir(),
                                        max_bytes=max_bytes, field=field))
        except storage.StorageUnavailable:
            remove_stored(stored)
            raise
        except ValidationFailed as exc:
            problems.append(exc.fields.get(field, exc.message))
    if problems:
        remove_stored(stored)
        message = " ".join(str(problem) for problem in problems)  # lazy messages of portal.files.storage
        raise ValidationFailed(message, {field: message})
    return stored


def remove_stored(files: Iterable) -> None:
    """Delete stored files (StoredFile or Attachment: anything with a stored_name) from the upload directory."""
    for item in files:
        storage.remove(upload_dir(), item.stored_name)


def record_attachments(actor: User, case: Case, stored: Sequence[storage.StoredFile], *,
                       event: CaseEvent | None = None, public: bool = True) -> list[Attachment]:
    """Attachment rows for files already stored. Call inside the caller's transaction."""
    return [
        Attachment.create(case=case, event=event, original_name=f.original_name, stored_name=f.stored_name,
                          content_type=f.content_type, size=f.size, sha256=f.sha256, public=public,
                          uploaded_by=actor)
        for f in stored
    ]

