"""The conversation on a case: public comments (both sides) and internal notes (staff), with files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from portal import config_cache, policy
from portal.cases.rules import clean_text
from portal.cases.service.attachments import chosen_files, record_attachments, remove_stored, store_uploads
from portal.cases.service.search_index import reindex_case
from portal.cases.service.transitions import NOT_CLOSED, STATUS_EVENTS, explain, write_case
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, InvalidTransition
from portal.events import case_events
from portal.i18n import _l
from portal.models.cases import CASE_CHANNELS, Case, CaseEvent
from portal.models.people import User
from portal.notify.service import CUSTOMER_SIDE, handlers_audience, notify_case_event
from portal.service_levels.case_targets import refresh_targets
from portal.submissions import service as submissions

CLOSED_MESSAGE = _l("This case is closed, so it cannot take comments. Reopen it or open a follow-up case.")


def _closed(what_happened) -> str:
    """The refusal of a comment on a case closed by someone: what happened (a whole sentence from
    transitions.explain, "This case was already closed by ... at ...") and what to do instead."""
    return _l("%(what_happened)s A closed case cannot take comments. Reopen it or open a follow-up case.",
              what_happened=what_happened)


def _note_first_response(case: Case, now: datetime) -> None:
    """The team's first public answer (reports and service levels measure it): written once, the
    condition makes every later answer a no-op. Any answer also meets the next-response target."""
    first = (Case
             .update(first_response_at=now)
             .where((Case.id == case.id) & Case.first_response_at.is_null())
             .execute())
    answered = (Case
                .update(awaiting_reply_since=None)
                .where((Case.id == case.id) & Case.awaiting_reply_since.is_null(False))
                .execute())
    if first or answered:  # a target was met: the case's next one is due now
        refresh_targets(case, now)


def _note_customer_wrote(case: Case, now: datetime) -> None:
    """The customer side wrote: once the team has answered, the next-response target runs from the first
    comment nobody answered yet (the first response target covers the time before)."""
    if Case.update(awaiting_reply_since=now).where((Case.id == case.id) & Case.first_response_at.is_null(False)
                                                   & Case.awaiting_reply_since.is_null()).execute():
        case.awaiting_reply_since = now
        refresh_targets(case, now)


def add_comment(actor: User, case: Case, body: str, *, public: bool = True, uploads: Sequence = (),
                submission: str | None = None, now: datetime | None = None, channel: str = "web") -> CaseEvent:
    """Comment on a case the actor may see, with optional files.

    Customers and proxies always comment publicly; staff choose a public reply or an internal note
    (never shown to the customer side, files included). Public comments are notified: staff replies
    to the customer side, customer-side comments to the assignee (or the workgroup while unassigned).
    Raises NotFound, InvalidTransition (closed case), Conflict (closed while it was being written),
    AlreadyDone (this submission key's comment is already there) or ValidationFailed (empty, too
    long, bad files). `channel` says how it came in (CASE_CHANNELS: web, api, email).
    """
    if channel not in CASE_CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")  # a programming error: callers pass a constant
    policy.require(policy.can_comment, actor, case)
    if not policy.can_write_internal_note(actor, case):
        public = True
    if case.status.category == "closed":
        closed_by = explain(actor, case, STATUS_EVENTS)
        raise InvalidTransition(_closed(closed_by) if closed_by else CLOSED_MESSAGE)
    has_files = bool(chosen_files(uploads))
    text = clean_text(body, field="body", required="" if has_files else _l("Write a comment or attach a file."))
    stored = store_uploads(uploads) if has_files else []
    now = now or utcnow()
    try:
        with config_cache.unchanged(), database.atomic():  # it writes no configuration: its stamp is read once
            key = submissions.claim(actor, submission)
            try:
                # Then, and only while the case is open: a comment never lands on a case closed meanwhile.
                write_case(actor, case, expect=(NOT_CLOSED,), now=now)
            except Conflict as exc:
                raise Conflict(_closed(exc.message)) from None
            data = {"files": [f.original_name for f in stored]} if stored else {}
            if channel != "web":
                data["channel"] = channel
            event = CaseEvent.create(case=case, kind="comment" if public else "internal_note", actor=actor,
                                     public=public, body=text, created_at=now, data=data or None)
            files = record_attachments(actor, case, stored, event=event, public=public)
            if public:
                if policy.is_staff(actor):
                    _note_first_response(case, now)
                    notify_case_event("case_replied", case, event, actor=actor, audiences=CUSTOMER_SIDE,
                                      extra={"author_name": actor.display_name, "comment": text}, now=now)
                else:
                    _note_customer_wrote(case, now)
                    notify_case_event("case_customer_commented", case, event, actor=actor,
                                      audiences=handlers_audience(case),
                                      extra={"author_name": actor.display_name, "comment": text}, now=now)
            reindex_case(case.id)
            submissions.settle(actor, key, case.reference)
            case_events.commented(case, actor, event, public=public, body=text, attachments=files, now=now,
                                  channel=channel)
    except Exception:
        remove_stored(stored)
        raise
    return event
