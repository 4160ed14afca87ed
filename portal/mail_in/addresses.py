"""Inbound addresses: which addresses open cases, with which template, workgroup and language, and what
mail from an unknown sender does there. Admins change them (policy.can_manage_inbound_addresses:
NotFound for anyone else); each change writes one audit row (InboundAddressChange) in its transaction.

An address's template must be one an email can fill in: published, and asking for nothing beyond
the title and the description (an email has a subject and a text, never a field's answer). That is
checked when the address is saved, so mail is never refused later for a field nobody could fill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import peewee

from portal import policy
from portal.case_config.queries import template_layout
from portal.case_config.rules import joined
from portal.clock import utcnow
from portal.contact import ContactError, normalize_email
from portal.db import database
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.i18n import LANGUAGES, _l
from portal.identifiers import parse_uuid
from portal.models.configuration import CaseTemplate
from portal.models.inbound_addresses import UNKNOWN_SENDER_CHOICES, InboundAddress, InboundAddressChange
from portal.models.people import User
from portal.models.teams import Workgroup

FIX_FIELDS = _l("Please correct the marked fields.")
ADDRESS_TAKEN = _l("This address is configured already.")


@dataclass(frozen=True)
class AddressInput:
    address: str
    case_template: str  # a case template's UUID
    workgroup: str = ""  # a workgroup's UUID, or "" for the template's own
    language: str = "en"
    unknown_senders: str = "link"
    active: bool = True


def addresses():
    """Every inbound address, alphabetically, with its template and workgroup."""
    return (
        InboundAddress.select(InboundAddress, CaseTemplate, Workgroup)
        .join(CaseTemplate)
        .switch(InboundAddress)
        .join(Workgroup, peewee.JOIN.LEFT_OUTER)
        .order_by(InboundAddress.address)
    )


def address_by_uuid(actor: User, address_uuid) -> InboundAddress:
    """The address a page names; NotFound for an unknown one and for anyone but active admins."""
    _require(actor)
    text = parse_uuid(address_uuid)
    found = addresses().where(InboundAddress.uuid == text).first() if text else None
    if found is None:
        raise NotFound()
    return found


def changes(address: InboundAddress):
    """The address's audit log, newest first, with who made each change."""
    return (
        InboundAddressChange.select(InboundAddressChange, User)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(InboundAddressChange.actor == User.id))
        .where(InboundAddressChange.inbound_address == address)
        .order_by(InboundAddressChange.created_at.desc(), InboundAddressChange.id.desc())
    )


def template_choices() -> list[tuple[str, str]]:
    """(UUID, name) of the published templates, for the form."""
    query = (CaseTemplate.select(CaseTemplate.uuid, CaseTemplate.name)
             .where(CaseTemplate.state == "published")
             .order_by(peewee.fn.LOWER(CaseTemplate.name)))
    return [(t.uuid, t.name) for t in query]


def workgroup_choices() -> list[tuple[str, str]]:
    query = (Workgroup.select(Workgroup.uuid, Workgroup.name)
             .where(Workgroup.active == True)  # noqa: E712
             .order_by(peewee.fn.LOWER(Workgroup.name)))
    return [(w.uuid, w.name) for w in query]


def fields_email_cannot_fill(template: CaseTemplate) -> list[str]:
    """The labels of the template's required fields (staff's layout: every field): an email fills
    only the title and the description."""
    return [placed.field.label for placed in template_layout(template, "staff").fields if placed.required]


def _require(actor: User | None) -> None:
    if not policy.can_manage_inbound_addresses(actor):
        raise NotFound()


def _checked(data: AddressInput) -> dict:
    errors: dict = {}
    address = ""
    try:
        address = normalize_email(data.address or "")
    except ContactError as exc:
        errors["address"] = exc.message
    else:
        if "+" in address.partition("@")[0]:
            errors["address"] = _l("Enter the address without a +tag: mail to any +tag of it arrives here "
                                   "anyway.")
    template = None
    template_uuid = parse_uuid(data.case_template)
    if template_uuid:
        template = CaseTemplate.get_or_none(CaseTemplate.uuid == template_uuid)
    if template is None or template.state != "published":
        errors["case_template"] = _l("Choose a published case template from the list.")
    else:
        required = fields_email_cannot_fill(template)
        if required:
            errors["case_template"] = joined([
                _l("%(template)s requires fields an email cannot fill in: %(fields)s.", template=template.name,
                   fields=", ".join(required)),
                _l("Choose a template that asks only for a title and a description, or make those fields "
                   "optional."),
            ])
    workgroup = None
    if data.workgroup:
        workgroup_uuid = parse_uuid(data.workgroup)
        workgroup = Workgroup.get_or_none(Workgroup.uuid == workgroup_uuid) if workgroup_uuid else None
        if workgroup is None or not workgroup.active:
            errors["workgroup"] = _l("Choose an active workgroup from the list, or the template's own.")
    if data.language not in LANGUAGES:
        errors["language"] = _l("Choose a language from the list.")
    if data.unknown_senders not in UNKNOWN_SENDER_CHOICES:
        errors["unknown_senders"] = _l("Choose what happens to mail from unknown senders.")
    if errors:
        raise ValidationFailed(FIX_FIELDS, errors)
    return {"address": address, "case_template": template, "workgroup": workgroup, "language": data.language,
            "unknown_senders": data.unknown_senders, "active": bool(data.active)}


def _snapshot(address: InboundAddress) -> dict:
    template = CaseTemplate.get_by_id(address.case_template_id)
    workgroup = Workgroup.get_or_none(Workgroup.id == address.workgroup_id) if address.workgroup_id else None
    return {"address": address.address,
            "case_template": {"uuid": template.uuid, "name": template.name},
            "workgroup": {"uuid": workgroup.uuid, "name": workgroup.name} if workgroup else None,
            "language": address.language, "unknown_senders": address.unknown_senders,
            "active": bool(address.active)}


def _audit(address: InboundAddress, actor: User, action: str, now: datetime, old=None, new=None) -> None:
    InboundAddressChange.create(inbound_address=address, actor=actor, action=action, old_value=old, new_value=new,
                                created_at=now)


def create_address(actor: User, data: AddressInput, *, now: datetime | None = None) -> InboundAddress:
    """Configure a new inbound address. Raises NotFound (not an active admin), ValidationFailed
    (per field) or Conflict (the address is configured already)."""
    _require(actor)
    values = _checked(data)
    now = now or utcnow()
    try:
        with database.atomic():
            address = InboundAddress.create(**values, created_at=now, updated_at=now)
            _audit(address, actor, "created", now, new=_snapshot(address))
    except peewee.IntegrityError as exc:
        raise Conflict(ADDRESS_TAKEN, {"address": ADDRESS_TAKEN}) from exc
    return address


def update_address(actor: User, address_uuid, data: AddressInput, *, now: datetime | None = None) -> InboundAddress:
    """Change an inbound address (also deactivate or activate it). Raises NotFound, ValidationFailed
    or Conflict (another address has this one already)."""
    address = address_by_uuid(actor, address_uuid)
    values = _checked(data)
    now = now or utcnow()
    try:
        with database.atomic():
            before = _snapshot(address)
            (InboundAddress.update(**values, updated_at=now)
             .where(InboundAddress.id == address.id)
             .execute())
            address = InboundAddress.get_by_id(address.id)
            after = _snapshot(address)
            if after != before:
                _audit(address, actor, "edited", now, old=before, new=after)
    except peewee.IntegrityError as exc:
        raise Conflict(ADDRESS_TAKEN, {"address": ADDRESS_TAKEN}) from exc
    return address


def base_address(address: str) -> str:
    """An address as configured addresses are stored: lower-cased, a +tag of its local part removed."""
    local, at, domain = (address or "").strip().lower().rpartition("@")
    if not at:
        return ""
    return f"{local.split('+', 1)[0]}@{domain}"


def inbound_address_for(recipients: Iterable[str]) -> InboundAddress | None:
    """The first active inbound address among the recipients (in their order), whatever their case
    and +tags; None when none is one."""
    wanted = [base_address(r) for r in recipients if isinstance(r, str)]
    wanted = [w for w in wanted if w]
    if not wanted:
        return None
    found = {a.address: a for a in (InboundAddress.select(InboundAddress, CaseTemplate)
                                    .join(CaseTemplate)
                                    .where(InboundAddress.address.in_(wanted) & (InboundAddress.active == True)))}  # noqa: E712
    for address in wanted:
        if address in found:
            return found[address]
    return None


def is_inbound_address(address: str) -> bool:
    """Whether address (any +tag, any case) is one of the configured inbound addresses, active or not."""
    base = base_address(address)
    return bool(base) and InboundAddress.select().where(InboundAddress.address == base).exists()
