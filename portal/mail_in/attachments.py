"""A received message's files as uploads: the same objects the web form hands to the services, so they pass
exactly the same checks (count, size, type by content) in portal.cases.service.attachments."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from portal.errors import ValidationFailed
from portal.files.storage import StorageUnavailable
from portal.mail_in.message import ParsedMail


def uploads_from(parsed: ParsedMail) -> list[FileStorage]:
    """Every attachment of the message, inline images included, as a FileStorage."""
    return [
        FileStorage(stream=io.BytesIO(attachment.data), filename=attachment.filename or "attachment",
                    content_type=attachment.content_type or "application/octet-stream")
        for attachment in parsed.attachments
    ]


def accepted_uploads(uploads: list[FileStorage]) -> tuple[list[FileStorage], list[str]]:
    """The uploads the upload checks take, and the names of those they refuse, checked one by one (a comment
    from the web form fails as a whole; a received email keeps what it can and reports the rest). Files beyond
    UPLOAD_MAX_FILES are refused too."""
    from portal.cases.service.attachments import remove_stored, store_uploads
    from portal.settings import setting

    accepted: list[FileStorage] = []
    refused: list[str] = []
    for upload in uploads:
        if len(accepted) >= int(setting("UPLOAD_MAX_FILES")):
            refused.append(upload.filename)
            continue
        try:
            stored = store_uploads([upload])
        except StorageUnavailable:
            raise  # the upload directory, not the file: processing fails and is retried
        except ValidationFailed:
            refused.append(upload.filename)
            continue
        remove_stored(stored)
        upload.stream.seek(0)
        accepted.append(upload)
    return accepted, refused
