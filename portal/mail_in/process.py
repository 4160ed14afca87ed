"""Processing a stored message: what it is, which case it belongs to, and the service call it becomes.

A message is claimed with a conditional update (new → processing, or a claim older than CLAIM_SECONDS
whose worker is gone), then processed inside one transaction that ends by writing the outcome on the
condition that the claim is still this one: two workers racing for a message act once, and a worker
whose claim was taken over rolls back everything it did. The steps:

  1. parse; 2. auto-replies, bulk mail and our own messages are ignored (never answered), bounces mark
  the outbound messages they name; 3. the optional Authentication-Results check; 4. the per-sender rate
  limit; 5. threading (portal.mail_in.threading) → a comment as the person, or HELD with the reason;
  6. new cases by email (portal.mail_in.new_cases); 7. else HELD "no_case".

Everything an email does is the service call the web form makes, with channel="email".
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from portal.mail_in import outcomes
from portal.mail_in.attachments import accepted_uploads, uploads_from
from portal.mail_in.message import AUTO_REPLY, BOUNCE, BULK, OWN, ParsedMail
from portal.mail_in.outcomes import Outcome
from portal.mail_in.threading import find_thread
from portal.models.mail_in import DONE, FAILED, HELD, NEW, PROCESSING, InboundMessage
from portal.settings import setting

log = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died (or hangs): another may take the message over.
CLAIM_SECONDS = 60

# Reasons of this module (threading.py has those about cases named by a message).
UNAUTHENTICATED = "unauthenticated"
RATE_LIMITED = "rate_limited"
NO_CASE = "no_case"
CASE_CLOSED = "case_closed"
EMPTY_REPLY = "empty_reply"
NOT_ACCEPTED = "not_accepted"
UNKNOWN_BOUNCE = "unknown_bounce"
ERROR = "error"


class ClaimLost(RuntimeError):
    """Another worker took the message over while this one processed it: roll this one's work back."""


def claim(message_id: int, now: datetime) -> str | None:
    """Claim a message for processing; the claim token, or None when it is not this worker's to process."""
    token = secrets.token_hex(16)
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    claimed = (InboundMessage
               .update(state=PROCESSING, claim_token=token, claimed_at=now,
                       attempts=InboundMessage.attempts + 1)
               .where((InboundMessage.id == message_id)
                      & ((InboundMessage.state == NEW)
                         | ((InboundMessage.state == PROCESSING) & (InboundMessage.claimed_at < stale))))
               .execute())
    return token if claimed else None


def process_message(message_id: int, *, now: datetime | None = None) -> Outcome | None:
    """Process one stored message if it can be claimed; its Outcome, or None when another worker has it or it
    is already processed. Called by the receiving edge right after storing, by the scheduler job for what was
    left behind, and by staff retrying. An unexpected error leaves the message FAILED with the error's text
    (staff retry or discard it); nothing of its processing is kept."""
    now = now or utcnow()
    with database.atomic():
        token = claim(message_id, now)
    if token is None:
        return None
    message = InboundMessage.get_by_id(message_id)
    try:
        with database.atomic():
            outcome = _pipeline(message, now)
            _finish(message, token, outcome, now)
    except ClaimLost:
        return None
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the message stays in the queue with the reason
        log.exception("processing inbound message %s failed", message.uuid)
        detail = f"{type(exc).__name__}: {exc}"[:2000]
        with database.atomic():
            (InboundMessage
             .update(state=FAILED, outcome_state=None, outcome_reason=ERROR, outcome_detail=detail,
                     processed_at=now, claim_token=None)
             .where((InboundMessage.id == message.id) & (InboundMessage.claim_token == token))
             .execute())
        return None
    return outcome


def _finish(message: InboundMessage, token: str, outcome: Outcome, now: datetime) -> None:
    written = (InboundMessage
               .update(state=HELD if outcome.state == outcomes.HELD else DONE, outcome_state=outcome.state,
                       outcome_reason=outcome.reason or None, outcome_detail=outcome.detail or None,
                       case=outcome.case_id, processed_at=now, claim_token=None)
               .where((InboundMessage.id == message.id) & (InboundMessage.claim_token == token)
                      & (InboundMessage.state == PROCESSING))
               .execute())
    if not written:
        raise ClaimLost(str(message.uuid))


def process_waiting(now: datetime | None = None, *, limit: int = 100) -> int:
    """The scheduler job: process messages left "new" or "processing" for longer than CLAIM_SECONDS (the
    receiving process died between storing and processing, or while processing). Safe to run from two
    schedulers at once (each message is claimed). Returns how many it processed."""
    now = now or utcnow()
    before = now - timedelta(seconds=CLAIM_SECONDS)
    waiting = (InboundMessage
               .select(InboundMessage.id)
               .where(((InboundMessage.state == NEW) & (InboundMessage.received_at < before))
                      | ((InboundMessage.state == PROCESSING) & (InboundMessage.claimed_at < before)))
               .order_by(InboundMessage.received_at)
               .limit(limit))
    return sum(1 for row in list(waiting) if process_message(row.id, now=now) is not None)


# --- the pipeline ------------------------------------------------------------------------------------


def own_domains() -> tuple[str, ...]:
    domains = {str(setting("MAIL_MESSAGE_ID_DOMAIN")).lower()}
    address = str(setting("MAIL_IN_ADDRESS") or "")
    if "@" in address:
        domains.add(address.rpartition("@")[2].lower())
    return tuple(sorted(domains))


def recipients_of(message: InboundMessage, parsed: ParsedMail) -> list[str]:
    """The envelope recipients (LMTP, or the pipe's arguments), else the To and Cc of the message and the
    Delivered-To/X-Original-To our MTA added."""
    return list(message.envelope_recipients or ()) or [*parsed.to, *parsed.cc, *parsed.delivered_to]


def _pipeline(message: InboundMessage, now: datetime) -> Outcome:
    from portal.mail_in.parse import parse_message

    parsed = parse_message(bytes(message.raw), own_domains=own_domains())
    sender = (parsed.sender or "").lower()[:320] or None
    (InboundMessage
     .update(sender=sender, subject=(parsed.subject or "")[:2000])
     .where(InboundMessage.id == message.id)
     .execute())
    if parsed.kind in (OWN, AUTO_REPLY, BULK):
        return Outcome(outcomes.IGNORED, reason=parsed.kind)
    if parsed.kind == BOUNCE:
        return _bounced(parsed, now)
    authserv_id = str(setting("MAIL_IN_AUTHSERV_ID") or "").strip()
    if authserv_id:
        from portal.mail_in.trust import sender_authenticated

        if not sender_authenticated(parsed, authserv_id):
            return Outcome(outcomes.HELD, reason=UNAUTHENTICATED)
    if sender is None:
        return Outcome(outcomes.HELD, reason=NO_CASE, detail="no readable From address")
    if _over_rate(sender, now):
        # Never answered: answering a flood is how mail loops start.
        return Outcome(outcomes.HELD, reason=RATE_LIMITED)
    recipients = recipients_of(message, parsed)
    thread = find_thread(parsed, recipients, now=now)
    if thread is not None:
        if thread.problem:
            _tell_held(parsed, thread.problem, language=None, now=now)
            detail = f"case {thread.case.reference}" if thread.case is not None else ""
            return Outcome(outcomes.HELD, reason=thread.problem, detail=detail)
        return _comment(parsed, thread.case, thread.person, now)
    from portal.mail_in.new_cases import open_from_mail

    opened = open_from_mail(parsed, recipients, now=now)
    if opened is not None:
        return opened
    return Outcome(outcomes.HELD, reason=NO_CASE)


def _over_rate(sender: str, now: datetime) -> bool:
    window = now - timedelta(seconds=int(setting("MAIL_IN_RATE_WINDOW_SECONDS")))
    received = (InboundMessage
                .select()
                .where((InboundMessage.sender == sender) & (InboundMessage.received_at > window))
                .count())
    return received > int(setting("MAIL_IN_RATE"))


def _comment(parsed: ParsedMail, case, person, now: datetime) -> Outcome:
    from portal.cases.service.conversation import add_comment

    uploads, refused = accepted_uploads(uploads_from(parsed))
    body = parsed.reply_text.strip() or parsed.text.strip()
    try:
        add_comment(person, case, body, uploads=uploads, channel="email", now=now)
    except (InvalidTransition, Conflict):
        # Held, not reopened: reopening is a decision the portal's reopen button (with its deadline) makes.
        # The answer links the case page, where the person may reopen it or open a follow-up case.
        from portal.links import absolute

        _tell_held(parsed, CASE_CLOSED, language=person.language, now=now, case_reference=case.reference,
                   portal_url=absolute("cases.detail", reference=case.reference))
        return Outcome(outcomes.HELD, reason=CASE_CLOSED, detail=f"case {case.reference}")
    except ValidationFailed as exc:
        reason = EMPTY_REPLY if not body and not uploads else NOT_ACCEPTED
        return Outcome(outcomes.HELD, reason=reason, detail=f"case {case.reference}: {exc.message}"[:2000])
    except (NotFound, NotAllowed):
        return Outcome(outcomes.HELD, reason=NOT_ACCEPTED, detail=f"case {case.reference}")
    if refused:
        _auto_reply(parsed, "refused_files", language=person.language, now=now,
                    context={"files": ", ".join(refused), "case_reference": case.reference})
    return Outcome(outcomes.COMMENTED, case_id=case.id, detail=", ".join(refused))


def _bounced(parsed: ParsedMail, now: datetime) -> Outcome:
    from notifier.models import EMAIL, Message
    from portal.mail_in.threading import outbound_uuid

    marked = []
    for message_id in parsed.bounced_message_ids:
        message_uuid = outbound_uuid(message_id)
        if message_uuid is None:
            continue
        if (Message
                .update(bounced_at=now, bounce_status=(parsed.bounce_status or "")[:20] or None)
                .where((Message.uuid == message_uuid) & (Message.channel == EMAIL) & Message.bounced_at.is_null())
                .execute()):
            marked.append(str(message_uuid))
    if not marked:
        return Outcome(outcomes.BOUNCED, reason=UNKNOWN_BOUNCE, detail=", ".join(parsed.bounced_message_ids)[:2000])
    return Outcome(outcomes.BOUNCED, detail=", ".join(marked))


def _tell_held(parsed: ParsedMail, reason: str, *, language: str | None, now: datetime,
               case_reference: str = "", portal_url: str = "") -> None:
    _auto_reply(parsed, "held", language=language, now=now,
                context={"reason": reason, "case_reference": case_reference, "portal_url": portal_url})


def _auto_reply(parsed: ParsedMail, kind: str, *, language: str | None, now: datetime,
                context: dict[str, str]) -> bool:
    """One polite answer (replies.auto_reply throttles it: one per address, kind and hour)."""
    from portal.mail_in.replies import auto_reply

    if not parsed.sender:
        return False
    return auto_reply(parsed.sender, kind, language=language, context={"subject": parsed.subject, **context},
                      in_reply_to=parsed.message_id, now=now)

