"""The inbound mail queue staff work through: held and failed messages, read, retried or discarded.

Supervisors and admins only (policy.can_review_inbound_mail); everyone else gets NotFound, as for a message
that does not exist. Retry and discard are conditional writes on the state the page showed, so a double
click or two supervisors at once act once. A message is shown as headers and text: its HTML is never
rendered (the parser's safe text is shown instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32

from portal import policy
from portal.db import database
from portal.errors import InvalidTransition, NotFound
from portal.i18n import _l
from portal.mail_in.outcomes import Outcome
from portal.models.cases import Case
from portal.models.mail_in import DISCARDED, FAILED, HELD, NEW, InboundMessage
from portal.pagination import Page, paginate

PAGE_SIZE = 50
REVIEWABLE = (HELD, FAILED)

# Outcome reasons in words (portal.mail_in.process, threading and new_cases set the codes).
REASON_LABELS = {
    "forged_token": _l("The reply address was not one Caseport signed (changed or made up)."),
    "expired_token": _l("The reply address has expired; the sender replied to an old notification."),
    "retired_key": _l("The reply address was signed with a key that is no longer configured."),
    "token_person_gone": _l("The person the reply address names may no longer comment on that case."),
    "stranger_in_reply_to": _l("It answers a notification about a case, but the sender may not comment on it."),
    "stranger_quoted_reference": _l("The subject names a case, but the sender may not comment on it."),
    "unauthenticated": _l("The sender's address could not be verified (DKIM, SPF or DMARC)."),
    "rate_limited": _l("The sender sent more messages than the limit allows in a short time."),
    "no_case": _l("It names no case, and no inbound address opens cases for it."),
    "case_closed": _l("The case is closed; the sender was told to reopen it in the portal."),
    "empty_reply": _l("The reply has no text and no files."),
    "not_accepted": _l("The case did not accept the comment."),
    "error": _l("Processing failed with an error; retry it once the cause is fixed."),
    # new cases by email (portal.mail_in.new_cases)
    "no_sender": _l("The message has no readable sender address."),
    "own_address": _l("The sender is one of Caseport's own addresses."),
    "inactive_sender": _l("The sender's account is deactivated."),
    "no_customer_profile": _l("The sender is a customer without a customer profile."),
    "unknown_role": _l("The sender's role cannot open cases by email."),
    "forward_unknown_customer": _l("A forwarded message whose original sender is no known customer."),
    "forward_ambiguous_customer": _l("A forwarded message whose original sender matches more than one customer."),
    "sender_changed": _l("Another message from the same new sender was processed at the same moment; retry it."),
    "template_unavailable": _l("The inbound address's case template cannot be used."),
    "storage_unavailable": _l("The files could not be stored; retry it once the upload directory works."),
    "case_refused": _l("The case could not be opened from this message."),
}
STATE_LABELS = {
    NEW: _l("Waiting"),
    "processing": _l("Being processed"),
    "done": _l("Done"),
    HELD: _l("Held"),
    FAILED: _l("Failed"),
    DISCARDED: _l("Discarded"),
}


def reason_label(code: str | None):
    if not code:
        return ""
    return REASON_LABELS.get(code, code)


@dataclass(frozen=True)
class QueueEntry:
    uuid: str
    sender: str
    subject: str
    state: str
    reason: str
    received_at: datetime
    attempts: int


def _require_reviewer(user) -> None:
    if not policy.can_review_inbound_mail(user):
        raise NotFound()


def queue_page(user, page: int = 1) -> Page:
    """Held and failed messages, newest first."""
    _require_reviewer(user)
    query = (InboundMessage
             .select(InboundMessage.uuid, InboundMessage.sender, InboundMessage.envelope_sender,
                     InboundMessage.subject, InboundMessage.state, InboundMessage.outcome_reason,
                     InboundMessage.received_at, InboundMessage.attempts)
             .where(InboundMessage.state.in_(REVIEWABLE))
             .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()))
    found = paginate(query, page, PAGE_SIZE)
    found.items = [QueueEntry(uuid=row.uuid, sender=row.sender or row.envelope_sender or "",
                              subject=row.subject or "", state=row.state,
                              reason=reason_label(row.outcome_reason), received_at=row.received_at,
                              attempts=row.attempts)
                   for row in found.items]
    return found


@dataclass(frozen=True)
class InboundDetail:
    entry: QueueEntry
    detail: str
    headers: list[tuple[str, str]]
    text: str
    attachments: list[str]
    case_reference: str
    reviewable: bool


def _message(user, message_uuid: str) -> InboundMessage:
    _require_reviewer(user)
    message = InboundMessage.get_or_none(InboundMessage.uuid == str(message_uuid)[:36])
    if message is None:
        raise NotFound()
    return message


def _headers(raw: bytes) -> list[tuple[str, str]]:
    parsed = BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True)
    shown = []
    for name, value in parsed.items()[:200]:
        try:
            text = str(make_header(decode_header(str(value))))
        except Exception:  # noqa: BLE001 - an undecodable header is shown as it came
            text = str(value)
        shown.append((name, text[:2000]))
    return shown


def inbound_message(user, message_uuid: str) -> InboundDetail:
    """One message as the queue's detail page shows it: headers, the text (never the HTML), file names."""
    from portal.mail_in.parse import parse_message
    from portal.mail_in.process import own_domains

    message = _message(user, message_uuid)
    raw = bytes(message.raw)
    parsed = parse_message(raw, own_domains=own_domains())
    case = Case.get_or_none(Case.id == message.case_id) if message.case_id else None
    entry = QueueEntry(uuid=message.uuid, sender=message.sender or parsed.sender or message.envelope_sender or "",
                       subject=message.subject or parsed.subject, state=message.state,
                       reason=reason_label(message.outcome_reason), received_at=message.received_at,
                       attempts=message.attempts)
    return InboundDetail(entry=entry, detail=message.outcome_detail or "", headers=_headers(raw), text=parsed.text,
                         attachments=[a.filename for a in parsed.attachments],
                         case_reference=case.reference if case is not None and policy.can_view_case(user, case)
                         else "", reviewable=message.state in REVIEWABLE)


def retry_message(user, message_uuid: str) -> Outcome | None:
    """Run a held or failed message through processing again (after fixing its cause: a profile created, a
    limit raised). Raises NotFound, or InvalidTransition when it is not held or failed (anymore). Returns
    the new outcome (None when it failed again: the queue shows why)."""
    from portal.mail_in.process import process_message

    message = _message(user, message_uuid)
    with database.atomic():
        again = (InboundMessage
                 .update(state=NEW, claim_token=None)
                 .where((InboundMessage.id == message.id) & InboundMessage.state.in_(REVIEWABLE))
                 .execute())
    if not again:
        raise _not_reviewable(message)
    return process_message(message.id)


def discard_message(user, message_uuid: str) -> None:
    """Discard a held or failed message: it stays stored (a redelivery is still recognised) but leaves the
    queue. Raises NotFound, or InvalidTransition when it is not held or failed (anymore)."""
    message = _message(user, message_uuid)
    with database.atomic():
        discarded = (InboundMessage
                     .update(state=DISCARDED)
                     .where((InboundMessage.id == message.id) & InboundMessage.state.in_(REVIEWABLE))
                     .execute())
    if not discarded:
        raise _not_reviewable(message)


def _not_reviewable(message: InboundMessage) -> InvalidTransition:
    state = InboundMessage.select(InboundMessage.state).where(InboundMessage.id == message.id).scalar()
    return InvalidTransition(_l("Only held or failed messages can be retried or discarded; this one is “%(state)s”.",
                                state=STATE_LABELS.get(state, state)))
