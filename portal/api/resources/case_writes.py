"""What the API's case changes share: If-Match checked in the change's own transaction, files sent as
base64, custom values by field key, and the answer after a change.

If-Match is checked atomically with the write, not read and then compared: inside one transaction the
API first claims the case row with `UPDATE case SET updated_at = updated_at WHERE id = ? AND updated_at
IN (<the versions If-Match names>)`, then reads the case again and lets the service check and write it.
The claim takes the case's write lock until the transaction ends (PostgreSQL: the row lock, and a
waiting UPDATE evaluates its WHERE again on the committed row; SQLite: every transaction holds the
database's write lock from its start), and every change of a case moves updated_at in its own UPDATE
(portal.cases.service.transitions.write_case). So between the claim and the commit nobody else can
change the case, and a change someone committed before the claim makes it match nothing: 412. The
services need no new parameter, and their own conditional writes still guard what they checked.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from flask import request
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from portal.api.framework import ApiError, Reply
from portal.api.resources.case_models import AttachmentIn, FieldValue
from portal.api.resources.case_reads import case_out, etag_of, find_case, version_of
from portal.case_config.queries import Layout
from portal.case_config.rules import FIELD_PREFIX, form_name
from portal.db import database
from portal.errors import NotFound, ValidationFailed
from portal.i18n import _l
from portal.models.cases import Case

IF_MATCH_NEEDED = _l("Send the case's current ETag in an If-Match header, so your change cannot overwrite one you "
                     "have not seen.")
CHANGED_SINCE = _l("The case has changed since the version in If-Match. Get it again and decide whether your change "
                   "still applies.")
BAD_BASE64 = _l("This is not valid base64.")
UNKNOWN_FIELD = _l("This form has no field with this key.")
ETAG_HEADER = {"ETag": "The case's version after the change: send it as If-Match with the next change."}


@contextmanager
def case_for_change(reference: str, *, required: bool) -> Iterator[Case]:
    """The case the token's user changes (NotFound unless they may see it). With an If-Match header the
    block runs in one transaction that first claims the case at one of the versions it names (412
    otherwise, see the module docstring) and gets the case as claimed. Without one: 428 when
    required, else the case as read (the services' own conditional writes still apply)."""
    case = find_case(current_user, reference)
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise ApiError(428, "precondition_required", IF_MATCH_NEEDED)
        yield case
        return
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    with database.atomic():
        claim = Case.id == case.id
        if "*" not in tags:  # "*": any current version (the case exists), no concurrency check
            versions = [version for version in map(version_of, tags) if version is not None]
            if not versions:
                raise ApiError(412, "precondition_failed", CHANGED_SINCE)
            claim &= Case.updated_at.in_(versions)
        if not Case.update(updated_at=Case.updated_at).where(claim).execute():
            raise ApiError(412, "precondition_failed", CHANGED_SINCE)
        yield find_case(current_user, case.reference)


def changed(reference: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
    """The case after a change, with its new ETag; 204 (no body) when the change took it out of what
    the token's user may see (e.g. a supervisor moved it to a team they are not in, or an agent opened
    it for a template whose team they are not in)."""
    try:
        case = find_case(current_user, reference)
    except NotFound:
        return Reply(None, 204, dict(headers or {}))
    return Reply(case_out(case, current_user), status, {"ETag": etag_of(case), **(headers or {})})


def uploads(attachments: list[AttachmentIn]) -> list[FileStorage]:
    """The files of a request as uploads the services check like any other (size, count, type by
    content). Raises ValidationFailed under attachments.<n>.content_base64 for invalid base64."""
    files, problems = [], {}
    for number, attachment in enumerate(attachments):
        try:
            data = base64.b64decode("".join(attachment.content_base64.split()), validate=True)
        except (binascii.Error, ValueError):
            problems[f"attachments.{number}.content_base64"] = BAD_BASE64
            continue
        files.append(FileStorage(stream=io.BytesIO(data), filename=attachment.filename,
                                 content_type=attachment.content_type or "application/octet-stream"))
    if problems:
        raise ValidationFailed(_l("Some values were not valid."), problems)
    return files


def field_text(value: FieldValue) -> str | None:
    """A custom value as the one validator reads it (what a form would have sent)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def raw_values(values: Mapping[str, FieldValue], layout: Layout) -> dict[str, str | None]:
    """Custom values by key as the validator's raw input (form names). A key the user's form does not
    have is refused rather than dropped, so a misspelt key never loses a value silently."""
    known = layout.by_key()
    unknown = {f"fields.{key}": UNKNOWN_FIELD for key in values if key not in known}
    if unknown:
        raise ValidationFailed(_l("Some values were not valid."), unknown)
    return {form_name(key): field_text(value) for key, value in values.items()}


@contextmanager
def api_field_names() -> Iterator[None]:
    """Services name problems by form field (cf_<key>, files); the API's body names them fields.<key>
    and attachments."""
    try:
        yield
    except ValidationFailed as exc:
        renamed = {}
        for name, problem in exc.fields.items():
            if name.startswith(FIELD_PREFIX):
                name = "fields." + name[len(FIELD_PREFIX):]
            elif name == "files":
                name = "attachments"
            renamed[name] = problem
        exc.fields = renamed
        raise
