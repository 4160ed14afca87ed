"""Claiming a form's key inside the transaction of the change it asks for (see the package docstring).

A form without a key (the API, the CLI, an old page) or with one that is not a UUID is simply not
protected: the key guards against a person's second click, not against anyone deliberately sending
the same thing twice, which each service's own rules judge.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.clock import utcnow
from portal.db import database
from portal.errors import AlreadyDone
from portal.identifiers import parse_uuid
from portal.models.people import FormSubmission, User

KEEP = timedelta(days=1)


def claim(user: User, key: object) -> str | None:
    """Take the form's key for user; call it first inside the change's transaction and settle() the
    key with the result before it commits. Returns the key (None when the form had none). Raises
    AlreadyDone(result of the first sending) when the key was taken: the caller's transaction then
    rolls back and nothing is done twice. On PostgreSQL a second sending still in flight waits here
    for the first to commit (the unique index), on SQLite for the write lock."""
    parsed = parse_uuid(key)
    if parsed is None:
        return None
    key = str(parsed)
    inserted = (FormSubmission.insert(user=user, key=key, created_at=utcnow()).on_conflict_ignore()
                .as_rowcount().execute())
    if inserted:  # the usual case: a first sending; only a taken key needs reading (inside the write lock)
        return key
    taken = FormSubmission.get((FormSubmission.user == user) & (FormSubmission.key == key))
    if taken.result:
        raise AlreadyDone(taken.result)
    return key


def settle(user: User, key: str | None, result: str) -> None:
    """Record what the claimed form made (where to send a second sending: a case reference)."""
    if key is None:
        return
    (FormSubmission.update(result=result)
     .where((FormSubmission.user == user) & (FormSubmission.key == key)).execute())


def prune_submissions(*, now: datetime | None = None) -> int:
    """Forget keys older than a day (run by the scheduler): no page stays open and sent that long."""
    now = now or utcnow()
    with database.atomic():
        return FormSubmission.delete().where(FormSubmission.created_at < now - KEEP).execute()
