"""Reading cases for the API: finding one the token's user may see (by reference or UUID), its
version (ETag), and putting it into the API's shapes with the values and feed the case page would
show that user (portal.cases.queries.case_page, portal.policy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import peewee

from portal import policy
from portal.api.resources.case_models import (
    AttachmentOut,
    CaseOut,
    CaseSummary,
    FeedEntryOut,
    FieldValueOut,
    Ref,
    StatusOut,
)
from portal.cases.queries.case_page import case_for_viewer, feed_for
from portal.cases.rules import shown_value
from portal.errors import NotFound
from portal.identifiers import parse_uuid
from portal.models.cases import Case, CaseFieldValue
from portal.models.configuration import CaseField, FieldOption
from portal.models.people import User

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


# --- versions ------------------------------------------------------------------------------------------


def etag_of(case: Case) -> str:
    """The case's version as a strong entity tag: its updated_at in microseconds, which every change of
    the case moves (portal.cases.service.transitions.write_case sets it in the change's own UPDATE)."""
    return f'"{(case.updated_at - EPOCH) // MICROSECOND}"'


def version_of(tag: str) -> datetime | None:
    """The updated_at an entity tag we issued names, or None for any other tag (weak ones included:
    If-Match compares strongly)."""
    tag = tag.strip()
    if len(tag) < 3 or not (tag.startswith('"') and tag.endswith('"')):
        return None
    digits = tag[1:-1]
    if not digits.isascii() or not digits.isdecimal() or len(digits) > 19:
        return None
    try:
        return EPOCH + int(digits) * MICROSECOND
    except OverflowError:
        return None


# --- finding a case ------------------------------------------------------------------------------------


def find_case(user: User, reference: str) -> Case:
    """The case with this 8-digit reference (or UUID) that user may see, with its template, status,
    reason, customer and workgroup; NotFound otherwise (also for anything that is neither)."""
    if not (len(reference) == 8 and reference.isascii() and reference.isdecimal()):
        text = parse_uuid(reference)
        found = Case.select(Case.reference).where(Case.uuid == text).first() if text else None
        if found is None:
            raise NotFound()
        reference = found.reference
    return case_for_viewer(user, reference)


# --- shapes --------------------------------------------------------------------------------------------


def _ref(uuid: str | None, name: str | None) -> Ref | None:
    return Ref(id=uuid, name=name) if uuid else None


def summary_values(case: Case, staff: bool, assignee: User | None) -> dict:
    """The members of CaseSummary for a case loaded with its template, status, customer and workgroup."""
    return dict(
        id=case.uuid, reference=case.reference, title=case.title,
        status=StatusOut(id=case.status.uuid, name=case.status.name, category=case.status.category),
        priority=case.priority if staff else None,
        template=Ref(id=case.template.uuid, name=case.template.name),
        customer=Ref(id=case.customer.uuid, name=case.customer.full_name),
        workgroup=_ref(case.workgroup.uuid, case.workgroup.name) if case.workgroup_id else None,
        assignee=_ref(assignee.uuid, assignee.display_name) if staff and assignee is not None else None,
        escalated=case.escalated if staff else None,
        opened_at=case.opened_at, updated_at=case.updated_at, etag=etag_of(case))


def summary_of(case: Case, staff: bool, assignee: User | None) -> CaseSummary:
    return CaseSummary(**summary_values(case, staff, assignee))


def _field_values(case: Case, viewer: User, staff: bool) -> list[FieldValueOut]:
    """The case's custom values viewer may see (internal fields only for staff), by field label, in one
    query: each value with its field and its option's label."""
    query = (
        CaseFieldValue.select(CaseFieldValue.value, CaseField.id, CaseField.key, CaseField.label,
                              CaseField.field_type, CaseField.visibility, FieldOption.label)
        .join(CaseField)
        .switch(CaseFieldValue)
        .join(FieldOption, peewee.JOIN.LEFT_OUTER,
              on=((FieldOption.field == CaseFieldValue.field) & (FieldOption.value == CaseFieldValue.value)))
        .where(CaseFieldValue.case == case.id)
        .order_by(CaseField.key)
        .tuples()
    )
    if not staff:
        query = query.where(CaseField.visibility == "customer")
    values = []
    for value, field_id, key, label, field_type, visibility, option_label in query:
        facts = _FieldFacts(field_id, field_type)
        text = shown_value(facts, value, {(field_id, value): option_label} if option_label else {})
        values.append(FieldValueOut(key=key, label=label, type=field_type, value=value, text=str(text),
                                    visibility=visibility))
    return values


class _FieldFacts:
    """What shown_value reads of a field."""

    def __init__(self, field_id: int, field_type: str):
        self.id, self.field_type = field_id, field_type


def _feed(case: Case, viewer: User, staff: bool) -> list[FeedEntryOut]:
    entries = []
    for entry in feed_for(case, viewer):  # public entries only unless viewer may see internal ones
        event = entry.event
        actor = event.actor if event.actor_id else None
        entries.append(FeedEntryOut(
            id=event.uuid, kind=event.kind, internal=not event.public,
            actor=_ref(actor.uuid, actor.display_name) if actor is not None else None, body=event.body or "",
            data=event.data if staff else None, created_at=event.created_at,
            channel=(event.data or {}).get("channel", "web"),
            attachments=[AttachmentOut(id=a.uuid, filename=a.original_name, content_type=a.content_type,
                                       size=a.size, internal=not a.public) for a in entry.attachments]))
    return entries


def case_out(case: Case, viewer: User) -> CaseOut:
    """The whole case as viewer may see it: values and feed as on the case page."""
    staff = policy.can_see_internal(viewer, case)
    ids = [i for i in (case.assignee_id, case.internal_contact_id) if i is not None]
    people = {u.id: u for u in User.select().where(User.id.in_(ids))} if ids else {}
    contact = people.get(case.internal_contact_id)
    follow_up = (Case.select(Case.reference).where(Case.id == case.follow_up_of_id).first()
                 if case.follow_up_of_id else None)
    return CaseOut(
        **summary_values(case, staff, people.get(case.assignee_id)),
        summary=case.summary, reason=_ref(case.reason.uuid, case.reason.name) if case.reason_id else None,
        resolution=case.resolution or "", resolution_proposed_at=case.resolution_proposed_at,
        last_closed_at=case.last_closed_at,
        internal_contact=_ref(contact.uuid, contact.display_name) if contact is not None else None,
        follow_up_of=follow_up.reference if follow_up is not None else None, channel=case.channel,
        fields=_field_values(case, viewer, staff), feed=_feed(case, viewer, staff))
