"""A case's life: status changes, proposing a resolution and the customer's answer, closing, reopening,
and the scheduled reminder and automatic close of unanswered resolutions.

The category of a status drives every rule: open and waiting cases are worked, a resolved case
awaits the customer's acceptance, a closed case takes no edits until it is reopened. Who may do
what is portal.policy's; every change is written only while the case is still in the state it was
checked in (portal.cases.service.transitions), so a second click or a colleague's simultaneous
change is refused with a message instead of acting twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import UnknownLocaleError

from portal import policy
from portal.case_config.service import system_status
from portal.cases.rules import clean_text, proposal_stamp
from portal.cases.service.search_index import reindex_case
from portal.cases.service.transitions import NOT_CLOSED, STATUS_EVENTS, explain, write_case
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.events import case_events
from portal.i18n import _l, format_day, lazy_ngettext
from portal.identifiers import by_uuid
from portal.links import absolute
from portal.models.cases import Case, CaseEvent, CaseFeedback
from portal.models.configuration import CaseStatus
from portal.models.people import User
from portal.notify.service import (
    CUSTOMER_SIDE,
    handlers_audience,
    notify_case_event,
    notify_resolution_accepted,
    notify_status_changed,
)
from portal.service_levels.case_targets import refresh_targets
from portal.settings import setting

MAX_RESOLUTION = 10_000
RESOLUTION_CHANGED = _l("The team changed the proposed resolution after you opened this page, so your answer "
                        "was not saved. Read the resolution below, then answer again.")
CHOOSE_STATUS = _l("Choose a status from the list.")
CHOOSE_RATING = _l("Choose a rating from 1 to 5.")
# Data of the "closed" feed entry of a case closed because nobody answered its resolution: the feed
# says so in the reader's language.
UNANSWERED = {"automatically": "unanswered_resolution"}
STAFF_ONLY = policy.STAFF_ONLY


def _record(case: Case, kind: str, actor: User | None, now: datetime, *, body: str = "", public: bool = True,
            data: dict | None = None) -> CaseEvent:
    return CaseEvent.create(case=case, kind=kind, actor=actor, public=public, body=body, data=data,
                            created_at=now)


def _refused(actor: User, case: Case, fallback: str) -> InvalidTransition:
    """The case is not in the state this change needs: say who put it there (its latest status
    change), e.g. the second of two quick clicks on "Accept" learns it was already accepted."""
    return InvalidTransition(explain(actor, case, STATUS_EVENTS) or fallback)


def change_status(actor: User, case: Case, status_uuid: str, *, now: datetime | None = None) -> CaseEvent:
    """Staff move a case to another status (admin-defined ones included).

    A resolved status needs a resolution text (propose_resolution); a closed case is reopened first.
    Raises NotFound, NotAllowed, ValidationFailed (unknown status), InvalidTransition or Conflict
    (the status changed since the case was loaded).
    """
    policy.require(policy.can_change_status, actor, case, message=STAFF_ONLY)
    status = by_uuid(CaseStatus, status_uuid)
    if status is None or not status.active:
        raise ValidationFailed(CHOOSE_STATUS, {"status": CHOOSE_STATUS})
    if case.status.category == "closed":
        raise InvalidTransition(_l("This case is closed. Reopen it before changing its status."))
    if status.id == case.status_id:
        raise _refused(actor, case, _l("The case is already %(status)s.", status=status.name))
    if status.category == "resolved":
        raise InvalidTransition(_l("To resolve a case, propose a resolution: the customer is asked to accept it."))
    now = now or utcnow()
    with database.atomic():
        previous = case.status
        changes = {"last_closed_at": now} if status.category == "closed" else {}
        write_case(actor, case, expect=("status",), now=now, status=status, **changes)
        event = _record(case, "status_changed", actor, now,
                        data={"from": previous.name, "to": status.name})
        notify_status_changed(case, event, actor, previous, now=now)
        reindex_case(case.id)
        case_events.status_changed(case, actor, event, previous, now)
    return event


def propose_resolution(actor: User, case: Case, text: str, *, now: datetime | None = None) -> CaseEvent:
    """Staff propose a resolution: the case becomes Resolved and the customer side is asked to
    accept or reject it. Proposing another text replaces a pending one; the same text again is
    refused (a second click sends nothing). Raises NotFound, NotAllowed, ValidationFailed,
    InvalidTransition or Conflict (the status or the pending resolution changed meanwhile)."""
    policy.require(policy.can_propose_resolution, actor, case, message=STAFF_ONLY)
    if case.status.category == "closed":
        raise InvalidTransition(_l("This case is closed. Reopen it before proposing a resolution."))
    resolution = clean_text(text, field="resolution", required=_l("Describe the resolution for the customer."),
                            limit=MAX_RESOLUTION)
    if case.status.category == "resolved" and resolution == case.resolution:
        raise InvalidTransition(explain(actor, case, ("resolution_proposed",))
                                or _l("This resolution is already waiting for the customer's answer."))
    now = now or utcnow()
    previous = case.status
    with database.atomic():
        write_case(actor, case, expect=("status", "resolution"), now=now, status=system_status("resolved"),
                   resolution=resolution, resolution_proposed_at=now, resolution_reminded_at=None)
        event = _record(case, "resolution_proposed", actor, now, body=resolution)
        notify_case_event("case_resolution_proposed", case, event, actor=actor, audiences=CUSTOMER_SIDE,
                          extra={"author_name": actor.display_name, "resolution": resolution,
                                 "respond_url": absolute("cases.detail", reference=case.reference) + "#resolution"},
                          now=now)
        reindex_case(case.id)
        case_events.status_event("case.resolution_proposed", case, actor, event, previous, now, resolution=resolution)
    return event


def _require_answerable(actor: User, case: Case, seen_proposal: str | None) -> None:
    policy.require(policy.can_answer_resolution, actor, case,
                   message=_l("Only the customer can answer a proposed resolution."))
    if case.status.category != "resolved":
        raise _refused(actor, case, _l("There is no resolution waiting for an answer on this case."))
    if seen_proposal is not None and seen_proposal != proposal_stamp(case.resolution_proposed_at):
        raise Conflict(RESOLUTION_CHANGED)


def accept_resolution(actor: User, case: Case, *, rating: int | None = None, comment: str = "",
                      seen_proposal: str | None = None, now: datetime | None = None) -> CaseEvent:
    """The customer side accepts the proposed resolution: the case closes, with optional 1-5 satisfaction.
    seen_proposal, when given, is rules.proposal_stamp() of the proposal the customer read: a newer one
    is refused. Raises NotFound, NotAllowed, InvalidTransition, Conflict (answered or changed since
    it was read) or ValidationFailed (rating out of range)."""
    _require_answerable(actor, case, seen_proposal)
    if rating is not None and rating not in range(1, 6):
        raise ValidationFailed(CHOOSE_RATING, {"rating": CHOOSE_RATING})
    remark = clean_text(comment, field="comment", required="", limit=2000)
    now = now or utcnow()
    previous = case.status
    with database.atomic():
        # The resolution too: accepting a text the team has just replaced would accept unseen words.
        write_case(actor, case, expect=("status", "resolution"), now=now, status=system_status("closed"),
                   last_closed_at=now)
        if rating is not None or remark:
            CaseFeedback.create(case=case, rating=rating, comment=remark, given_by=actor, created_at=now)
        event = _record(case, "resolution_accepted", actor, now, body=remark,
                        data={"rating": rating} if rating is not None else None)
        notify_resolution_accepted(case, event, actor, rating=rating, remark=remark, now=now)
        reindex_case(case.id)
        case_events.status_event("case.resolution_accepted", case, actor, event, previous, now, rating=rating,
                                 comment=remark)
    return event


def reject_resolution(actor: User, case: Case, reason: str, *, seen_proposal: str | None = None,
                      now: datetime | None = None) -> CaseEvent:
    """The customer side rejects the resolution with a reason: the case is open again and its
    handlers are told. seen_proposal as for accept_resolution. Raises NotFound, NotAllowed,
    InvalidTransition, Conflict or ValidationFailed."""
    _require_answerable(actor, case, seen_proposal)
    why = clean_text(reason, field="reason", required=_l("Tell the team why this does not solve it."))
    now = now or utcnow()
    previous = case.status
    with database.atomic():
        write_case(actor, case, expect=("status", "resolution"), now=now, status=system_status("open"),
                   resolution_proposed_at=None)
        event = _record(case, "resolution_rejected", actor, now, body=why)
        notify_case_event("case_resolution_rejected", case, event, actor=actor, audiences=handlers_audience(case),
                          extra={"author_name": actor.display_name, "reason": why}, now=now)
        reindex_case(case.id)
        case_events.status_event("case.resolution_rejected", case, actor, event, previous, now, reason=why)
    return event


def close_case(actor: User, case: Case, reason: str = "", *, now: datetime | None = None) -> CaseEvent:
    """Close a case the customer side no longer needs (or staff close it): anyone who may see it.
    Raises NotFound, InvalidTransition or Conflict (already closed, naming by whom) or
    ValidationFailed."""
    policy.require(policy.can_close, actor, case)
    if case.status.category == "closed":
        raise _refused(actor, case, _l("This case is already closed."))
    why = clean_text(reason, field="reason", required="", limit=2000)
    now = now or utcnow()
    previous = case.status
    with database.atomic():
        write_case(actor, case, expect=(NOT_CLOSED,), now=now, status=system_status("closed"), last_closed_at=now,
                   resolution_proposed_at=None)
        event = _record(case, "closed", actor, now, body=why)
        audiences = (*CUSTOMER_SIDE, *handlers_audience(case))
        notify_case_event("case_closed", case, event, actor=actor, audiences=audiences,
                          extra={"closed_by": actor.display_name, "resolution": case.resolution}, now=now)
        reindex_case(case.id)
        case_events.status_event("case.closed", case, actor, event, previous, now, reason=why, automatic=None)
    return event


def reopen_case(actor: User, case: Case, reason: str = "", *, now: datetime | None = None) -> CaseEvent:
    """Reopen a closed case: the customer side within REOPEN_DAYS of closing, staff at any time
    (policy.can_reopen). Later, the customer opens a follow-up case instead. Raises NotFound,
    InvalidTransition, Conflict (reopened meanwhile) or ValidationFailed."""
    policy.require(policy.can_view_case, actor, case)
    now = now or utcnow()
    if case.status.category != "closed":
        raise _refused(actor, case, _l("Only a closed case can be reopened."))
    if not policy.can_reopen(actor, case, now):
        raise InvalidTransition(lazy_ngettext(
            "This case was closed more than %(num)d day ago, so it can no longer be reopened. Open a follow-up "
            "case instead.",
            "This case was closed more than %(num)d days ago, so it can no longer be reopened. Open a follow-up "
            "case instead.", int(setting("REOPEN_DAYS"))))
    why = clean_text(reason, field="reason", required="", limit=2000)
    previous = case.status
    with database.atomic():
        write_case(actor, case, expect=("status",), now=now, status=system_status("open"),
                   resolution_proposed_at=None)
        event = _record(case, "reopened", actor, now, body=why)
        notify_case_event("case_reopened", case, event, actor=actor, audiences=handlers_audience(case),
                          extra={"author_name": actor.display_name, "reason": why}, now=now)
        reindex_case(case.id)
        case_events.status_event("case.reopened", case, actor, event, previous, now, reason=why)
    return event


# --- scheduled -----------------------------------------------------------------------------------


def remind_unanswered_resolutions(*, now: datetime | None = None) -> int:
    """Remind the customer once of a resolution left unanswered for RESOLUTION_REMINDER_HOURS."""
    now = now or utcnow()
    due = now - timedelta(hours=setting("RESOLUTION_REMINDER_HOURS"))
    closes = timedelta(days=setting("RESOLUTION_AUTOCLOSE_DAYS"))
    cases = (
        Case.select()
        .join(CaseStatus)
        .where(
            (CaseStatus.category == "resolved")
            & (Case.resolution_proposed_at <= due)
            & Case.resolution_reminded_at.is_null()
        )
    )
    reminded = 0
    for case in cases:
        with database.atomic():
            # Conditional: two schedulers running at once remind once.
            claimed = (
                Case.update(resolution_reminded_at=now)
                .where((Case.id == case.id) & Case.resolution_reminded_at.is_null())
                .execute()
            )
            if not claimed:
                continue
            event = _record(case, "resolution_reminder_sent", None, now, public=False)
            closes_at = case.resolution_proposed_at + closes
            notify_case_event("case_resolution_reminder", case, event, actor=None, audiences=("customer",),
                              extra={"resolution": case.resolution,
                                     "respond_url": absolute("cases.detail", reference=case.reference) + "#resolution"},
                              personal=lambda person, moment=closes_at: {"closes_on": _day_for(person, moment)},
                              now=now)
            reminded += 1
    return reminded


def _day_for(person, moment: datetime) -> str:
    """The day of moment as the recipient of a message reads it: in their time zone and language
    (else the default language)."""
    try:
        day = moment.astimezone(ZoneInfo(person.time_zone or "UTC")).date()
    except (KeyError, ValueError):
        day = moment.date()
    for language in (person.language, setting("DEFAULT_LANGUAGE"), "en"):
        try:
            return format_day(day, (language or "").replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            continue
    return day.isoformat()


def close_unanswered_resolutions(*, now: datetime | None = None) -> int:
    """Close cases whose resolution went unanswered for RESOLUTION_AUTOCLOSE_DAYS."""
    now = now or utcnow()
    due = now - timedelta(days=setting("RESOLUTION_AUTOCLOSE_DAYS"))
    resolved = CaseStatus.select(CaseStatus.id).where(CaseStatus.category == "resolved")
    closed = system_status("closed")
    cases = (
        Case.select(Case, CaseStatus)
        .join(CaseStatus)
        .where(Case.status.in_(resolved) & (Case.resolution_proposed_at <= due))
    )
    count = 0
    for case in cases:
        with database.atomic():
            done = (
                Case.update(status=closed, last_closed_at=now, updated_at=now, resolution_proposed_at=None)
                .where((Case.id == case.id) & Case.status.in_(resolved))
                .execute()
            )
            if not done:
                continue
            previous = case.status  # as read above: resolved, or the update would have matched nothing
            case = Case.get_by_id(case.id)
            refresh_targets(case, now)  # as write_case does: the targets stop, the business time is stored
            event = _record(case, "closed", None, now, data=UNANSWERED)
            notify_case_event("case_closed", case, event, actor=None, audiences=(*CUSTOMER_SIDE, "assignee"),
                              extra={"closed_by": "", "resolution": case.resolution}, now=now)
            reindex_case(case.id)
            case_events.status_event("case.closed", case, None, event, previous, now, reason="",
                                     automatic=case_events.UNANSWERED_RESOLUTION)
            count += 1
    return count
