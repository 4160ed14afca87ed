"""The people on a case and the team's contacts with them: linking and unlinking additional customers,
one public update to all of them, and the contact log.

The checks are portal.policy's (NotFound when the actor may not see the case, NotAllowed for
non-staff), the writes those of portal.staff.service: only while the case is still open, in one
transaction with a feed entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import peewee

from portal import policy
from portal.cases.rules import clean_text
from portal.cases.service import conversation
from portal.cases.service.search_index import reindex_case
from portal.cases.service.transitions import explain, latest_event, write_case
from portal.clock import utcnow
from portal.db import database
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.events import case_events
from portal.i18n import _l
from portal.identifiers import by_uuid
from portal.models.cases import Case, CaseCustomerLink, CaseEvent
from portal.models.people import Customer, User
from portal.staff.service.shared import OPEN, STAFF_ONLY, moment_for, record, require_open
from portal.submissions import service as submissions

# The channel's English name is what the feed entry stores (its data is read by the feed as it is);
# the labels are what a form shows, in the reader's language.
CONTACT_CHANNELS = {"phone": "Phone", "email": "Email", "chat": "Chat", "in_person": "In person", "other": "Other"}
CONTACT_CHANNEL_LABELS = {"phone": _l("Phone"), "email": _l("Email"), "chat": _l("Chat"),
                          "in_person": _l("In person"), "other": _l("Other")}
CONTACT_DIRECTIONS = ("inbound", "outbound")
CONTACT_DIRECTION_LABELS = {"inbound": _l("Inbound (they contacted us)"),
                            "outbound": _l("Outbound (we contacted them)")}
MAX_CONTACT_SUMMARY = 5000
# A contact logged "in the future" is a typo; a few minutes cover clocks that differ.
FUTURE_SLACK = timedelta(minutes=5)


def _refused(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, {field: message})


def link_customer(actor: User, case: Case, customer_uuid: str, *, now: datetime | None = None) -> CaseEvent:
    """Link another customer profile to the case: they see it and are told about it like the primary
    customer. Staff who may see the case (policy.can_link_customers). Raises NotFound, NotAllowed,
    InvalidTransition (closed), ValidationFailed ("customer": unknown) or Conflict ("customer": already
    on the case; the case closed meanwhile)."""
    policy.require(policy.can_link_customers, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    customer = by_uuid(Customer, customer_uuid)
    if customer is None:
        raise _refused("customer", _l("We could not find that customer. Search for them again."))
    if customer.id == case.customer_id:
        message = _l("%(customer)s is already on this case (the primary customer).", customer=customer.full_name)
        raise Conflict(message, {"customer": message})
    now = now or utcnow()
    try:
        with database.atomic():
            write_case(actor, case, expect=OPEN, now=now)
            CaseCustomerLink.create(case=case, customer=customer, added_by=actor, created_at=now)
            event = record(case, "customer_linked", actor, now,
                           data={"customer": customer.full_name, "customer_uuid": customer.uuid})
            case_events.customer_linked(case, actor, event, customer, now, linked=True)
            return event
    except peewee.IntegrityError as exc:
        added = latest_event(case, ("customer_linked",), customer_uuid=customer.uuid)
        message = _already_linked(customer, added, actor)
        raise Conflict(message, {"customer": message}) from exc


def _already_linked(customer: Customer, added: CaseEvent | None, actor: User):
    """Who added the customer, and when (a second click, or a colleague first), in whole sentences."""
    name = customer.full_name
    if added is None:
        return _l("%(customer)s is already on this case.", customer=name)
    when = moment_for(actor, added.created_at)
    if added.actor_id is None:
        return _l("%(customer)s is already on this case: added automatically at %(when)s.", customer=name, when=when)
    if added.actor_id == actor.id:
        return _l("%(customer)s is already on this case: added by you at %(when)s.", customer=name, when=when)
    return _l("%(customer)s is already on this case: added by %(actor)s at %(when)s.", customer=name,
              actor=added.actor.display_name, when=when)


def unlink_customer(actor: User, case: Case, customer_uuid: str, *, now: datetime | None = None) -> CaseEvent:
    """Take a linked customer off the case (never the primary customer). Staff who may see the case
    (policy.can_link_customers). Raises NotFound (also when that customer was never linked), NotAllowed,
    InvalidTransition (closed; already taken off, naming by whom) or Conflict (changed meanwhile)."""
    policy.require(policy.can_link_customers, actor, case, message=STAFF_ONLY)
    require_open(actor, case)
    customer = by_uuid(Customer, customer_uuid)
    if customer is None:
        raise NotFound()
    now = now or utcnow()
    with database.atomic():
        write_case(actor, case, expect=OPEN, now=now)
        removed = (
            CaseCustomerLink.delete()
            .where((CaseCustomerLink.case == case) & (CaseCustomerLink.customer == customer))
            .execute()
        )
        if not removed:
            # A second click, or a colleague first: say so; a customer never on the case stays unknown.
            gone = explain(actor, case, ("customer_unlinked",), customer_uuid=customer.uuid)
            raise InvalidTransition(gone) if gone else NotFound()
        event = record(case, "customer_unlinked", actor, now,
                       data={"customer": customer.full_name, "customer_uuid": customer.uuid})
        case_events.customer_linked(case, actor, event, customer, now, linked=False)
        return event


def update_all_customers(actor: User, case: Case, body: str, *, uploads: Sequence = (),
                         now: datetime | None = None) -> CaseEvent:
    """One public update that the primary customer, every linked customer and the internal contact
    are told of. It is a staff reply: conversation.add_comment already notifies that whole customer side,
    so this only adds the staff-only check (policy.can_update_all_customers). Raises what add_comment
    raises, and NotAllowed."""
    policy.require(policy.can_update_all_customers, actor, case, message=STAFF_ONLY)
    return conversation.add_comment(actor, case, body, public=True, uploads=uploads, now=now)


def log_contact(actor: User, case: Case, *, channel: str, direction: str, summary: str,
                contacted_at: datetime | None = None, submission: str | None = None,
                now: datetime | None = None) -> CaseEvent:
    """Record a contact with the customer about the case (staff-only feed entry "contact_logged";
    its summary is searchable by staff). Allowed on closed cases too: customers call about those.
    Raises NotFound, NotAllowed, AlreadyDone (this submission key's entry exists) or ValidationFailed
    ("channel", "direction", "summary", "contacted_at")."""
    policy.require(policy.can_log_contact, actor, case, message=STAFF_ONLY)
    now = now or utcnow()
    errors = {}
    if channel not in CONTACT_CHANNELS:
        errors["channel"] = _l("Choose how you were in contact.")
    if direction not in CONTACT_DIRECTIONS:
        errors["direction"] = _l("Choose who contacted whom.")
    if contacted_at is not None and (contacted_at.tzinfo is None or contacted_at > now + FUTURE_SLACK):
        errors["contacted_at"] = _l("Enter a time that is not in the future.")
    try:
        text = clean_text(summary, field="summary", required=_l("Summarise the contact."), limit=MAX_CONTACT_SUMMARY)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_l("Some answers need another look."), errors)
    when = contacted_at or now
    with database.atomic():
        key = submissions.claim(actor, submission)
        write_case(actor, case, expect=(), now=now)  # allowed in any state: nothing to check
        event = record(case, "contact_logged", actor, now, body=text,
                       data={"channel": CONTACT_CHANNELS[channel], "direction": direction,
                             "contacted_at": when.isoformat()})
        reindex_case(case.id)
        submissions.settle(actor, key, case.reference)
        case_events.contact_logged(case, actor, event, channel=channel, direction=direction, contacted_at=when,
                                   summary=text, now=now)
    return event
