"""New cases by email: mail to an inbound address (portal/mail_in/addresses.py) opens a case through the
same open_case() the web form calls, with channel "email".

Who the sender is decides whom the case is for:
- a customer with an account: a case for their own profile;
- a proxy employee: a case for the customer in Cc they may file for (check_filing_target), the proxy
  its internal contact; none, or several, and the mail is refused with an explanation (ServiceNow's
  rule for proxy contacts);
- staff (agents, supervisors, admins) forwarding a customer's mail: a case for that customer, filed by
  the member of staff (the forwarded message's From names the customer);
- nobody we know: per address, a new customer profile and sign-in (no password yet: the answer
  carries an invitation link) and the case, or an answer with a link to the portal;
- a deactivated user: held for staff, never acted on.
Files the upload checks refuse are left out (the case opens with the others) and the sender is told.
Runs inside the caller's transaction (the inbound pipeline's); user-caused problems become an
Outcome, never an exception (an unwritable upload directory raises: the message is retried).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import peewee

from portal.case_config.rules import SUMMARY_MAX, TITLE_MAX
from portal.cases.service.opening import check_filing_target, open_case
from portal.contact import ContactError, normalize_email
from portal.customers.service import create_customer_profile
from portal.db import database
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.files.storage import StorageUnavailable
from portal.i18n import _l
from portal.mail_in import replies
from portal.mail_in.addresses import base_address, inbound_address_for, is_inbound_address
from portal.mail_in.attachments import accepted_uploads, uploads_from
from portal.mail_in.message import ParsedMail
from portal.mail_in.outcomes import HELD, OPENED, REFUSED, REPLIED, Outcome
from portal.models.cases import Case
from portal.models.inbound_addresses import OPEN_FOR_UNKNOWN, InboundAddress
from portal.models.people import NO_PASSWORD, STAFF_ROLES, Customer, User
from portal.notify.wording import words_for
from portal.people.service.audit import record
from portal.settings import setting

NO_SUBJECT = _l("(no subject)")
NO_TEXT = _l("(The email had no text.)")
# Subject prefixes of replies and forwards in the languages mail clients commonly write them.
_PREFIX = re.compile(r"^\s*((re|aw|wg|fw|fwd|rv|tr|sv|vs|antw|enc)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# The first line of a forwarded message's header block in the quoted text (Gmail, Outlook, Apple
# Mail, Thunderbird; English, German, Spanish, French).
_QUOTED_FROM = re.compile(r"^[ \t>]*(?:\*\s*)?(?:From|Von|De|Van)\s*:\s*\**\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_FORWARD_MARKER = re.compile(
    r"(-{2,}\s*(Forwarded message|Original Message|Weitergeleitete Nachricht|Ursprüngliche Nachricht|"
    r"Mensaje (reenviado|original)|Message transféré)\s*-{2,}|Begin forwarded message:|"
    r"Anfang der weitergeleiteten Nachricht:|Inicio del mensaje reenviado:)",
    re.IGNORECASE)
_ADDRESS = re.compile(r"[^\s<>\"'()\[\],;:]+@[^\s<>\"'()\[\],;:]+\.[^\s<>\"'()\[\],;:]+")


def open_from_mail(parsed: ParsedMail, recipients: Sequence[str], *, now: datetime) -> Outcome | None:
    """Open a case from a message to an inbound address, as the rules above say. None when no recipient
    is an active inbound address. Call it inside the pipeline's transaction; raises nothing for what
    senders cause (an Outcome says what happened)."""
    inbound = inbound_address_for(recipients)
    if inbound is None:
        return None
    sender = _address(parsed.sender)
    if sender is None:
        return Outcome(HELD, "no_sender")
    if is_inbound_address(sender) or base_address(sender) in replies.own_addresses():
        return Outcome(HELD, "own_address")
    user = User.get_or_none(User.email == sender)
    if user is None:
        return _from_stranger(inbound, parsed, sender, now)
    if not user.active:
        return Outcome(HELD, "inactive_sender")
    if user.role == "customer":
        profile = Customer.get_or_none(Customer.user == user)
        if profile is None:
            return Outcome(HELD, "no_customer_profile")
        return _open(user, profile, inbound, parsed, now, language=user.language, reason="customer")
    if user.role == "proxy":
        return _from_proxy(user, inbound, parsed, now)
    if user.role in STAFF_ROLES:
        return _forwarded_by_staff(user, inbound, parsed, now)
    return Outcome(HELD, "unknown_role")


# --- who the case is for ----------------------------------------------------------------------------


def _from_proxy(proxy: User, inbound: InboundAddress, parsed: ParsedMail, now: datetime) -> Outcome:
    """The customer in Cc the proxy may file for (a contact of an account); exactly one, or refused."""
    copied = {a for a in (_address(c) for c in parsed.cc) if a and a != proxy.email and not is_inbound_address(a)}
    candidates = []
    if copied:
        for profile in Customer.select().where(peewee.fn.LOWER(Customer.email).in_(sorted(copied))):
            try:
                check_filing_target(proxy, profile)
            except (NotAllowed, ValidationFailed):
                continue
            candidates.append(profile)
    if len(candidates) != 1:
        reason, kind = (("proxy_no_customer", "proxy_refused") if not candidates
                        else ("proxy_ambiguous", "proxy_ambiguous"))
        replies.auto_reply(proxy.email, kind, language=proxy.language, context={}, in_reply_to=parsed.message_id,
                           now=now)
        return Outcome(REFUSED, reason, detail=", ".join(sorted(copied)))
    return _open(proxy, candidates[0], inbound, parsed, now, language=proxy.language, reason="proxy_for_customer")


def _forwarded_by_staff(staff: User, inbound: InboundAddress, parsed: ParsedMail, now: datetime) -> Outcome:
    """A member of staff forwarded a customer's mail: the case is for the customer the forwarded
    message is from (a profile with that address), filed by the member of staff."""
    original = _address(getattr(parsed, "forwarded_from", None)) or _quoted_sender(parsed.text)
    if original is None or original == staff.email:
        return Outcome(HELD, "forward_unknown_customer")
    profiles = list(Customer.select().where(peewee.fn.LOWER(Customer.email) == original).limit(10))
    signed_in = [p for p in profiles if p.user_id is not None]
    if len(profiles) > 1 and len(signed_in) == 1:
        profiles = signed_in  # several profiles share the address: the one its owner signs in with
    if not profiles:
        return Outcome(HELD, "forward_unknown_customer", detail=original)
    if len(profiles) > 1:
        return Outcome(HELD, "forward_ambiguous_customer", detail=original)
    return _open(staff, profiles[0], inbound, parsed, now, language=staff.language, reason="forwarded_by_staff",
                 summary=parsed.text)


def _from_stranger(inbound: InboundAddress, parsed: ParsedMail, sender: str, now: datetime) -> Outcome:
    if inbound.unknown_senders != OPEN_FOR_UNKNOWN:
        answered = replies.auto_reply(sender, "portal_link", language=inbound.language, context={},
                                      in_reply_to=parsed.message_id, now=now)
        return Outcome(REPLIED, "unknown_sender", detail="" if answered else "answer throttled")
    try:
        with database.atomic():  # a savepoint: a refused case leaves no account behind
            user, profile = _new_customer(sender, parsed.sender_name, inbound.language, now)
            outcome = _open(user, profile, inbound, parsed, now, language=inbound.language, reason="new_customer")
            if outcome.state != OPENED:
                raise _Undo(outcome)
            _send_invitation(user, outcome, parsed, now)
    except _Undo as undone:
        return undone.outcome
    except peewee.IntegrityError:  # the same stranger's other message made the account just now
        return Outcome(HELD, "sender_changed", detail=sender)
    return outcome


class _Undo(Exception):
    def __init__(self, outcome: Outcome):
        super().__init__(outcome.reason)
        self.outcome = outcome


def _new_customer(email: str, name: str, language: str, now: datetime) -> tuple[User, Customer]:
    """A customer sign-in without a password (an invitation is pending) and its profile."""
    display = _clean_name(name) or email.partition("@")[0][:120]
    user = User.create(email=email, display_name=display, role="customer", password_hash=NO_PASSWORD,
                       language=language, time_zone=setting("DEFAULT_TIME_ZONE"), invited_at=now, created_at=now)
    profile = (Customer.select()
               .where((peewee.fn.LOWER(Customer.email) == email) & Customer.user.is_null())
               .order_by(Customer.created_at, Customer.id)
               .first())
    if profile is not None:
        # Staff created a profile for this address before: it becomes theirs (its account and cases with it),
        # as when an account manager invites a colleague the organisation already has a contact for.
        joined = (Customer.update(user=user, updated_at=now)
                  .where((Customer.id == profile.id) & Customer.user.is_null())
                  .execute())
        if not joined:
            raise peewee.IntegrityError("the profile was taken meanwhile")
        profile = Customer.get_by_id(profile.id)
    else:
        first, _, last = display.partition(" ")
        profile = create_customer_profile(first_name=first[:100] or display[:100], last_name=last[:100],
                                          email=email, user=user)
    record(None, user, "invited", now, new={"email": email, "role": "customer", "channel": "email"})
    return user, profile


def _send_invitation(user: User, outcome: Outcome, parsed: ParsedMail, now: datetime) -> None:
    """The link that lets the new customer choose a password (the invitation of portal.people), in the
    answer that tells them their case is open."""
    from portal.accounts.service.tokens import issue_token
    from portal.links import absolute
    from portal.people.service.invitations import PURPOSE

    days = int(setting("INVITATION_DAYS"))
    token = issue_token(user, PURPOSE, days * 24 * 60, now=now)
    case = Case.get_by_id(outcome.case_id)
    replies.auto_reply(user.email, "account_opened", language=user.language,
                       context={"case_reference": case.reference, "expires_in_days": str(days),
                                "invitation_url": absolute("people.accept_invitation", token=token)},
                       in_reply_to=parsed.message_id, now=now)


# --- opening ----------------------------------------------------------------------------------------


def _open(actor: User, customer: Customer, inbound: InboundAddress, parsed: ParsedMail, now: datetime, *,
          language: str, reason: str, summary: str | None = None) -> Outcome:
    """open_case() with the mail's subject and text, the address's template and workgroup, and the files
    the upload checks accept; the sender hears of the ones refused."""
    values = {"title": _title(parsed.subject, language), "summary": _summary(summary, parsed, language)}
    accepted, refused = accepted_uploads(uploads_from(parsed))
    template = inbound.case_template
    try:
        case = open_case(actor, template, values, customer=customer, files=accepted, channel="email",
                         workgroup=inbound.workgroup)
    except (NotFound, NotAllowed):
        return Outcome(HELD, "template_unavailable", detail=template.name)
    except StorageUnavailable:
        raise  # the upload directory, not the message: processing fails and is retried
    except ValidationFailed as exc:
        return Outcome(HELD, "case_refused", detail="; ".join(f"{k}: {v}" for k, v in exc.fields.items()))
    except DomainError as exc:
        return Outcome(HELD, "case_refused", detail=str(exc.message))
    if refused:
        names = ", ".join(refused)
        replies.auto_reply(actor.email, "refused_files", language=actor.language,
                           context={"files": names, "case_reference": case.reference},
                           in_reply_to=parsed.message_id, now=now)
        return Outcome(OPENED, "refused_files", case_id=case.id, detail=names)
    return Outcome(OPENED, reason, case_id=case.id)


# --- words from the message -------------------------------------------------------------------------


def _address(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalize_email(str(value))
    except ContactError:
        return None


def _storable(text: str) -> str:
    return "".join(c for c in text if c in "\n\t" or (c >= " " and c != "\x7f" and not 0xD800 <= ord(c) <= 0xDFFF))


def _title(subject: str, language: str) -> str:
    title = " ".join(_storable(_PREFIX.sub("", subject or "")).split())
    if not title:
        return words_for(language, NO_SUBJECT)
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1].rstrip() + "…"


def _summary(summary: str | None, parsed: ParsedMail, language: str) -> str:
    text = summary if summary is not None else (parsed.reply_text or parsed.text)
    text = _storable((text or "").replace("\r\n", "\n")).strip()
    if not text:
        return words_for(language, NO_TEXT)
    return text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1].rstrip() + "…"


def _clean_name(name: str | None) -> str:
    name = " ".join(_storable(name or "").split()).strip("\"' ")
    return "" if "@" in name else name[:120]


def _quoted_sender(text: str) -> str | None:
    """The From of the first forwarded message in the text (after a forward marker, or the first quoted
    header block)."""
    marker = _FORWARD_MARKER.search(text or "")
    part = text[marker.end():] if marker else (text or "")
    found = _QUOTED_FROM.search(part)
    if found is None:
        return None
    candidates = _ADDRESS.findall(found.group(1))
    return _address(candidates[0].strip(".")) if candidates else None
